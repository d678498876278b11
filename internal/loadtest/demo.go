package loadtest

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"time"

	"duban/internal/deadline"
)

// PublishBulletin signs in at base as username (a supervisor) and publishes
// the plan's bulletin (专报) for the days from start to end, through the
// bulletin page's form, as a supervisor does: the demo of make run shows a
// published issue.
func PublishBulletin(ctx context.Context, base, username, password, slug string, start, end deadline.Date) error {
	u := newUser(base, username, 30*time.Second)
	defer u.close()
	if err := u.signIn(ctx, password); err != nil {
		return err
	}
	page := "/plans/" + slug + "/bulletins"
	r, err := u.do(ctx, http.MethodGet, page, "", nil)
	if err != nil {
		return fmt.Errorf("loadtest: bulletins page: %w", err)
	}
	m := csrfRe.FindSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		return fmt.Errorf("loadtest: bulletins page: status %d, form token found: %v", r.status, m != nil)
	}
	form := url.Values{"csrf": {html.UnescapeString(string(m[1]))}, "start": {start.String()}, "end": {end.String()}}
	r, err = u.do(ctx, http.MethodPost, page, "application/x-www-form-urlencoded", []byte(form.Encode()))
	if err != nil {
		return fmt.Errorf("loadtest: publish bulletin: %w", err)
	}
	if r.status != http.StatusSeeOther {
		return fmt.Errorf("loadtest: publish bulletin: status %d", r.status)
	}
	return nil
}
