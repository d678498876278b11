// Package gen invents realistic synthetic data for benchmarks and load tests
// (`duban-dev gen --scale N`): the bundled Pingliang plan and, for N > 1, N-1
// invented cities that issued the same plan, each with its own units, staff
// accounts and a year of weekly progress reports, reviews, extension requests
// and evidence files.
//
// The package decides what to write; internal/postgres writes it (bulk.go).
// Plans and units go through the application's own path (SyncRegistry and
// Seed); history is generated in Go and its consistency rests on one rule:
// every assignment's maintained state is the fold (deadline.Facts.Apply) of
// the very events written for it. Generation is deterministic for a seed:
// the same seed gives the same plans, people, texts and times (row IDs may
// differ, as several workers draw them from the database's sequences).
package gen

import (
	"hash/fnv"
	"math/rand/v2"
	"strconv"
)

// Params are the choices of a run that the generated data depends on.
type Params struct {
	// Seed makes a run reproducible.
	Seed uint64
	// Weeks is the length of the generated history, from the plan's issue date.
	Weeks int
}

// rngFor returns a random source determined by the seed and keys, so that
// each city, unit and assignment gets its own stream whatever the order in
// which they are generated.
func rngFor(seed uint64, keys ...any) *rand.Rand {
	h := fnv.New64a()
	for _, k := range keys {
		switch v := k.(type) {
		case string:
			h.Write([]byte(v))
		case int:
			h.Write([]byte(strconv.Itoa(v)))
		case int64:
			h.Write([]byte(strconv.FormatInt(v, 10)))
		default:
			panic("gen: rngFor: unsupported key type")
		}
		h.Write([]byte{0})
	}
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// between returns a uniform integer in [lo, hi].
func between(r *rand.Rand, lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// uniform returns a uniform float in [lo, hi).
func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }

// pick returns a random element of s.
func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }
