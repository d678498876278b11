package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
)

// TestUnavailable: errors that mean the database cannot be reached answer
// 503; a bad query does not. A crashed server (immediate shutdown, the
// failover test) closes connections without a message: unexpected EOF.
func TestUnavailable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"connection cut mid-query", fmt.Errorf("write report: %w", io.ErrUnexpectedEOF), true},
		{"connection closed", fmt.Errorf("find session: %w", io.EOF), true},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"statement timeout", &pgconn.PgError{Code: "57014"}, true},
		{"deadline", context.DeadlineExceeded, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"syntax", &pgconn.PgError{Code: "42601"}, false},
		{"other", errors.New("boom"), false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, unavailable(tt.err), tt.name)
	}
}
