package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/deadline"
	"duban/internal/postgres"
	"duban/internal/workplan"
)

// TestWriteHistoryMatchesTheApplication plays the same history twice on
// task 22: through the application (FileReport, ReviewReport,
// RequestExtension, DecideExtension) for 市公安局, and as one bulk write for
// 市人社局. Both assignments must end with the same state and the same
// events, and the bulk rows must pass CheckHistory and CheckReferences.
func TestWriteHistoryMatchesTheApplication(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	police := f.actor("市公安局", workplan.UserStaff)
	hr := f.actor("市人社局", workplan.UserStaff)
	sup := f.actor("市公管办", workplan.UserSupervisor)
	viaApp, bulk := f.assignment(22, "市公安局"), f.assignment(22, "市人社局")
	at := func(day, hour int) time.Time { return time.Date(2023, 8, day, hour, 17, 23, 123456000, sh) }
	newDue := deadline.NewDate(2023, 10, 31)

	f.clock.Set(at(10, 9))
	_, err := f.db.FileReport(ctx, police, workplan.ReportInput{AssignmentID: viaApp, Percent: 40, Progress: "流程梳理"})
	require.NoError(t, err)
	f.clock.Set(at(17, 10))
	r2, err := f.db.FileReport(ctx, police, workplan.ReportInput{AssignmentID: viaApp, BaseVersion: 1, Percent: 100, ClaimsCompletion: true, Progress: "完成"})
	require.NoError(t, err)
	f.clock.Set(at(18, 15))
	_, err = f.db.ReviewReport(ctx, sup, workplan.ReviewInput{ReportID: r2.ID, Decision: workplan.DecisionReturn, Reason: "缺少佐证材料", BaseVersion: 2})
	require.NoError(t, err)
	f.clock.Set(at(21, 9))
	req, err := f.db.RequestExtension(ctx, police, viaApp, newDue, "需协调税务系统")
	require.NoError(t, err)
	f.clock.Set(at(22, 11))
	require.NoError(t, f.db.DecideExtension(ctx, sup, req.ID, true, "同意"))
	f.clock.Set(at(29, 16))
	r3, err := f.db.FileReport(ctx, police, workplan.ReportInput{AssignmentID: viaApp, BaseVersion: 4, Percent: 100, ClaimsCompletion: true, Progress: "补充材料"})
	require.NoError(t, err)
	f.clock.Set(at(30, 10))
	_, err = f.db.ReviewReport(ctx, sup, workplan.ReviewInput{ReportID: r3.ID, Decision: workplan.DecisionAccept, BaseVersion: 5})
	require.NoError(t, err)

	reports, err := postgres.NewBulk(f.db).ReserveIDs(ctx, postgres.IDReports, 3)
	require.NoError(t, err)
	require.Len(t, reports, 3)
	assert.Greater(t, reports[0], r3.ID, "reserved IDs come after the application's")
	reviews, err := postgres.NewBulk(f.db).ReserveIDs(ctx, postgres.IDReviews, 2)
	require.NoError(t, err)
	requests, err := postgres.NewBulk(f.db).ReserveIDs(ctx, postgres.IDExtensionRequests, 1)
	require.NoError(t, err)
	decisions, err := postgres.NewBulk(f.db).ReserveIDs(ctx, postgres.IDExtensionDecisions, 1)
	require.NoError(t, err)
	report := func(i int, tm time.Time, percent int, claims bool) workplan.Report {
		return workplan.Report{ID: reports[i], AssignmentID: bulk, AuthorID: hr.UserID, AuthorName: hr.Name, SubmittedAt: tm,
			Percent: percent, Progress: "进展", ClaimsCompletion: claims}
	}
	review := func(i, rep int, tm time.Time, d workplan.Decision, reason string) postgres.BulkReview {
		return postgres.BulkReview{AssignmentID: bulk, Review: workplan.Review{ID: reviews[i], ReportID: reports[rep], ReviewerID: sup.UserID,
			ReviewerName: sup.Name, Decision: d, Reason: reason, ReviewedAt: tm}}
	}
	h := postgres.History{
		Reports:  []workplan.Report{report(0, at(10, 9), 40, false), report(1, at(17, 10), 100, true), report(2, at(29, 16), 100, true)},
		Evidence: []postgres.BulkEvidence{{ReportID: reports[1], File: workplan.EvidenceFile{Filename: "a.txt", ContentType: "text/plain", Content: []byte("佐证")}, UploadedAt: at(17, 10)}},
		Reviews:  []postgres.BulkReview{review(0, 1, at(18, 15), workplan.DecisionReturn, "缺少佐证材料"), review(1, 2, at(30, 10), workplan.DecisionAccept, "")},
		Extensions: []postgres.BulkExtension{{DecisionID: decisions[0], Request: workplan.ExtensionRequest{ID: requests[0], AssignmentID: bulk,
			RequestedBy: hr.UserID, RequesterName: hr.Name, RequestedAt: at(21, 9), RequestedDue: newDue, Reason: "需协调税务系统",
			Decision: &workplan.ExtensionDecision{DecidedBy: sup.UserID, DeciderName: sup.Name, DecidedAt: at(22, 11), Approved: true, Reason: "同意"}}}},
	}
	events := []postgres.BulkEvent{
		{Event: deadline.Event{Kind: deadline.EventReport, At: at(10, 9), Percent: 40}, ReportID: reports[0]},
		{Event: deadline.Event{Kind: deadline.EventReport, At: at(17, 10), Percent: 100, Claims: true}, ReportID: reports[1]},
		{Event: deadline.Event{Kind: deadline.EventReturn, At: at(18, 15), ReportAt: at(17, 10)}, ReviewID: reviews[0]},
		{Event: deadline.Event{Kind: deadline.EventExtension, At: at(22, 11), NewDue: newDue}, DecisionID: decisions[0]},
		{Event: deadline.Event{Kind: deadline.EventReport, At: at(29, 16), Percent: 100, Claims: true}, ReportID: reports[2]},
		{Event: deadline.Event{Kind: deadline.EventAccept, At: at(30, 10), ReportAt: at(29, 16)}, ReviewID: reviews[1]},
	}
	var folded []deadline.Event
	for i := range events {
		events[i].AssignmentID = bulk
		folded = append(folded, events[i].Event)
	}
	h.Events = events
	h.States = []postgres.BulkState{{UpdatedAt: at(30, 10), AssignmentState: workplan.AssignmentState{
		AssignmentID: bulk, Version: len(events), LastReportID: reports[2], Facts: deadline.Fold(deadline.Facts{}, folded)}}}
	require.NoError(t, postgres.NewBulk(f.db).WriteHistory(ctx, h, postgres.WriteOptions{}))

	want, err := f.db.AssignmentState(ctx, viaApp)
	require.NoError(t, err)
	got, err := f.db.AssignmentState(ctx, bulk)
	require.NoError(t, err)
	assert.Equal(t, want.Version, got.Version)
	assert.Equal(t, want.Facts, got.Facts)
	assert.Equal(t, reports[2], got.LastReportID)
	wantEvents, err := f.db.AssignmentEvents(ctx, viaApp)
	require.NoError(t, err)
	gotEvents, err := f.db.AssignmentEvents(ctx, bulk)
	require.NoError(t, err)
	assert.Equal(t, wantEvents, gotEvents)

	problems, err := postgres.NewBulk(f.db).CheckHistory(ctx)
	require.NoError(t, err)
	assert.Empty(t, problems)
	dangling, err := postgres.NewBulk(f.db).CheckReferences(ctx)
	require.NoError(t, err)
	assert.Empty(t, dangling)

	// An assignment with history is never given generated history.
	before := count(t, f.db, `SELECT count(*) FROM reports`)
	more, err := postgres.NewBulk(f.db).ReserveIDs(ctx, postgres.IDReports, 1)
	require.NoError(t, err)
	err = postgres.NewBulk(f.db).WriteHistory(ctx, postgres.History{
		Reports: []workplan.Report{{ID: more[0], AssignmentID: viaApp, AuthorID: police.UserID, SubmittedAt: at(31, 9), Percent: 10, Progress: "x"}},
		Events:  []postgres.BulkEvent{{AssignmentID: viaApp, Event: deadline.Event{Kind: deadline.EventReport, At: at(31, 9), Percent: 10}, ReportID: more[0]}},
		States:  []postgres.BulkState{{UpdatedAt: at(31, 9), AssignmentState: workplan.AssignmentState{AssignmentID: viaApp, Version: 1, LastReportID: more[0]}}},
	}, postgres.WriteOptions{})
	assert.ErrorContains(t, err, "already have history")
	assert.Equal(t, before, count(t, f.db, `SELECT count(*) FROM reports`), "nothing written")
}

// TestChecksFindInconsistentHistory writes a history that is wrong in two
// ways, with the reference checks skipped, and expects CheckReferences and
// CheckHistory to say so.
func TestChecksFindInconsistentHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	ok, err := postgres.NewBulk(f.db).CanSkipReferenceChecks(ctx)
	require.NoError(t, err)
	if !ok {
		t.Skip("the test database's role is not a superuser: reference checks cannot be skipped")
	}
	asg := f.assignment(22, "市税务局")
	ids, err := postgres.NewBulk(f.db).ReserveIDs(ctx, postgres.IDReports, 1)
	require.NoError(t, err)
	tm := time.Date(2023, 8, 9, 10, 0, 0, 0, sh)
	err = postgres.NewBulk(f.db).WriteHistory(ctx, postgres.History{
		Reports: []workplan.Report{{ID: ids[0], AssignmentID: asg, AuthorID: 987654321, SubmittedAt: tm, Percent: 30, Progress: "x"}},
		Events:  []postgres.BulkEvent{{AssignmentID: asg, Event: deadline.Event{Kind: deadline.EventReport, At: tm, Percent: 30}, ReportID: ids[0]}},
		States:  []postgres.BulkState{{UpdatedAt: tm, AssignmentState: workplan.AssignmentState{AssignmentID: asg, Version: 2, LastReportID: ids[0]}}},
	}, postgres.WriteOptions{SkipReferenceChecks: true})
	require.NoError(t, err)
	dangling, err := postgres.NewBulk(f.db).CheckReferences(ctx)
	require.NoError(t, err)
	require.Len(t, dangling, 1)
	assert.Contains(t, dangling[0], "reports.author_id point to no users")
	problems, err := postgres.NewBulk(f.db).CheckHistory(ctx)
	require.NoError(t, err)
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], "states whose version")
}

func TestReserveIDsRefusesOtherTables(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := postgres.NewBulk(f.db).ReserveIDs(context.Background(), postgres.IDTable("audit_log; DROP TABLE x"), 1)
	assert.Error(t, err)
	ids, err := postgres.NewBulk(f.db).ReserveIDs(context.Background(), postgres.IDUsers, 0)
	assert.NoError(t, err)
	assert.Empty(t, ids)
}
