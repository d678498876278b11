// Package auth holds the pure parts of signing in: argon2id password hashing,
// the password policy, random tokens and their hashes, and the sign-in
// throttling rule. It uses the standard library and x/crypto only, does no
// I/O and reads no clock: callers pass the time.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	// Time is the number of passes over memory.
	Time uint32
	// MemoryKiB is the memory used, in KiB.
	MemoryKiB uint32
	// Threads is the degree of parallelism.
	Threads uint8
	// SaltLen and KeyLen are in bytes.
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams is the first configuration the OWASP Password Storage Cheat
// Sheet recommends for argon2id (m=19 MiB, t=2, p=1): about 30 ms on one core
// here, and small enough in memory that a burst of sign-ins cannot exhaust
// the server (throttling bounds the bursts anyway).
var DefaultParams = Params{Time: 2, MemoryKiB: 19 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}

// TestParams are deliberately weak parameters for tests, where thousands of
// hashes must be cheap. Never use them for real passwords.
var TestParams = Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32}

// Hasher hashes and verifies passwords with its parameters.
type Hasher struct {
	Params Params
	dummy  string
}

// NewHasher returns a Hasher using p. It precomputes a dummy hash with the
// same parameters, so that checking a password for an unknown user costs as
// much as checking a real one.
func NewHasher(p Params) *Hasher {
	h := &Hasher{Params: p}
	d, err := h.Hash("dummy password for unknown users")
	if err != nil {
		panic(fmt.Sprintf("auth: dummy hash: %v", err))
	}
	h.dummy = d
	return h
}

// Hash returns password hashed with a fresh random salt, encoded in the PHC
// string format: $argon2id$v=19$m=…,t=…,p=…$salt$key.
func (h *Hasher) Hash(password string) (string, error) {
	p := h.Params
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := idKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var b64 = base64.RawStdEncoding

// ErrBadHash means a stored hash is not in the format Hash writes.
var ErrBadHash = errors.New("auth: stored password hash is malformed")

// Verify reports whether password matches encoded, a string written by Hash
// (with any parameters: they are read from the string). An empty encoded
// hash (an account without a password) matches nothing but still costs a
// full hash, as does a malformed one, which also returns ErrBadHash.
func (h *Hasher) Verify(encoded, password string) (bool, error) {
	p, salt, key, err := decode(encoded)
	if err != nil {
		h.VerifyDummy(password)
		if encoded == "" {
			return false, nil
		}
		return false, err
	}
	got := idKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// VerifyDummy spends the time of one verification and always fails: it is
// called for unknown usernames so they cannot be told apart by timing.
func (h *Hasher) VerifyDummy(password string) {
	p, salt, key, err := decode(h.dummy)
	if err != nil {
		return
	}
	_ = idKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(key)))
}

// hashing admits argon2id computations for at most half the processors at
// once (at least one). Each holds MemoryKiB (19 MiB) for its whole run and
// is CPU-bound: running more at once would not finish a burst of sign-ins
// (the morning rush, or an attacker) sooner, but would grow the heap by 19
// MiB per sign-in in flight and take every core from the pages. With two
// cores, one hash at a time still checks about 30 passwords a second.
var hashing = make(chan struct{}, max(runtime.GOMAXPROCS(0)/2, 1))

func idKey(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	hashing <- struct{}{}
	defer func() { <-hashing }()
	return argon2.IDKey(password, salt, time, memory, threads, keyLen)
}

// NeedsRehash reports whether encoded was made with other parameters than
// h's, so that it should be replaced after the next successful sign-in.
func (h *Hasher) NeedsRehash(encoded string) bool {
	p, _, key, err := decode(encoded)
	if err != nil {
		return true
	}
	q := h.Params
	return p.Time != q.Time || p.MemoryKiB != q.MemoryKiB || p.Threads != q.Threads || uint32(len(key)) != q.KeyLen
}

func decode(encoded string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, ErrBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, ErrBadHash
	}
	// Refuse parameters that would let a tampered row exhaust the server.
	if p.Time == 0 || p.Time > 16 || p.MemoryKiB == 0 || p.MemoryKiB > 1<<20 || p.Threads == 0 {
		return p, nil, nil, ErrBadHash
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return p, nil, nil, ErrBadHash
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, ErrBadHash
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}
