package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"duban/internal/workplan"
)

// TaskComments returns the comments on a task, oldest first.
func (db *DB) TaskComments(ctx context.Context, taskID int64) ([]workplan.Comment, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT id, task_id, coalesce(author_id, 0), author_name, created_at, text
		FROM task_comments WHERE task_id = $1 ORDER BY created_at, id`, taskID)
	if err != nil {
		return nil, fmt.Errorf("postgres: comments of task %d: %w", taskID, mapErr(err, "query"))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.Comment, error) {
		var c workplan.Comment
		err := row.Scan(&c.ID, &c.TaskID, &c.AuthorID, &c.AuthorName, &c.CreatedAt, &c.Text)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: comments of task %d: %w", taskID, mapErr(err, "scan"))
	}
	return out, nil
}

// AddComment records a leader's or supervisor's comment on a task.
func (db *DB) AddComment(ctx context.Context, actor workplan.Actor, taskID int64, text string) error {
	text = strings.TrimSpace(text)
	switch {
	case !actor.CanComment():
		return workplan.E(workplan.EForbidden, "err.comment.forbidden")
	case text == "":
		return workplan.E(workplan.EInvalid, "err.comment.required")
	case len([]rune(text)) > workplan.MaxCommentText:
		return workplan.E(workplan.EInvalid, "err.comment.long", workplan.MaxCommentText)
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO task_comments (task_id, author_id, author_name, created_at, text) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			taskID, nullID(actor.UserID), actor.Name, db.now(), text).Scan(&id)
		if err != nil {
			return mapErr(err, "insert comment")
		}
		if err := audit(ctx, tx, actor, "task.comment", "task", taskID, nil, map[string]any{"comment_id": id, "text": text}); err != nil {
			return err
		}
		if err := noticeComment(ctx, tx, db.now(), taskID, actor, text); err != nil {
			return err
		}
		// The task's page shows its comments: its plan changed.
		var planID int64
		if err := tx.QueryRow(ctx, `SELECT plan_id FROM tasks WHERE id = $1`, taskID).Scan(&planID); err != nil {
			return mapErr(err, "plan of task %d", taskID)
		}
		return notify(ctx, tx, progressPayload(ctx, planID))
	})
	if err != nil {
		return fmt.Errorf("postgres: comment on task %d: %w", taskID, err)
	}
	return nil
}
