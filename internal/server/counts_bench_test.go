package server

import (
	"context"
	"testing"
	"time"

	"duban/internal/workplan"
	"duban/web"
)

// BenchmarkHeaderCounts is what the bell and the review count add to every
// page while the change feed is up and the counts are cached: two map
// lookups under a mutex. (A miss costs one indexed count query, after the
// user's notifications or the review queue changed.)
func BenchmarkHeaderCounts(b *testing.B) {
	s := &Server{counts: newCounts()}
	s.counts.setListening(true)
	s.counts.unread[7] = 3
	s.counts.reviews[0] = reviewCount{claims: 2, requests: 1, at: time.Now()}
	u := workplan.User{ID: 7, Role: workplan.UserSupervisor}
	links := []web.NavLink{{Key: "review"}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		p := web.Page{Links: links}
		s.headerCounts(ctx, u, &p)
	}
}
