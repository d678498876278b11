package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLoadScreenRefresh: the wall screen reloads every minute unless told
// otherwise, within 10 s and an hour, in whole seconds.
func TestLoadScreenRefresh(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	require.NoError(t, err)
	assert.Equal(t, time.Minute, c.ScreenRefresh)
	c, err = Load(env(map[string]string{"SCREEN_REFRESH": "5m"}))
	require.NoError(t, err)
	assert.Equal(t, 5*time.Minute, c.ScreenRefresh)
	for _, bad := range []string{"5s", "2h", "90", "1.5s", "soon", "-60s"} {
		_, err := Load(env(map[string]string{"SCREEN_REFRESH": bad}))
		if assert.Error(t, err, bad) {
			assert.Contains(t, err.Error(), "SCREEN_REFRESH", bad)
		}
	}
}
