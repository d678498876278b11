package auth

import "time"

// Throttle is the sign-in throttling rule (OWASP ASVS 4.0.3 §2.2.1). It is
// applied before the password is checked, so that a correct password during
// a throttle is refused like a wrong one.
//
//   - Per account: once AccountFree failures in a row have been counted for
//     a username (since its last success, within AccountWindow), each further
//     attempt must wait AccountBase·2^(failures−AccountFree) after the last
//     failure, capped at AccountMax.
//   - Per client address: at most AddressLimit failures, for any usernames,
//     within AddressWindow.
type Throttle struct {
	AccountFree   int
	AccountBase   time.Duration
	AccountMax    time.Duration
	AccountWindow time.Duration
	AddressLimit  int
	AddressWindow time.Duration
}

// DefaultThrottle lets a person mistype twenty times before waiting; an
// attacker gets roughly 20 + 24·(hours) guesses per account per day, and a
// single address at most 100 wrong passwords per 15 minutes.
var DefaultThrottle = Throttle{
	AccountFree:   20,
	AccountBase:   time.Minute,
	AccountMax:    time.Hour,
	AccountWindow: 24 * time.Hour,
	AddressLimit:  100,
	AddressWindow: 15 * time.Minute,
}

// AttemptStats are the counts the rule needs, read from the database.
type AttemptStats struct {
	// AccountFailures are failures for the username since its last success
	// within the account window; LastAccountFailure is the latest of them.
	AccountFailures    int
	LastAccountFailure time.Time
	// AddressFailures are failures from the address within the address
	// window; OldestAddressFailure is the earliest of them.
	AddressFailures      int
	OldestAddressFailure time.Time
}

// Until returns when the next attempt is allowed, and whether the attempt
// at now must be refused.
func (t Throttle) Until(s AttemptStats, now time.Time) (time.Time, bool) {
	var until time.Time
	if s.AccountFailures >= t.AccountFree {
		wait := t.AccountMax
		if n := s.AccountFailures - t.AccountFree; n < 30 {
			if w := t.AccountBase << n; w > 0 && w < wait {
				wait = w
			}
		}
		until = s.LastAccountFailure.Add(wait)
	}
	if s.AddressFailures >= t.AddressLimit {
		if u := s.OldestAddressFailure.Add(t.AddressWindow); u.After(until) {
			until = u
		}
	}
	return until, now.Before(until)
}
