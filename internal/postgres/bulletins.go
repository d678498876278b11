package postgres

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/workplan"
)

// NextBulletinNumber returns the number the next issue of the plan's
// bulletin would get.
func (db *DB) NextBulletinNumber(ctx context.Context, planID int64) (int, error) {
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT coalesce(max(number), 0) + 1 FROM bulletins WHERE plan_id = $1`, planID).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: next bulletin number of plan %d: %w", planID, mapErr(err, "query"))
	}
	return n, nil
}

// PublishBulletin publishes the next issue of the plan's bulletin: under a
// lock on the plan, it takes the next number and the ID, calls
// render with them and the publication time (so that the stored page can
// link to itself), and stores what render returns, with its hash,
// together with the audit entry. Only supervisors publish. Stored issues
// are never changed (the table refuses updates and deletes).
func (db *DB) PublishBulletin(ctx context.Context, actor workplan.Actor, planID int64,
	render func(id int64, number int, at time.Time) (workplan.BulletinFiles, error)) (workplan.Bulletin, error) {
	if !actor.CanPublishBulletin() {
		return workplan.Bulletin{}, fmt.Errorf("postgres: publish bulletin: %w", workplan.E(workplan.EForbidden, "err.bulletin.forbidden"))
	}
	var b workplan.Bulletin
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		// The plan row lock serialises publications of one plan, so numbers
		// are taken in order and never twice.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM plans WHERE id = $1 FOR NO KEY UPDATE`, planID); err != nil {
			return mapErr(err, "lock plan")
		}
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(number), 0) + 1 FROM bulletins WHERE plan_id = $1`, planID).Scan(&b.Number); err != nil {
			return mapErr(err, "next number")
		}
		if err := tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('bulletins', 'id'))`).Scan(&b.ID); err != nil {
			return mapErr(err, "next id")
		}
		now := db.now()
		files, err := render(b.ID, b.Number, now)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(files.HTML)
		var by *int64
		if actor.UserID != 0 {
			by = &actor.UserID
		}
		b.PlanID, b.Title, b.PeriodStart, b.PeriodEnd, b.PublishedAt, b.PublisherName, b.SHA256 =
			planID, files.Title, files.Start, files.End, now, actor.Name, sum[:]
		_, err = tx.Exec(ctx, `
			INSERT INTO bulletins (id, plan_id, number, title, period_start, period_end, published_at, published_by, publisher_name, html, docx, sha256, data)
			OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			b.ID, planID, b.Number, files.Title, dateArg(files.Start), dateArg(files.End), now, by, actor.Name, files.HTML, files.DOCX, sum[:], files.Data)
		if err != nil {
			return mapErr(err, "insert bulletin")
		}
		return audit(ctx, tx, actor, "bulletin.publish", "bulletin", b.ID, nil, map[string]any{
			"plan_id": planID, "number": b.Number, "title": files.Title, "period_start": files.Start.String(), "period_end": files.End.String(),
			"sha256": fmt.Sprintf("%x", sum), "html_bytes": len(files.HTML), "docx_bytes": len(files.DOCX)})
	})
	if err != nil {
		return workplan.Bulletin{}, fmt.Errorf("postgres: publish bulletin of plan %d: %w", planID, err)
	}
	return b, nil
}

const bulletinColumns = `b.id, b.plan_id, b.number, b.title, b.period_start, b.period_end, b.published_at, b.publisher_name, b.sha256`

func scanBulletin(row pgx.Row, extra ...any) (workplan.Bulletin, error) {
	var b workplan.Bulletin
	var start, end time.Time
	err := row.Scan(append([]any{&b.ID, &b.PlanID, &b.Number, &b.Title, &start, &end, &b.PublishedAt, &b.PublisherName, &b.SHA256}, extra...)...)
	b.PeriodStart, b.PeriodEnd = dateOf(&start), dateOf(&end)
	return b, err
}

// Bulletins lists the published issues of a plan, newest first.
func (db *DB) Bulletins(ctx context.Context, planID int64) ([]workplan.Bulletin, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+bulletinColumns+` FROM bulletins b WHERE b.plan_id = $1 ORDER BY b.number DESC`, planID)
	if err != nil {
		return nil, fmt.Errorf("postgres: bulletins of plan %d: %w", planID, mapErr(err, "query"))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.Bulletin, error) { return scanBulletin(row) })
	if err != nil {
		return nil, fmt.Errorf("postgres: bulletins of plan %d: %w", planID, mapErr(err, "scan"))
	}
	return out, nil
}

// BulletinFile returns a published issue with one of its stored files,
// exactly as published: "html" or "docx".
func (db *DB) BulletinFile(ctx context.Context, id int64, kind string) (workplan.Bulletin, []byte, error) {
	col := "b.html"
	if kind == "docx" {
		col = "b.docx"
	}
	var content []byte
	b, err := scanBulletin(db.Pool.QueryRow(ctx, `SELECT `+bulletinColumns+`, `+col+` FROM bulletins b WHERE b.id = $1`, id), &content)
	if err != nil {
		return b, nil, fmt.Errorf("postgres: bulletin %d: %w", id, mapErr(err, "query"))
	}
	return b, content, nil
}
