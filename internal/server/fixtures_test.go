package server_test

import (
	"strings"
	"time"

	"github.com/stretchr/testify/require"

	"duban/internal/deadline"
	"duban/internal/notify"
	"duban/internal/workplan"
)

// fixturePlan is a small plan in which the owning unit (市大数据中心) leads
// task 1, where the other unit (崆峒区人民政府) is responsible, and is alone on
// task 2 beside an unmapped designation (市直有关部门). Deadlines fall after the
// world's clock (2024-03-01).
const fixturePlan = `平凉市测试工作方案

  二、主要任务

  (一)测试板块

  1.测试分组

  (1)建设测试平台。完成测试平台建设,上线事项100项以上。

  牵头单位:市大数据中心

  责任单位:崆峒区人民政府

  完成时限:2024年12月底前

  (2)编制测试方案。形成测试方案。

  责任单位:市大数据中心、市直有关部门

  完成时限:2024年12月底前
`

// planFixtures are the world's plan resources.
type planFixtures struct {
	slug string
	// ownAsg is the owning unit's assignment on task 2 (no other unit there).
	ownAsg workplan.Assignment
	// otherAsg is the other unit's assignment on task 1, led by the owning unit.
	otherAsg workplan.Assignment
	// claim is a report of the other unit on task 1 claiming completion,
	// awaiting the lead unit's review.
	claim workplan.Report
	// evidence is an evidence file of a report on ownAsg.
	evidence int64
	// extension is a pending extension request on otherAsg.
	extension workplan.ExtensionRequest
	// upload is the token of the administrator's pending plan upload, made
	// on first use (adminUpload).
	upload string
	// order is a 督办单 on ownAsg, issued by the supervisor; notice the
	// notification it gave staffOwn.
	order  notify.Order
	notice int64
}

// version returns the current version of an assignment.
func (w *world) version(asg int64) int {
	w.t.Helper()
	st, err := w.db.AssignmentState(bg, asg)
	require.NoError(w.t, err)
	return st.Version
}

// assignmentOf returns the assignment of unit on task number of the fixture plan.
func (w *world) assignmentOf(number int, unit int64) workplan.Assignment {
	w.t.Helper()
	var id int64
	require.NoError(w.t, w.db.Pool.QueryRow(bg, `
		SELECT a.id FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN plans p ON p.id = t.plan_id
		WHERE p.slug = $1 AND t.number = $2 AND a.unit_id = $3`, w.plan.slug, number, unit).Scan(&id))
	a, err := w.db.AssignmentByID(bg, id)
	require.NoError(w.t, err)
	return a
}

// addPlan seeds the fixture plan and files the fixture reports.
func (w *world) addPlan() {
	w.t.Helper()
	w.plan.slug = "fixture"
	sys := workplan.System("fixtures")
	_, err := w.db.Seed(bg, workplan.SeedInput{Slug: w.plan.slug, SourceName: "fixture.txt", Source: []byte(fixturePlan), Document: mustRead([]byte(fixturePlan)), Actor: sys})
	require.NoError(w.t, err)
	w.plan.ownAsg = w.assignmentOf(2, w.ownUnit.ID)
	w.plan.otherAsg = w.assignmentOf(1, w.otherUnt.ID)
	own := workplan.ActorOf(w.users[staffOwn], "fixture", "192.0.2.1")
	other := workplan.ActorOf(w.users[staffOther], "fixture", "192.0.2.1")
	rep, err := w.db.FileReport(bg, own, workplan.ReportInput{AssignmentID: w.plan.ownAsg.ID, Percent: 30, Progress: "已起草方案",
		Evidence: []workplan.EvidenceFile{{Filename: "方案.txt", ContentType: "text/plain; charset=utf-8", Content: []byte(strings.Repeat("方案", 100))}}})
	require.NoError(w.t, err)
	w.plan.evidence = rep.Evidence[0].ID
	w.plan.claim, err = w.db.FileReport(bg, other, workplan.ReportInput{AssignmentID: w.plan.otherAsg.ID, Percent: 100,
		ClaimsCompletion: true, Progress: "平台已上线"})
	require.NoError(w.t, err)
	w.plan.extension, err = w.db.RequestExtension(bg, other, w.plan.otherAsg.ID, deadline.NewDate(2025, 3, 31), "需要联调")
	require.NoError(w.t, err)
	w.plan.order, err = w.db.IssueOrder(bg, workplan.ActorOf(w.users[supervisor], "fixture", "192.0.2.1"),
		notify.OrderInput{AssignmentID: w.plan.ownAsg.ID, Level: 1, Reason: "请加快进度", ReplyBy: deadline.NewDate(2024, 3, 15)}, "平凉市人民政府督查室")
	require.NoError(w.t, err)
	require.NoError(w.t, w.db.Pool.QueryRow(bg, `SELECT max(id) FROM notifications WHERE user_id = $1`, w.users[staffOwn].ID).Scan(&w.plan.notice))
}

// adminUpload stores a revision of the fixture plan uploaded by the world's
// administrator, awaiting confirmation, and returns its token.
func (w *world) adminUpload() string {
	w.t.Helper()
	if w.plan.upload != "" {
		return w.plan.upload
	}
	token := "fixture-upload-token"
	w.plan.upload = token
	revised := strings.Replace(fixturePlan, "形成测试方案。", "形成并印发测试方案。", 1)
	require.NoError(w.t, w.db.SaveSeedUpload(bg, workplan.SeedUpload{Token: token, UserID: w.users[admin].ID, Slug: w.plan.slug,
		SourceName: "revised.txt", Source: []byte(revised), ExpiresAt: w.clock.Now().Add(time.Hour)}))
	return token
}
