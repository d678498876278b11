package outputs

import (
	"strconv"
	"unicode/utf8"

	"duban/internal/workplan"
)

// Current is what the store knows of an assignment when a sheet is
// uploaded, seen by the uploader.
type Current struct {
	AssignmentID int64
	Version      int
	TaskNumber   int
	TaskTitle    string
	UnitName     string
	// Editable reports that the uploader may file reports for it.
	Editable bool
	// Fill is what an export for this uploader would pre-fill now.
	Fill Fill
}

// RowStatus is the verdict on one uploaded row.
type RowStatus string

// The verdicts.
const (
	// RowChange files a new report when the import is confirmed.
	RowChange RowStatus = "change"
	// RowUnchanged is a row of the uploader's unit left as exported.
	RowUnchanged RowStatus = "unchanged"
	// RowIgnored is a row of another unit left as exported: ignored.
	RowIgnored RowStatus = "ignored"
	// RowError is a row that cannot be imported; see Errors.
	RowError RowStatus = "error"
)

// PreviewRow is one uploaded row with its verdict and, for a change, the
// report it files.
type PreviewRow struct {
	Row          int       `json:"row"`
	AssignmentID int64     `json:"assignment_id"`
	BaseVersion  int       `json:"base_version"`
	TaskNumber   int       `json:"task_number"`
	TaskTitle    string    `json:"task_title"`
	UnitName     string    `json:"unit_name"`
	Status       RowStatus `json:"status"`
	// Errors say why the row cannot be imported, as messages that the
	// interface renders in the reader's language (their arguments are
	// strings, so that they read back from JSON as they were written).
	Errors []workplan.Msg `json:"problems,omitempty"`
	// LegacyErrors are the errors of a preview stored before they were
	// messages, in Chinese: shown as they are until such previews expire.
	LegacyErrors []string `json:"errors,omitempty"`
	// Before is what the unit last reported; After what the row says.
	Before Fill `json:"before"`
	After  Fill `json:"after"`
	// Percent and Claims are After parsed, for a change.
	Percent int  `json:"percent"`
	Claims  bool `json:"claims"`
}

// ImportPreview is the verdict on an uploaded sheet, row by row.
type ImportPreview struct {
	Rows                                []PreviewRow `json:"rows"`
	Changes, Unchanged, Ignored, Errors int
}

// Applicable reports whether the import can be confirmed: at least one
// change and no error (an import is applied whole or not at all).
func (p ImportPreview) Applicable() bool { return p.Errors == 0 && p.Changes > 0 }

// Filed are the reports the import files when confirmed, with their rows;
// none when the preview has an error (an import is applied whole or not at
// all).
func (p ImportPreview) Filed() []workplan.ImportRow {
	if !p.Applicable() {
		return nil
	}
	var out []workplan.ImportRow
	for _, r := range p.Rows {
		if r.Status == RowChange {
			out = append(out, workplan.ImportRow{Row: r.Row, Input: r.Input()})
		}
	}
	return out
}

// Input is the report a change files.
func (r PreviewRow) Input() workplan.ReportInput {
	return workplan.ReportInput{AssignmentID: r.AssignmentID, BaseVersion: r.BaseVersion, Percent: r.Percent,
		Progress: r.After.Progress, Problems: r.After.Problems, NextSteps: r.After.NextSteps, ClaimsCompletion: r.Claims}
}

// CheckImport judges every uploaded row against the current assignments
// (by ID; an assignment missing there is not in the plan). A row is a change
// when its columns to fill differ from what an export would pre-fill now. A
// change must be to an assignment the uploader may edit, must start from
// the exported version, and must be a valid report; errors name the row and
// the column. Rows of other units left as exported are ignored.
func CheckImport(rows []UploadedRow, current map[int64]Current) ImportPreview {
	var p ImportPreview
	seen := map[int64]int{}
	for _, u := range rows {
		pr := PreviewRow{Row: u.Row, AssignmentID: u.AssignmentID, BaseVersion: u.Version, After: u.Fill.normal(), UnitName: u.UnitName}
		pr.TaskNumber, _ = strconv.Atoi(u.TaskNumber)
		fail := func(key string, args ...string) {
			a := []any{strconv.Itoa(u.Row)}
			for _, s := range args {
				a = append(a, s)
			}
			pr.Errors = append(pr.Errors, workplan.M(key, a...))
		}
		cur, ok := current[u.AssignmentID]
		switch {
		case u.KeyError != nil:
			pr.Errors = append(pr.Errors, *u.KeyError)
		case !ok:
			fail("err.import.missing", column(colKey)...)
		case seen[u.AssignmentID] != 0:
			fail("err.import.duplicate", append(column(colKey), strconv.Itoa(seen[u.AssignmentID]))...)
		default:
			seen[u.AssignmentID] = u.Row
			pr.TaskNumber, pr.TaskTitle, pr.UnitName, pr.Before = cur.TaskNumber, cur.TaskTitle, cur.UnitName, cur.Fill.normal()
			switch {
			case pr.After == pr.Before && cur.Editable:
				pr.Status = RowUnchanged
			case pr.After == pr.Before:
				pr.Status = RowIgnored
			case !cur.Editable:
				fail("err.import.not_editable", cur.UnitName)
			case u.Version != cur.Version:
				fail("err.import.version", append(column(colKey), strconv.Itoa(u.Version), strconv.Itoa(cur.Version))...)
			default:
				pr.Status = RowChange
				checkFill(&pr, fail)
			}
		}
		if len(pr.Errors) > 0 {
			pr.Status = RowError
		}
		switch pr.Status {
		case RowChange:
			p.Changes++
		case RowUnchanged:
			p.Unchanged++
		case RowIgnored:
			p.Ignored++
		case RowError:
			p.Errors++
		}
		p.Rows = append(p.Rows, pr)
	}
	return p
}

// checkFill validates the columns of a change and parses them into pr.
func checkFill(pr *PreviewRow, fail func(string, ...string)) {
	a := pr.After
	n, err := strconv.Atoi(a.Percent)
	if err != nil || n < 0 || n > 100 {
		fail("err.import.percent", append(column(colPercent), a.Percent)...)
	}
	pr.Percent = n
	switch a.Claims {
	case "是":
		pr.Claims = true
		if err == nil && n != 100 {
			fail("err.import.claim_percent", column(colPercent)...)
		}
	case "否":
	default:
		fail("err.import.claims", append(column(colClaims), a.Claims)...)
	}
	if a.Progress == "" && !pr.Claims {
		fail("err.import.progress", column(colProgress)...)
	}
	for _, c := range []struct {
		col  int
		text string
	}{{colProgress, a.Progress}, {colProblems, a.Problems}, {colNextSteps, a.NextSteps}} {
		if utf8.RuneCountInString(c.text) > workplan.MaxReportText {
			fail("err.import.too_long", append(column(c.col), strconv.Itoa(workplan.MaxReportText))...)
		}
	}
}
