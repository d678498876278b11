package server_test

import "github.com/stretchr/testify/require"

// indicator returns the ID of the fixture plan's indicator: task 1's
// 上线事项100项以上 (≥ 100 项).
func (w *world) indicator() int64 {
	w.t.Helper()
	var id int64
	require.NoError(w.t, w.db.Pool.QueryRow(bg, `
		SELECT i.id FROM indicators i JOIN tasks t ON t.id = i.task_id JOIN plans p ON p.id = t.plan_id
		WHERE p.slug = $1 AND t.number = 1 AND i.archived_at IS NULL ORDER BY i.position LIMIT 1`, w.plan.slug).Scan(&id))
	return id
}
