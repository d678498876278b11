package metrics

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
)

// Unmatched is the route label of requests that matched no route pattern
// (404s outside any mounted router): the raw path is never a label, so that
// a scanner requesting random paths cannot grow the number of series.
const Unmatched = "unmatched"

// latencyBuckets are the upper bounds, in seconds, of the request latency
// histogram: fine around the targets (25 ms dashboard, 50 ms reports,
// 100 ms at province scale), coarse up to REQUEST_TIMEOUT.
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// HTTP holds the request metrics:
//
//	duban_http_requests_total{route, method, code}   code is the class: 2xx … 5xx
//	duban_http_request_duration_seconds{route}       histogram
//	duban_http_requests_in_flight
//
// route is chi's pattern (/plans/{slug}/dashboard), never the path. The
// series of each route are made once, on its first request, and kept in an
// array indexed by method and class, so that recording a request costs a
// map lookup, two atomic loads and the increments, with no allocation and
// no lock.
type HTTP struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	inFlight prometheus.Gauge
	// routes is filled by Routes before the first request and only read
	// afterwards.
	routes    map[string]*route
	unmatched *route
}

func newHTTP(m *Metrics) *HTTP {
	h := &HTTP{
		requests: m.CounterVec("http_requests_total", "HTTP requests answered, by route pattern, method and status class.", "route", "method", "code"),
		latency: func() *prometheus.HistogramVec {
			v := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "http_request_duration_seconds",
				Help: "Time to answer an HTTP request, by route pattern.", Buckets: latencyBuckets}, []string{"route"})
			m.reg.MustRegister(v)
			return v
		}(),
		inFlight: m.Gauge("http_requests_in_flight", "HTTP requests being answered now."),
		routes:   map[string]*route{},
	}
	h.unmatched = h.newRoute(Unmatched)
	return h
}

// Methods are the method labels; any other method counts as "other".
var methods = [...]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}

// classes are the status class labels, by status/100 (0 and 6 and above:
// "other").
var classes = [...]string{"other", "1xx", "2xx", "3xx", "4xx", "5xx"}

func methodIndex(m string) int {
	for i, s := range methods[:len(methods)-1] {
		if m == s {
			return i
		}
	}
	return len(methods) - 1
}

func classIndex(status int) int {
	if status == 0 {
		status = http.StatusOK // nothing written: net/http answers 200
	}
	if c := status / 100; c >= 1 && c <= 5 {
		return c
	}
	return 0
}

// route holds one route pattern's series, made on first use.
type route struct {
	name     string
	requests *prometheus.CounterVec // curried with route
	latency  prometheus.Observer
	counters [len(methods)][len(classes)]atomic.Pointer[prometheus.Counter]
	once     sync.Once
	h        *HTTP
}

func (h *HTTP) newRoute(name string) *route {
	return &route{name: name, requests: h.requests.MustCurryWith(prometheus.Labels{"route": name}), h: h}
}

// Routes prepares the series of every route pattern of r, and of every
// router mounted in it (whose pattern ends in /*: the requests a mounted
// router's middleware answers before routing, such as the API's 401s). Call
// it once, after the routes are defined and before serving.
func (h *HTTP) Routes(r chi.Routes) {
	var walk func(r chi.Routes, parent string)
	walk = func(r chi.Routes, parent string) {
		for _, rt := range r.Routes() {
			p := routePattern(parent + rt.Pattern)
			if h.routes[p] == nil {
				h.routes[p] = h.newRoute(p)
			}
			if rt.SubRoutes != nil {
				walk(rt.SubRoutes, parent+rt.Pattern)
			}
		}
	}
	walk(r, "")
}

// routePattern normalises a pattern as chi's Context.RoutePattern does.
func routePattern(p string) string {
	for strings.Contains(p, "/*/") {
		p = strings.ReplaceAll(p, "/*/", "/")
	}
	if p != "/" {
		p = strings.TrimSuffix(p, "//")
		p = strings.TrimSuffix(p, "/")
	}
	return p
}

// Middleware records every request it passes on. Use it as the chi router's
// first middleware: the route pattern is read from the routing context
// once the handler has returned.
func (h *HTTP) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h.inFlight.Inc()
		defer h.inFlight.Dec()
		sw := writers.Get().(*statusWriter)
		sw.ResponseWriter, sw.status = w, 0
		next.ServeHTTP(sw, r)
		status := sw.status
		sw.ResponseWriter = nil
		writers.Put(sw)
		h.route(chi.RouteContext(r.Context())).observe(methodIndex(r.Method), classIndex(status), time.Since(start))
	})
}

// route returns the series of the pattern the request matched.
func (h *HTTP) route(rctx *chi.Context) *route {
	if rctx == nil {
		return h.unmatched
	}
	if rt, ok := h.routes[rctx.RoutePattern()]; ok {
		return rt
	}
	return h.unmatched
}

func (rt *route) observe(method, class int, d time.Duration) {
	c := rt.counters[method][class].Load()
	if c == nil {
		// First request of this method and class: resolve the series
		// once. Racing requests resolve the same series.
		v := rt.requests.WithLabelValues(methods[method], classes[class])
		c = &v
		rt.counters[method][class].Store(c)
	}
	(*c).Inc()
	rt.once.Do(func() { rt.latency = rt.h.latency.WithLabelValues(rt.name) })
	rt.latency.Observe(d.Seconds())
}

// statusWriter records the status of a response. They are pooled: the
// writer is not used once the handler has returned.
type statusWriter struct {
	http.ResponseWriter
	status int
}

var writers = sync.Pool{New: func() any { return new(statusWriter) }}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 { // 1xx are interim: the final status follows
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
