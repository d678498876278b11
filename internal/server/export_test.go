package server

import "duban/internal/config"

// FieldMax returns the longest value, in characters, the server takes for
// field name on route ("METHOD pattern"), for the tests that check the forms
// show it.
func FieldMax(route, name string) int { return ruleOf(route, name).max }

// FieldLabels returns the message keys of the labels of every field rule.
func FieldLabels() []string {
	var out []string
	for _, r := range fieldRules {
		out = append(out, r.label)
	}
	for _, m := range routeFieldRules {
		for _, r := range m {
			out = append(out, r.label)
		}
	}
	return out
}

// WithConfig changes the server's configuration, for tests.
func WithConfig(f func(*config.Config)) Option { return func(s *Server) { f(&s.cfg) } }

// WithWeeklyReports sets how many reports the weekly comparison lists.
func WithWeeklyReports(n int) Option { return func(s *Server) { s.weeklyReports = n } }
