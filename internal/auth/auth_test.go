package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/auth"
)

func TestHashVerify(t *testing.T) {
	t.Parallel()
	h := auth.NewHasher(auth.TestParams)
	enc, err := h.Hash("correct horse battery staple")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$"), enc)
	ok, err := h.Verify(enc, "correct horse battery staple")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = h.Verify(enc, "correct horse battery stapl")
	require.NoError(t, err)
	assert.False(t, ok)

	other, err := h.Hash("correct horse battery staple")
	require.NoError(t, err)
	assert.NotEqual(t, enc, other, "a fresh salt every time")

	ok, err = h.Verify("", "anything")
	assert.NoError(t, err, "an account without a password is not an error")
	assert.False(t, ok)
	for _, bad := range []string{"$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "plain"} {
		ok, err = h.Verify(bad, "anything")
		assert.ErrorIs(t, err, auth.ErrBadHash, bad)
		assert.False(t, ok)
	}
}

func TestVerifyReadsParametersFromTheHash(t *testing.T) {
	t.Parallel()
	old := auth.NewHasher(auth.Params{Time: 2, MemoryKiB: 128, Threads: 1, SaltLen: 16, KeyLen: 32})
	enc, err := old.Hash("a long enough passphrase")
	require.NoError(t, err)
	h := auth.NewHasher(auth.TestParams)
	ok, err := h.Verify(enc, "a long enough passphrase")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.True(t, h.NeedsRehash(enc))
	assert.False(t, old.NeedsRehash(enc))
}

func TestDefaultParamsAreStrong(t *testing.T) {
	t.Parallel()
	p := auth.DefaultParams
	// OWASP Password Storage Cheat Sheet minimum for argon2id.
	assert.GreaterOrEqual(t, p.MemoryKiB, uint32(19*1024))
	assert.GreaterOrEqual(t, p.Time, uint32(2))
	assert.GreaterOrEqual(t, p.SaltLen, uint32(16))
}

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, password, username string
		want                     error
	}{
		{"eight characters", "gT7#kq2z", "alice", nil},
		{"seven characters", "gT7#kq2", "alice", auth.ErrPasswordTooShort},
		{"chinese characters count as one each", "平凉市政务服务能力", "alice", nil},
		{"seven chinese characters", "平凉市政务服务", "alice", auth.ErrPasswordTooShort},
		{"no composition rules: all lower case", "correct horse battery staple", "alice", nil},
		{"64 characters allowed", strings.Repeat("abcdefgh", 8), "alice", nil},
		{"128 characters allowed", strings.Repeat("zyxwvuts", 16), "alice", nil},
		{"129 characters refused", strings.Repeat("zyxwvuts", 16) + "z", "alice", auth.ErrPasswordTooLong},
		{"common", "password", "alice", auth.ErrPasswordCommon},
		{"common ignoring case", "PassWord123", "alice", auth.ErrPasswordCommon},
		{"common chinese", "woaini1314", "alice", auth.ErrPasswordCommon},
		{"lucky eights", "88888888", "alice", auth.ErrPasswordCommon},
		{"digits", "11111111", "alice", auth.ErrPasswordCommon},
		{"a1b2c3d4", "a1b2c3d4", "alice", auth.ErrPasswordCommon},
		{"contains username", "zhangsan-2024!x", "zhangsan", auth.ErrPasswordIsUsername},
		{"control character", "abc\x00defghij", "alice", auth.ErrPasswordNotPrinting},
		{"spaces allowed", "  spaced out words  ", "alice", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.ErrorIs(t, auth.CheckPassword(tt.password, tt.username), tt.want)
			if tt.want == nil {
				assert.NoError(t, auth.CheckPassword(tt.password, tt.username))
			}
		})
	}
}

func TestCommonPasswordList(t *testing.T) {
	t.Parallel()
	assert.Greater(t, auth.CommonPasswords(), 3000, "a few thousand entries")
	for _, p := range []string{"123456", "qwerty", "5201314", "1qaz2wsx", "zhang123456", "Password1"} {
		assert.True(t, auth.IsCommon(p), p)
	}
	assert.False(t, auth.IsCommon("xk7 purple stapler mountain"))
}

func TestNewPassword(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 200 {
		p := auth.NewPassword()
		require.Len(t, p, 16)
		require.NoError(t, auth.CheckPassword(p, "someone"))
		assert.NotContains(t, p, "0")
		assert.NotContains(t, p, "l")
		assert.False(t, seen[p])
		seen[p] = true
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	a, b := auth.NewToken(), auth.NewToken()
	assert.NotEqual(t, a, b)
	assert.Len(t, a, 43)
	assert.True(t, auth.LooksLikeToken(a))
	assert.False(t, auth.LooksLikeToken("short"))
	assert.Len(t, auth.HashToken(a), 32)
	assert.Equal(t, auth.HashToken(a), auth.HashToken(a))

	api := auth.NewAPIToken()
	assert.True(t, strings.HasPrefix(api, "dbn_"))
	assert.True(t, auth.LooksLikeToken(api))

	assert.Equal(t, auth.CSRFToken(a), auth.CSRFToken(a))
	assert.NotEqual(t, auth.CSRFToken(a), auth.CSRFToken(b))
	assert.True(t, auth.EqualTokens(auth.CSRFToken(a), auth.CSRFToken(a)))
	assert.False(t, auth.EqualTokens("", ""))
	assert.False(t, auth.EqualTokens(auth.CSRFToken(a), auth.CSRFToken(b)))
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	th := auth.DefaultThrottle
	now := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	last := now.Add(-30 * time.Second)
	tests := []struct {
		name      string
		stats     auth.AttemptStats
		throttled bool
		until     time.Time
	}{
		{"nothing", auth.AttemptStats{}, false, time.Time{}},
		{"19 failures", auth.AttemptStats{AccountFailures: 19, LastAccountFailure: last}, false, time.Time{}},
		{"20 failures: wait a minute", auth.AttemptStats{AccountFailures: 20, LastAccountFailure: last}, true, last.Add(time.Minute)},
		{"21 failures: two minutes", auth.AttemptStats{AccountFailures: 21, LastAccountFailure: last}, true, last.Add(2 * time.Minute)},
		{"20 failures long ago", auth.AttemptStats{AccountFailures: 20, LastAccountFailure: now.Add(-2 * time.Minute)}, false, now.Add(-time.Minute)},
		{"capped at an hour", auth.AttemptStats{AccountFailures: 500, LastAccountFailure: last}, true, last.Add(time.Hour)},
		{"below the free address failures", auth.AttemptStats{AddressFailures: 49, LastAddressFailure: last}, false, time.Time{}},
		{"50 from one address: wait a second", auth.AttemptStats{AddressFailures: 50, LastAddressFailure: now}, true, now.Add(time.Second)},
		{"53 from one address: eight seconds", auth.AttemptStats{AddressFailures: 53, LastAddressFailure: now}, true, now.Add(8 * time.Second)},
		{"an address backs off, never locks out", auth.AttemptStats{AddressFailures: 5000, LastAddressFailure: last}, false, last.Add(30 * time.Second)},
		{"the later of both", auth.AttemptStats{AccountFailures: 20, LastAccountFailure: last, AddressFailures: 5000, LastAddressFailure: now}, true, last.Add(time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			until, throttled := th.Until(tt.stats, now)
			assert.Equal(t, tt.throttled, throttled)
			assert.Equal(t, tt.until, until)
		})
	}
}

func TestMaskToken(t *testing.T) {
	t.Parallel()
	tok := auth.CSRFToken(auth.NewToken())
	a, b := auth.MaskToken(tok), auth.MaskToken(tok)
	assert.NotEqual(t, a, b, "a fresh mask each time")
	assert.NotContains(t, a, tok)
	assert.Equal(t, tok, auth.UnmaskToken(a))
	assert.Equal(t, tok, auth.UnmaskToken(b))
	assert.Equal(t, tok, auth.UnmaskToken(tok), "an unmasked token is itself")
	assert.NotEqual(t, tok, auth.UnmaskToken(a[:len(a)-2]+"AA"), "a changed mask does not unmask")
	assert.Equal(t, "garbage", auth.UnmaskToken("garbage"))
}
