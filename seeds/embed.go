// Package seeds holds the documents duban is seeded with, embedded in the
// binary: the Pingliang 2023 plan (the default seed and a test fixture) and
// the unit registry (units.json).
package seeds

import "embed"

// FS holds the seed files.
//
//go:embed *.txt *.json
var FS embed.FS

// DefaultPlan is the file name of the plan seeded into an empty database.
const DefaultPlan = "pingliang-2023.txt"

// Holidays is the file name of the working-day calendar: China's official
// holidays and make-up working days (调休), year by year.
const Holidays = "holidays.json"

// Registry is the file name of the unit registry.
const Registry = "units.json"
