package auth

import (
	"bufio"
	"crypto/rand"
	_ "embed"
	"errors"
	"strings"
	"sync"
	"unicode/utf8"
)

// The password policy follows NIST SP 800-63B and OWASP ASVS 4.0.3 §2.1: a
// minimum length, a generous maximum, no composition rules, and a check
// against a list of passwords known to be common.
const (
	// MinPasswordLen is the minimum length in characters (runes).
	MinPasswordLen = 8
	// MaxPasswordLen is the maximum length in characters; ASVS asks for at
	// least 64 to be allowed.
	MaxPasswordLen = 128
	// maxPasswordBytes bounds the work of hashing one submitted password.
	maxPasswordBytes = 4 * MaxPasswordLen
)

// Errors of the password policy. The server maps each to a message.
var (
	ErrPasswordTooShort    = errors.New("auth: password too short")
	ErrPasswordTooLong     = errors.New("auth: password too long")
	ErrPasswordCommon      = errors.New("auth: password is on the list of common passwords")
	ErrPasswordIsUsername  = errors.New("auth: password contains the username")
	ErrPasswordUnchanged   = errors.New("auth: new password equals the current one")
	ErrPasswordNotPrinting = errors.New("auth: password holds control characters")
)

//go:embed common-passwords.txt
var commonPasswordsFile string

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	m := make(map[string]struct{}, 4096)
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsFile))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m[strings.ToLower(line)] = struct{}{}
	}
	return m
})

// CommonPasswords returns the number of entries on the bundled list.
func CommonPasswords() int { return len(commonPasswords()) }

// IsCommon reports whether password is on the bundled list of common
// passwords, compared without regard to letter case.
func IsCommon(password string) bool {
	_, ok := commonPasswords()[strings.ToLower(password)]
	return ok
}

// CheckPassword returns nil if password may be used by the user named
// username, or the first rule it breaks. Every printable character is
// allowed, spaces and Chinese included; nothing is truncated.
func CheckPassword(password, username string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return ErrPasswordTooShort
	case n > MaxPasswordLen || len(password) > maxPasswordBytes:
		return ErrPasswordTooLong
	}
	for _, r := range password {
		if r < 0x20 || r == 0x7f {
			return ErrPasswordNotPrinting
		}
	}
	if IsCommon(password) {
		return ErrPasswordCommon
	}
	if u := strings.ToLower(strings.TrimSpace(username)); len(u) >= 3 && strings.Contains(strings.ToLower(password), u) {
		return ErrPasswordIsUsername
	}
	return nil
}

// passwordAlphabet leaves out characters that are easily confused when a
// password is read aloud or copied from paper (0/O, 1/l/I).
const passwordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// NewPassword returns a random password of 16 characters from a
// 57-character alphabet (about 93 bits), for one-time passwords that an
// administrator hands over.
func NewPassword() string {
	const n = 16
	b := make([]byte, n)
	for i := range b {
		b[i] = passwordAlphabet[randIntn(len(passwordAlphabet))]
	}
	return string(b)
}

// randIntn returns a uniform random number in [0, n) without modulo bias.
func randIntn(n int) int {
	limit := 256 - 256%n
	var b [1]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic("auth: crypto/rand failed: " + err.Error())
		}
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}
