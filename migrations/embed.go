// Package migrations holds duban's SQL migrations, embedded in the binary.
// Each NNNNNN_name.up.sql has a matching .down.sql; each file runs in one
// transaction (explicit BEGIN/COMMIT) so a failed migration leaves nothing behind.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
