package workplan

import "time"

// Session is a signed-in browser: the user it belongs to and its times.
type Session struct {
	ID         int64
	User       User
	CreatedAt  time.Time
	LastSeenAt time.Time
	// ExpiresAt is the absolute timeout, fixed at sign-in.
	ExpiresAt  time.Time
	ClientAddr string
	UserAgent  string
}

// APIToken is a bearer token of the read-only JSON API. Its secret is never
// stored, only its hash.
type APIToken struct {
	ID            int64
	Name          string
	CreatedByName string
	CreatedAt     time.Time
	LastUsedAt    *time.Time
	RevokedAt     *time.Time
	// ExpiresAt is when the token stops working; nil: never.
	ExpiresAt *time.Time
	// RatePerMinute is the token's own rate limit (0: none); nil: the
	// server's default.
	RatePerMinute *int
}

// NewAPIToken is an API token to create: only the hash of its secret is
// kept.
type NewAPIToken struct {
	Name          string
	Hash          []byte
	ExpiresAt     *time.Time
	RatePerMinute *int
}

// AuditEntry is one row of the append-only audit trail.
type AuditEntry struct {
	ID         int64
	At         time.Time
	ActorID    int64
	ActorName  string
	Action     string
	Entity     string
	EntityID   string
	Before     []byte // JSON, or nil
	After      []byte // JSON, or nil
	RequestID  string
	ClientAddr string
}

// AuditFilter selects audit entries; zero fields select everything.
type AuditFilter struct {
	// Actor matches the actor's username or display name exactly.
	Actor  string
	Action string
	Entity string
	// EntityID selects one entity (a user's ID, a plan's key …); with
	// Entity, the whole history of that one thing.
	EntityID string
	// From and To bound the time: From <= at < To.
	From, To time.Time
	// BeforeID pages by keyset: only entries with a smaller ID.
	BeforeID int64
	// Limit is the page size; 0 means 50.
	Limit int
}

// UserEdit is what an administrator may change about a user.
type UserEdit struct {
	DisplayName string
	UnitID      int64
	Role        UserRole
}

// UnitEdit is what an administrator may change about a unit's registry entry.
type UnitEdit struct {
	Name string
	// Short is the name for narrow columns; "" shows the full name.
	Short     string
	Kind      UnitKind
	Confirmed bool
}

// MaxShortName is the longest short name of a unit, in characters.
const MaxShortName = 8

// ConflictError is returned when an edit started from a version that is no
// longer current. Current holds the current state (a User or a Unit), for
// the page that shows what changed meanwhile; nothing was written.
type ConflictError struct {
	Current any
}

// Error returns the conflict's message key, for logs.
func (e *ConflictError) Error() string { return ErrConflict.Error() }

// Unwrap makes errors.Is(err, ErrConflict) and ErrorCode see EConflict.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// NewUser is an account to create. PasswordHash is an encoded password hash;
// MustChangePassword makes the password one-time.
type NewUser struct {
	Username           string
	DisplayName        string
	UnitID             int64
	Role               UserRole
	PasswordHash       string
	MustChangePassword bool
}

// NewSession describes a session to start: the hash of its cookie token,
// when it starts, when it must end at the latest, and where from.
type NewSession struct {
	TokenHash  []byte
	Now        time.Time
	ExpiresAt  time.Time
	ClientAddr string
	UserAgent  string
}
