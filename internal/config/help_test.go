package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHelpContact: HELP_CONTACT is one line of text, trimmed, empty by
// default (the help page then names the supervision office), and refused
// with its name when it holds control characters or is too long.
func TestHelpContact(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	require.NoError(t, err)
	assert.Empty(t, c.HelpContact)

	c, err = Load(env(map[string]string{"HELP_CONTACT": "  市政府督查室 0933-8211234  "}))
	require.NoError(t, err)
	assert.Equal(t, "市政府督查室 0933-8211234", c.HelpContact)

	tests := []struct {
		name, value string
	}{
		{"line break", "督查室\n电话"},
		{"NUL", "督查室\x00"},
		{"bidi override", "督查室\u202e1234"},
		{"too long", strings.Repeat("督", MaxHelpContact+1)},
		{"invalid UTF-8", "督查室\xff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(env(map[string]string{"HELP_CONTACT": tt.value}))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "HELP_CONTACT")
		})
	}
	_, err = Load(env(map[string]string{"HELP_CONTACT": strings.Repeat("督", MaxHelpContact)}))
	assert.NoError(t, err, "exactly the limit is accepted")
}
