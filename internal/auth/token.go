package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
)

// NewToken returns 32 random bytes, base64url-encoded without padding (43
// characters): the secret of a session cookie or of an API token.
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand never fails on supported platforms (Go 1.24+ panics itself).
		panic("auth: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// APITokenPrefix marks duban's API tokens, so that a leaked one is easy to
// recognise in logs and by secret scanners.
const APITokenPrefix = "dbn_"

// NewAPIToken returns a new API token: APITokenPrefix and a random token.
func NewAPIToken() string { return APITokenPrefix + NewToken() }

// HashToken returns the SHA-256 of token: what the database stores instead
// of a session or API token, so that reading the table does not give
// anybody a usable token. A fast hash suffices because tokens are random.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// CSRFToken returns the form token of the session whose secret is
// sessionToken. It is derived rather than stored, so it changes with every
// new session and cannot be read from the database.
func CSRFToken(sessionToken string) string {
	m := hmac.New(sha256.New, []byte(sessionToken))
	m.Write([]byte("duban csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// EqualTokens compares two tokens in constant time; empty tokens never match.
func EqualTokens(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// LooksLikeToken reports whether s could be a token made by NewToken or
// NewAPIToken, so that garbage is refused before it reaches the database.
func LooksLikeToken(s string) bool {
	s = strings.TrimPrefix(s, APITokenPrefix)
	if len(s) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}
