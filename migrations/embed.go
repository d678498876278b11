// Package migrations holds duban's SQL migrations, embedded in the binary.
// Each NNNNNN_name.up.sql has a matching .down.sql; each file runs in one
// transaction (explicit BEGIN/COMMIT) so a failed migration leaves nothing behind.
package migrations

import (
	"embed"
	"strconv"
	"strings"
)

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS

// Latest is the number of the newest migration embedded: the schema version
// this binary expects.
func Latest() uint {
	entries, err := FS.ReadDir(".")
	if err != nil {
		panic("migrations: read embedded files: " + err.Error())
	}
	var latest uint
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".up.sql") {
			continue
		}
		n, err := strconv.ParseUint(strings.SplitN(name, "_", 2)[0], 10, 32)
		if err != nil {
			panic("migrations: badly named file " + name)
		}
		latest = max(latest, uint(n))
	}
	return latest
}
