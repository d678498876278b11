package workplan

import "time"

// ThrottledError refuses a password attempt (a sign-in, or a change of
// one's password) that must wait: Until is when the next attempt may be
// made. Its code is ETooMany.
type ThrottledError struct {
	Until time.Time
}

var errThrottled = E(ETooMany, "err.throttled")

func (e *ThrottledError) Error() string {
	return "throttled until " + e.Until.Format(time.RFC3339)
}

// Unwrap lets ErrorCode and web.ErrorMessage see the ETooMany error.
func (e *ThrottledError) Unwrap() error { return errThrottled }

// Throttle is an account or a client address whose failed password
// attempts now count against it: exactly one of Username and Addr is set.
type Throttle struct {
	Username string
	Addr     string
	// Failures are those counted (since the last success or lifting);
	// LastFailure is the latest.
	Failures    int
	LastFailure time.Time
	// Until is when the next attempt may be made; in the past when the
	// wait is over (the next failure will wait again).
	Until time.Time
}
