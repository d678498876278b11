package config

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestREADMEDocumentsEveryVariable keeps the README's configuration table in
// step with what Load reads.
func TestREADMEDocumentsEveryVariable(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, v := range Vars {
		assert.Contains(t, string(b), "| `"+v.Name+"` | ", "README.md documents %s", v.Name)
	}
}
