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

// MaskToken returns token (a base64url secret such as CSRFToken's) under a
// fresh random mask: pad and pad XOR token, base64url-encoded. Every page
// then carries a different string for the same secret, so that a
// compressed page, whose size an eavesdropper sees, tells nothing about it
// (BREACH). UnmaskToken undoes it.
func MaskToken(token string) string {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) == 0 || len(raw) > 64 {
		return token
	}
	out := make([]byte, 2*len(raw))
	if _, err := rand.Read(out[:len(raw)]); err != nil {
		panic("auth: crypto/rand failed: " + err.Error())
	}
	for i, b := range raw {
		out[len(raw)+i] = b ^ out[i]
	}
	return base64.RawURLEncoding.EncodeToString(out)
}

// UnmaskToken returns the secret of a token masked by MaskToken; a token
// that was never masked is returned as it is.
func UnmaskToken(masked string) string {
	b, err := base64.RawURLEncoding.DecodeString(masked)
	if err != nil || len(b) != 64 {
		return masked
	}
	raw := make([]byte, 32)
	for i := range raw {
		raw[i] = b[i] ^ b[32+i]
	}
	return base64.RawURLEncoding.EncodeToString(raw)
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
