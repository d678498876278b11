package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"duban/internal/config"
	"duban/internal/status"
	"duban/internal/workplan"
	"duban/web"
)

// help shows the help page: what each role does each week, what the lights
// and categories mean with the thresholds of this deployment (read from the
// configuration, so the page says what the code does), how reviews,
// extensions, designations and reminders work, and whom to ask. Anyone may
// read it, signed in or not: someone who cannot sign in needs the contact
// most, and nothing on it is confidential.
func (s *Server) help(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	m := s.helpModel(ctx)
	s.render(w, r, http.StatusOK, web.T(ctx, "help.title"), "help", web.Help(m))
	return nil
}

// helpContact is whom people ask for help: HELP_CONTACT, or the
// supervision office in the interface's language.
func (s *Server) helpContact(ctx context.Context) string {
	if s.cfg.HelpContact != "" {
		return s.cfg.HelpContact
	}
	return web.T(ctx, "help.contact.default")
}

func (s *Server) helpModel(ctx context.Context) web.HelpPage {
	c := s.cfg
	m := web.HelpPage{Contact: s.helpContact(ctx)}
	u, signedIn := userOf(ctx)
	m.SignedIn = signedIn
	current := ""
	if signedIn {
		current = string(u.Role)
		m.YourRole = web.T(ctx, "help.you", web.T(ctx, "acct.role."+string(u.Role)))
	}
	steps := func(prefix string, n int, args map[int][]any) []string {
		out := make([]string, 0, n)
		for i := 1; i <= n; i++ {
			out = append(out, web.T(ctx, prefix+strconv.Itoa(i), args[i]...))
		}
		return out
	}
	// The pages are named as the navigation names them.
	nav := func(key string) string { return web.T(ctx, "nav."+key) }
	// Staff of a lead unit are staff: both sections are theirs.
	m.Roles = []web.HelpRole{
		{ID: "staff", Title: web.T(ctx, "help.role.staff"), Current: current == string(workplan.UserStaff),
			Steps: steps("help.staff.", 6, map[int][]any{1: {nav("my")}, 2: {c.CadenceDays}, 6: {nav("import")}})},
		{ID: "lead", Title: web.T(ctx, "help.role.lead"), Note: web.T(ctx, "help.role.lead.is"), Current: current == string(workplan.UserStaff),
			Steps: steps("help.lead.", 3, map[int][]any{1: {nav("review")}})},
		{ID: "supervisor", Title: web.T(ctx, "help.role.super"), Current: current == string(workplan.UserSupervisor),
			Steps: steps("help.super.", 5, map[int][]any{1: {nav("weekly"), c.CadenceDays}, 2: {nav("review")}, 5: {nav("ranking"), c.BulletinTitle}})},
		{ID: "leader", Title: web.T(ctx, "help.role.leader"), Current: current == string(workplan.UserLeader),
			Steps: steps("help.leader.", 4, map[int][]any{1: {nav("dashboard")}})},
		{ID: "admin", Title: web.T(ctx, "help.role.admin"), Current: current == string(workplan.UserAdmin),
			Steps: steps("help.admin.", 5, nil)},
	}
	yellow, red := points(c.PaceYellow), points(c.PaceRed)
	m.Lights = []web.HelpItem{
		{Class: "red", Label: web.T(ctx, "light.red"), Text: web.T(ctx, "help.light.red", red, 2*c.CadenceDays)},
		{Class: "yellow", Label: web.T(ctx, "light.yellow"), Text: web.T(ctx, "help.light.yellow", c.DueSoonDays, yellow, red, c.CadenceDays)},
		{Class: "green", Label: web.T(ctx, "light.green"), Text: web.T(ctx, "help.light.green", c.CadenceDays)},
		{Class: "done", Label: web.T(ctx, "light.done"), Text: web.T(ctx, "help.light.done")},
		{Class: "grey", Label: web.T(ctx, "light.grey"), Text: web.T(ctx, "help.light.grey")},
	}
	catArgs := map[status.Category][]any{
		status.Lagging: {yellow, c.CadenceDays},
		status.DueSoon: {c.DueSoonDays},
	}
	for _, cat := range status.Categories {
		m.Categories = append(m.Categories, web.HelpItem{Class: string(cat), Label: web.T(ctx, "cat."+string(cat)),
			Text: web.T(ctx, "help.cat."+string(cat), catArgs[cat]...)})
	}
	weights := s.weights()
	total := weights.OnTime + weights.Overdue + weights.Pace + weights.Report
	share := func(w float64) string {
		return strconv.FormatFloat(float64(int(w/total*1000+0.5))/10, 'f', -1, 64) + "%"
	}
	m.Weights = []web.HelpWeight{
		{Label: web.T(ctx, "help.rank.ontime"), Share: share(weights.OnTime)},
		{Label: web.T(ctx, "help.rank.overdue"), Share: share(weights.Overdue)},
		{Label: web.T(ctx, "help.rank.pace"), Share: share(weights.Pace)},
		{Label: web.T(ctx, "help.rank.report"), Share: share(weights.Report)},
	}
	m.Reminders = helpReminders(ctx, c.Notify)
	return m
}

// helpReminders says when and how the system reminds, from the settings of
// 催办 (REMIND_AT, REMIND_DUE_SOON_DAYS, …, ESCALATION_DAYS).
func helpReminders(ctx context.Context, n config.Notify) []string {
	when := web.T(ctx, "help.reminders.manual")
	if !n.Off {
		when = web.T(ctx, "help.reminders.when", fmt.Sprintf("%02d:%02d", n.Hour, n.Minute))
	}
	days := make([]string, len(n.DueSoonDays))
	for i, d := range n.DueSoonDays {
		days[i] = strconv.Itoa(d)
	}
	sep := "、"
	if web.LangOf(ctx) == web.LangEN {
		sep = ", "
	}
	e := n.EscalationDays
	return []string{when,
		web.T(ctx, "help.reminders.1", strings.Join(days, sep)),
		web.T(ctx, "help.reminders.2", n.OverdueEveryDays),
		web.T(ctx, "help.reminders.3", n.RefileWorkingDays),
		web.T(ctx, "help.reminders.4", e[0], e[1], e[2], n.ReplyWorkingDays),
		web.T(ctx, "help.reminders.5"),
	}
}

// points formats a number of percentage points as people write it: 10, 12.5.
func points(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
