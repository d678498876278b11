package auth

import "strings"

// ScreenTokenPrefix marks the tokens of the operations centre's wall
// screens. The prefix is part of what is hashed, so a screen token is never
// an API token (APITokenPrefix) or a session, whatever it is sent as.
const ScreenTokenPrefix = "dbs_"

// NewScreenToken returns a new wall-screen token: ScreenTokenPrefix and a
// random token.
func NewScreenToken() string { return ScreenTokenPrefix + NewToken() }

// LooksLikeScreenToken reports whether s could be a token made by
// NewScreenToken, so that garbage is refused before it reaches the database.
func LooksLikeScreenToken(s string) bool {
	rest, ok := strings.CutPrefix(s, ScreenTokenPrefix)
	return ok && LooksLikeToken(rest)
}
