package auth

import "time"

// Throttle is the rule that slows down password guessing, at sign-in and
// when a signed-in user changes their password (OWASP ASVS 4.0.3 §2.2.1).
// It is applied before the password is checked, so that a correct password
// during a throttle is refused like a wrong one. Both parts back off
// exponentially rather than lock out:
//
//   - Per account: once AccountFree failures in a row have been counted for
//     a username (since its last success or an administrator's lifting,
//     within AccountWindow), each further attempt must wait
//     AccountBase·2^(failures−AccountFree) after the last failure, capped at
//     AccountMax.
//   - Per client address: once AddressFree failures, for any usernames, have
//     come from one address within AddressWindow, each further attempt from
//     it must wait AddressBase·2^(failures−AddressFree) after the address's
//     last failure, capped at AddressMax. A whole office behind one NAT
//     shares an address: a guesser among them slows everyone's next try by
//     at most AddressMax, never shuts them out for the window.
type Throttle struct {
	AccountFree   int
	AccountBase   time.Duration
	AccountMax    time.Duration
	AccountWindow time.Duration
	AddressFree   int
	AddressBase   time.Duration
	AddressMax    time.Duration
	AddressWindow time.Duration
}

// DefaultThrottle lets a person mistype twenty times before waiting; an
// attacker gets roughly 20 + 24·(hours) guesses per account per day. One
// address gets 50 free failures per 15 minutes, then one guess per 30
// seconds at most (about 2,900 a day, spread over many accounts, each of
// which backs off on its own).
var DefaultThrottle = Throttle{
	AccountFree:   20,
	AccountBase:   time.Minute,
	AccountMax:    time.Hour,
	AccountWindow: 24 * time.Hour,
	AddressFree:   50,
	AddressBase:   time.Second,
	AddressMax:    30 * time.Second,
	AddressWindow: 15 * time.Minute,
}

// AttemptStats are the counts the rule needs, read from the database.
type AttemptStats struct {
	// AccountFailures are failures for the username since its last success
	// within the account window; LastAccountFailure is the latest of them.
	AccountFailures    int
	LastAccountFailure time.Time
	// AddressFailures are failures from the address within the address
	// window (since it was last lifted); LastAddressFailure is the latest.
	AddressFailures    int
	LastAddressFailure time.Time
}

// backoff returns base·2^(n−free), capped at max, once n ≥ free.
func backoff(n, free int, base, max time.Duration) (time.Duration, bool) {
	if n < free {
		return 0, false
	}
	wait := max
	if k := n - free; k < 30 {
		if w := base << k; w > 0 && w < wait {
			wait = w
		}
	}
	return wait, true
}

// Until returns when the next attempt is allowed, and whether the attempt
// at now must be refused.
func (t Throttle) Until(s AttemptStats, now time.Time) (time.Time, bool) {
	var until time.Time
	if wait, ok := backoff(s.AccountFailures, t.AccountFree, t.AccountBase, t.AccountMax); ok {
		until = s.LastAccountFailure.Add(wait)
	}
	if wait, ok := backoff(s.AddressFailures, t.AddressFree, t.AddressBase, t.AddressMax); ok {
		if u := s.LastAddressFailure.Add(wait); u.After(until) {
			until = u
		}
	}
	return until, now.Before(until)
}
