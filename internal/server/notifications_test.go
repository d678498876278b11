package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/deliver"
	"duban/internal/notify"
	"duban/internal/server"
)

// TestOrdersAndTheLadderInThePages: a supervisor issues a 督办单 of level 3
// on an overdue assignment; the unit's staff are notified and answer it on
// the assignment page; the issuer is notified; it prints with its number;
// the dashboard lists the assignment as 需约谈.
func TestOrdersAndTheLadderInThePages(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	asg := id(w.plan.ownAsg.ID)
	w.clock.Advance(320 * 24 * time.Hour) // 2025-01-15: task 2 (due 2024-12-31) is overdue
	for p := staffOwn; p < nPrincipals; p++ {
		w.tokens[p], w.sessions[p] = w.startSession(w.users[p].ID)
	}
	res := w.do(supervisor, "POST", "/assignments/"+asg+"/orders", url.Values{"reason": {"超期未完成,请说明原因"}, "reply_by": {"2025-01-22"}, "level": {"3"}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
	orderID := strings.TrimPrefix(res.Header().Get("Location"), "/assignments/"+asg+"#order-")

	page := w.do(staffOwn, "GET", "/assignments/"+asg, nil).Body.String()
	assert.Contains(t, page, "督办〔2025〕1号", "numbered by the year it was issued")
	assert.Contains(t, page, `data-testid="order-answer-form"`, "the unit answers on the assignment page")
	assert.Contains(t, page, `data-testid="late-extension"`, "an overdue unit may still ask for an extension (逾期申请)")
	notes := w.do(staffOwn, "GET", "/notifications", nil).Body.String()
	assert.Contains(t, notes, "督办单 督办〔2025〕1号")

	res = w.do(staffOwn, "POST", "/orders/"+orderID+"/answer", url.Values{"answer": {"已组织专班,1月底前完成"}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
	assert.Equal(t, http.StatusUnprocessableEntity, w.do(staffOwn, "POST", "/orders/"+orderID+"/answer", url.Values{"answer": {"再答"}}).Code, "answered once")
	assert.Contains(t, w.do(supervisor, "GET", "/notifications", nil).Body.String(), "已组织专班", "the issuer reads the answer")
	print := w.do(leader, "GET", "/orders/"+orderID, nil).Body.String()
	for _, want := range []string{"督办〔2025〕1号", "平凉市人民政府督查室", "2025年1月15日", "市大数据中心", "超期未完成,请说明原因", "已组织专班"} {
		assert.Contains(t, print, want)
	}
	assert.Equal(t, 1, w.auditCount("order.issue")-1, "issued, audited (beside the fixture's)")
	assert.Equal(t, 1, w.auditCount("order.answer"))

	dash := w.do(leader, "GET", "/plans/"+w.plan.slug+"/dashboard", nil).Body.String()
	assert.Contains(t, dash, `data-testid="interviews"`)
	assert.Contains(t, dash, "需约谈(1)")
}

// TestReviewPageAndCounts: the review page lists extension requests beside
// completion claims with counts in the navigation; reports are shown whole;
// a decided extension confirms.
func TestReviewPageAndCounts(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	page := w.do(supervisor, "GET", "/review", nil).Body.String()
	assert.Contains(t, page, `data-testid="nav-count-review">2<`, "one claim and one extension request")
	assert.Contains(t, page, "完成申报(1)")
	assert.Contains(t, page, "延期申请(1)")
	assert.Contains(t, page, "平台已上线", "the report's 进展 inline")
	assert.Contains(t, page, "延期申请审批", "the decision form says what it decides")
	res := w.do(supervisor, "POST", "/extensions/"+id(w.plan.extension.ID)+"/decide", url.Values{"decision": {"approve"}})
	require.Equal(t, http.StatusSeeOther, res.Code)
	assert.Contains(t, res.Header().Get("Location"), "decided=approve", "back where it was decided")
	assert.Contains(t, w.do(supervisor, "GET", "/review?decided=approve", nil).Body.String(), "已批准延期申请", "which confirms it")
	lead := w.do(staffOwn, "GET", "/review", nil).Body.String()
	assert.Contains(t, lead, `data-testid="nav-count-review">1<`, "the lead unit's claim; extensions are the supervisors'")
	assert.NotContains(t, lead, "延期申请(")
	// The unit that asked sees it in its notifications.
	assert.Contains(t, w.do(staffOther, "GET", "/notifications", nil).Body.String(), "延期申请已批准")
}

// TestSettingsAndRobotTest: one's own email and muted kinds; an
// administrator's unit head flag; a unit's robot and its test message,
// sent at once, in the delivery log; the calendar changed by hand.
func TestSettingsAndRobotTest(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []map[string]any
	sinkSrv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var b map[string]any
		_ = json.NewDecoder(r.Body).Decode(&b)
		mu.Lock()
		got = append(got, b)
		mu.Unlock()
		_, _ = io.WriteString(rw, `{"code":0,"msg":"success"}`)
	}))
	t.Cleanup(sinkSrv.Close)
	ls := &lazySender{}
	w := newWorld(t, server.WithRobotSender(ls))
	ls.s = &deliver.Sender{DB: w.db}

	res := w.do(staffOwn, "POST", "/account/notifications", url.Values{"email": {"not an address"}})
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Contains(t, res.Body.String(), "邮箱地址无效")
	res = w.do(staffOwn, "POST", "/account/notifications", url.Values{"email": {"own@example.gov.cn"}, "on": {"reminder", "escalation"}})
	require.Equal(t, http.StatusSeeOther, res.Code)
	st, err := w.db.NotifySettings(bg, w.users[staffOwn].ID)
	require.NoError(t, err)
	assert.Equal(t, "own@example.gov.cn", st.Email)
	assert.True(t, st.Mutes(notify.Comment))
	assert.False(t, st.Mutes(notify.Reminder))
	assert.False(t, st.Mutes(notify.Escalation), "escalations cannot be turned off")

	res = w.do(admin, "POST", "/admin/users/"+id(w.target.ID)+"/notifications", url.Values{"email": {"head@example.gov.cn"}, "unit_head": {"1"}})
	require.Equal(t, http.StatusSeeOther, res.Code)
	st, err = w.db.NotifySettings(bg, w.target.ID)
	require.NoError(t, err)
	assert.True(t, st.UnitHead)

	base := "/admin/units/" + id(w.ownUnit.ID) + "/channels"
	res = w.do(admin, "POST", base, url.Values{"robot": {"feishu"}, "url": {sinkSrv.URL + "/open-apis/bot/v2/hook/x"}, "secret": {"s"}, "leader": {id(w.users[leader].ID)}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
	res = w.do(admin, "POST", base+"/test", nil)
	require.Equal(t, http.StatusSeeOther, res.Code)
	assert.Contains(t, res.Header().Get("Location"), "test=ok")
	mu.Lock()
	require.Len(t, got, 1)
	assert.NotEmpty(t, got[0]["sign"], "Feishu's signed request")
	assert.Contains(t, got[0]["content"].(map[string]any)["text"], "测试消息")
	mu.Unlock()
	log := w.do(admin, "GET", "/admin/deliveries", nil).Body.String()
	assert.Contains(t, log, "督办系统测试消息")
	assert.Contains(t, log, "已发送")

	res = w.do(admin, "POST", "/admin/calendar", url.Values{"day": {"2024-03-04"}, "working": {"0"}, "note": {"停电"}})
	require.Equal(t, http.StatusSeeOther, res.Code)
	cal := w.do(admin, "GET", "/admin/calendar?year=2024", nil).Body.String()
	assert.Contains(t, cal, `title="停电" data-date="2024-03-04"`)
	assert.Contains(t, cal, "国办发明电〔2023〕7号", "the year's source")
	changes, err := w.db.CalendarChanges(bg)
	require.NoError(t, err)
	assert.Len(t, changes, 1)
}

// lazySender is the world's sender, set once the world's store exists.
type lazySender struct{ s *deliver.Sender }

func (l *lazySender) SendNow(ctx context.Context, id int64) error { return l.s.SendNow(ctx, id) }
