package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"duban/internal/workplan"
)

// routes lists every route of the application. Every route here must also
// have a row in the permission matrix (permissions_test.go), which fails for
// a route it does not know.
func (s *Server) routes() *chi.Mux {
	r := chi.NewRouter()
	r.Use(s.instrument, s.requestID, s.clientAddress, s.logRequests, s.recoverPanic, s.securityHeaders, s.compress, s.language, s.checkURL, s.crossOrigin, s.readBody, s.timeout, s.nameWrites)
	r.NotFound(s.h(func(w http.ResponseWriter, r *http.Request) error { return errNotFoundPage }))
	r.MethodNotAllowed(s.h(func(w http.ResponseWriter, r *http.Request) error { return errMethod }))

	// Public: probes and content-hashed assets.
	r.Get("/livez", s.livez)
	r.Get("/readyz", s.readyz)
	r.Get("/static/{name}", s.static)
	r.Get("/favicon.ico", s.favicon)

	// The read-only JSON API: bearer tokens, no session, no cookies. The
	// token is checked around the whole subrouter, so that even a path with
	// no route answers 401 rather than revealing what exists.
	api := chi.NewRouter()
	s.apiRoutes(api)
	r.With(s.requireToken).Mount("/api/v1", api)

	// Pages: the session is loaded and every state-changing request must
	// carry the form token.
	r.Group(func(r chi.Router) {
		r.Use(s.session, s.checkCSRF)
		r.Get("/login", s.h(s.loginPage))
		r.Post("/login", s.h(s.login))
		// Help: anyone, signed in or not (the sign-in page links to it).
		r.Get("/help", s.h(s.help))

		// The wall screen of the operations centre: signed-in leaders,
		// supervisors and administrators, or a screen token, which opens
		// this page and nothing else (screen.go).
		r.Get("/plans/{slug}/screen", s.h(s.screen))

		// Signed-in users; those with a one-time password are sent to
		// /account/password first.
		r.Group(func(r chi.Router) {
			r.Use(s.requireUser)
			r.Get("/", s.h(s.home))
			r.Post("/logout", s.h(s.logout))
			r.Get("/account/password", s.h(s.passwordPage))
			r.Post("/account/password", s.h(s.changePassword))
			r.Get("/account/sessions", s.h(s.sessionsPage))
			r.Get("/account/notifications", s.h(s.mySettings))
			r.Post("/account/notifications", s.h(s.mySettings))
			r.Get("/notifications", s.h(s.notificationsPage))
			r.Post("/notifications/read-all", s.h(s.readAll))
			r.Get("/notifications/{id}", s.h(s.openNotification))
			r.Post("/account/sessions/{id}/end", s.h(s.endSession))

			// Supervision pages: everyone signed in reads plans; what each
			// may read of reports and do is checked per assignment.
			r.Get("/dashboard", s.h(s.latestPlanPage("dashboard")))
			r.Get("/ledger", s.h(s.latestPlanPage("tasks")))
			r.Get("/weekly", s.h(s.latestPlanPage("weekly")))
			r.Get("/ranking", s.h(s.latestPlanPage("ranking")))
			r.Get("/bulletins", s.h(s.latestPlanPage("bulletins")))
			r.With(s.requireRole(workplan.UserStaff)).Get("/import", s.h(s.latestPlanPage("import")))
			r.Get("/plans/{slug}/dashboard", s.h(s.dashboard))
			r.Get("/plans/{slug}/tasks", s.h(s.ledger))
			r.Get("/plans/{slug}/tasks/{number}", s.h(s.taskPage))
			r.Get("/indicators", s.h(s.latestPlanPage("indicators")))
			r.Get("/plans/{slug}/indicators", s.h(s.indicatorBoard))
			r.Get("/plans/{slug}/indicators/{id}", s.h(s.indicatorPage))
			r.With(s.requireRole(workplan.UserAdmin)).Post("/plans/{slug}/indicators/{id}/rule", s.h(s.setIndicatorRule))
			r.With(s.requireRole(workplan.UserLeader, workplan.UserSupervisor)).
				Post("/plans/{slug}/tasks/{number}/comments", s.h(s.addComment))
			r.With(s.requireRole(workplan.UserSupervisor, workplan.UserAdmin)).
				Get("/plans/{slug}/tasks/{number}/designations/{unit}", s.h(s.designationPage))
			r.With(s.requireRole(workplan.UserSupervisor, workplan.UserAdmin)).
				Post("/plans/{slug}/tasks/{number}/designations/{unit}", s.h(s.mapDesignation))
			r.Get("/assignments/{id}", s.h(s.assignmentPage))
			r.Get("/assignments/{id}/report", s.h(s.reportForm))
			r.Post("/assignments/{id}/report", s.h(s.fileReport))
			r.Post("/assignments/{id}/extension", s.h(s.requestExtension))
			r.With(s.requireRole(workplan.UserSupervisor)).Post("/assignments/{id}/orders", s.h(s.issueOrder))
			r.With(s.requireRole(workplan.UserStaff)).Post("/orders/{id}/answer", s.h(s.answerOrder))
			r.Get("/orders/{id}", s.h(s.orderPage))
			r.Get("/evidence/{id}", s.h(s.evidence))
			r.With(s.requireRole(workplan.UserStaff)).Get("/my", s.h(s.myTasks))
			r.With(s.requireRole(workplan.UserStaff, workplan.UserSupervisor)).Get("/review", s.h(s.reviewQueue))
			r.Post("/reports/{id}/review", s.h(s.reviewReport))
			r.With(s.requireRole(workplan.UserSupervisor)).Post("/extensions/{id}/decide", s.h(s.decideExtension))

			// Supervision outputs: weekly comparison, ranking, bulletins,
			// spreadsheet export (everyone who reads the ledger) and import
			// (staff, for their own unit's assignments).
			r.Get("/plans/{slug}/weekly", s.h(s.weekly))
			r.Get("/plans/{slug}/ranking", s.h(s.ranking))
			r.Get("/plans/{slug}/bulletins", s.h(s.bulletins))
			r.With(s.requireRole(workplan.UserSupervisor)).Get("/plans/{slug}/bulletins/preview", s.h(s.previewBulletin))
			r.With(s.requireRole(workplan.UserSupervisor)).Post("/plans/{slug}/bulletins", s.h(s.publishBulletin))
			r.Get("/bulletins/{id}", s.h(s.bulletinPage))
			r.Get("/bulletins/{id}.docx", s.h(s.bulletinDocx))
			r.Get("/plans/{slug}/tasks.xlsx", s.h(s.exportLedger("xlsx")))
			r.Get("/plans/{slug}/tasks.csv", s.h(s.exportLedger("csv")))
			r.Route("/plans/{slug}/import", func(r chi.Router) {
				r.Use(s.requireRole(workplan.UserStaff))
				r.Get("/", s.h(s.importPage))
				r.Post("/", s.h(s.uploadImport))
				r.Get("/{token}", s.h(s.importPreview))
				r.Post("/{token}", s.h(s.applyImport))
			})

			r.Route("/admin", func(r chi.Router) {
				r.Use(s.requireRole(workplan.UserAdmin))
				r.Get("/users", s.h(s.adminUsers))
				r.Get("/users/new", s.h(s.adminNewUser))
				r.Post("/users", s.h(s.adminCreateUser))
				r.Get("/users/{id}", s.h(s.adminEditUser))
				r.Post("/users/{id}", s.h(s.adminUpdateUser))
				r.Post("/users/{id}/disable", s.h(s.adminDisableUser))
				r.Post("/users/{id}/enable", s.h(s.adminEnableUser))
				r.Post("/users/{id}/password", s.h(s.adminResetPassword))
				r.Get("/units", s.h(s.adminUnits))
				r.Post("/units", s.h(s.adminCreateUnit))
				r.Get("/units/{id}", s.h(s.adminEditUnit))
				r.Post("/units/{id}", s.h(s.adminUpdateUnit))
				r.Post("/units/{id}/members", s.h(s.adminUnitMembers))
				r.Get("/audit", s.h(s.adminAudit))
				r.Get("/throttles", s.h(s.adminThrottles))
				r.Post("/throttles/lift", s.h(s.adminLiftThrottle))
				r.Get("/users/{id}/notifications", s.h(s.adminUserSettings))
				r.Post("/users/{id}/notifications", s.h(s.adminUserSettings))
				r.Get("/units/{id}/channels", s.h(s.unitChannels))
				r.Post("/units/{id}/channels", s.h(s.unitChannels))
				r.Post("/units/{id}/channels/test", s.h(s.testRobot))
				r.Get("/deliveries", s.h(s.deliveries))
				r.Get("/calendar", s.h(s.calendar))
				r.Post("/calendar", s.h(s.calendar))
				r.Get("/plans", s.h(s.adminPlans))
				r.Post("/plans/upload", s.h(s.uploadPlan))
				r.Get("/plans/uploads/{token}", s.h(s.seedPreview))
				r.Post("/plans/uploads/{token}", s.h(s.applySeed))
				r.Get("/plans/{slug}/versions/{version}", s.h(s.planVersionSource))
			})
		})
	})

	if s.cfg.Development() {
		s.debugRoutes(r)
	}
	if s.extra != nil {
		s.extra(r)
	}
	return r
}
