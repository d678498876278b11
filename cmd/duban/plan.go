package main

import (
	"bytes"
	"context"
	"duban/internal/cli"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"duban/internal/pdftext"
	"duban/internal/planparse"
	"duban/internal/workplan"
	"duban/seeds"
	"duban/web"
)

func cmdPlan(ctx context.Context, e cli.Env, args []string) error {
	fs := cli.NewFlags(e, "plan", `plan parse FILE

Parses a plan document (.docx, PDF with a text layer, or text in UTF-8, GBK
or UTF-16; - reads standard input) and prints it as JSON: title, issued_by, issued_on, tasks (number, section, group, title, body,
lead_units, responsible_units, cooperating_units, deadline, indicators) and
warnings with line numbers. Exits 0 when the document parses, even with warnings.`)
	if action, err := cli.Action(fs, args, "parse"); action == "" {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("plan parse: give exactly one FILE")
	}
	doc, err := parseFile(ctx, e, fs.Arg(0))
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// readDocument reads a plan file (or standard input for "-"), refusing files
// over planparse.MaxSize before reading them whole. A PDF is replaced by its
// text (pdftotext), which is what the parser reads and what a seed keeps.
func readDocument(ctx context.Context, e cli.Env, name string) ([]byte, error) {
	var r io.Reader = e.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.Size() > planparse.MaxSize {
			return nil, fmt.Errorf("%s: %d bytes is over the limit of %d MB", name, fi.Size(), planparse.MaxSize>>20)
		}
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, planparse.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(b) > planparse.MaxSize {
		return nil, fmt.Errorf("%s: over the limit of %d MB", name, planparse.MaxSize>>20)
	}
	if pdftext.IsPDF(b) {
		if b, err = pdftext.Extract(ctx, b); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return b, nil
}

func parseFile(ctx context.Context, e cli.Env, name string) (*planparse.Document, error) {
	b, err := readDocument(ctx, e, name)
	if err != nil {
		return nil, err
	}
	doc, err := planparse.Parse(strings.NewReader(string(b)), name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return doc, nil
}

func cmdSeed(ctx context.Context, e cli.Env, args []string) error {
	fs := cli.NewFlags(e, "seed", `seed [--dry-run] [--plan SLUG] [FILE]

Loads a plan document into the database (DATABASE_URL), or with --dry-run shows
what it would change and changes nothing. Tasks are matched by number: the
preview lists tasks added, changed (field by field), archived and unchanged, and
unit names not in the registry. The same document twice changes nothing. Without
FILE, the bundled plan (seeds/`+seeds.DefaultPlan+`) is used. The unit registry
(seeds/units.json) is synchronised first unless --no-registry is given.`)
	dry := fs.Bool("dry-run", false, "show the changes without applying them")
	slug := fs.String("plan", "", "plan key (default: plan-YEAR from the document)")
	noReg := fs.Bool("no-registry", false, "do not synchronise the bundled unit registry")
	if err := cli.ParseFlags(fs, args); err != nil {
		return cli.HelpOK(err)
	}
	if fs.NArg() > 1 {
		return fmt.Errorf("seed: give at most one FILE")
	}
	name := seeds.DefaultPlan
	var src []byte
	var err error
	if fs.NArg() == 1 {
		name = fs.Arg(0)
		if src, err = readDocument(ctx, e, name); err != nil {
			return err
		}
	} else if src, err = seeds.FS.ReadFile(seeds.DefaultPlan); err != nil {
		return err
	}
	db, err := cli.OpenDB(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	actor := workplan.System("duban seed")
	if !*noReg && !*dry {
		if err := cli.SyncRegistry(ctx, db, actor, e.Stdout); err != nil {
			return err
		}
	}
	doc, err := planparse.Read(bytes.NewReader(src), name)
	if err != nil {
		return fmt.Errorf("seed: %s: %w", name, err)
	}
	diff, err := db.Seed(ctx, workplan.SeedInput{Slug: *slug, SourceName: name, Source: src, Document: doc, DryRun: *dry, Actor: actor})
	if err != nil {
		if ctx.Err() != nil {
			// Interrupted (SIGTERM, Ctrl-C): the cut connection may look like
			// an unavailable database, but the seed is one transaction.
			return fmt.Errorf("seed: interrupted (%w): the plan is whole, as it was or, if the signal came as it committed, as in the document; `duban seed --dry-run` shows which", ctx.Err())
		}
		var we *workplan.Error
		if errors.As(err, &we) {
			return fmt.Errorf("seed: %s", web.Message(web.LangZH, we.Key, we.Args...))
		}
		return err
	}
	printDiff(e.Stdout, diff, *dry)
	return nil
}

// printDiff writes a seed preview or result for a terminal.
func printDiff(w io.Writer, d workplan.SeedDiff, dry bool) {
	verb := "applied"
	if dry {
		verb = "preview (nothing changed)"
	}
	fmt.Fprintf(w, "plan %s: %s, sha256 %s\n", d.PlanSlug, verb, d.SHA256[:16])
	if d.NewPlan {
		fmt.Fprintln(w, "  new plan")
	}
	for _, f := range d.Metadata {
		fmt.Fprintf(w, "  %s: %q -> %q\n", f.Field, f.Before, f.After)
	}
	list := func(label string, tcs []workplan.TaskChange) {
		if len(tcs) == 0 {
			return
		}
		fmt.Fprintf(w, "%s (%d):\n", label, len(tcs))
		for _, t := range tcs {
			fmt.Fprintf(w, "  (%d) %s\n", t.Number, t.Title)
			for _, f := range t.Fields {
				fmt.Fprintf(w, "      %s: %s\n        -> %s\n", f.Field, short(f.Before), short(f.After))
			}
		}
	}
	list("added", d.Added)
	list("changed", d.Changed)
	list("restored", d.Restored)
	list("archived (reports kept)", d.Archived)
	fmt.Fprintf(w, "unchanged: %d tasks\n", len(d.Unchanged))
	if len(d.UnknownUnits) > 0 {
		fmt.Fprintf(w, "units not in the registry (created unconfirmed, to be confirmed or mapped): %s\n", strings.Join(d.UnknownUnits, "、"))
	}
	for _, wn := range d.Warnings {
		fmt.Fprintf(w, "warning: line %d: %s\n", wn.Line, wn.Message)
	}
	switch {
	case d.Changes() == 0 && !d.NewPlan:
		fmt.Fprintln(w, "0 changes: the plan is already up to date")
	case dry:
		fmt.Fprintf(w, "%d changes would be applied as version %d\n", d.Changes(), d.Version)
	default:
		fmt.Fprintf(w, "%d changes applied: version %d\n", d.Changes(), d.Version)
	}
}

func short(s string) string {
	r := []rune(s)
	if len(r) > 120 {
		return string(r[:120]) + "…"
	}
	return s
}
