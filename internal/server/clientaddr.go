package server

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
)

const keyClientAddr ctxKey = 300

// clientAddress finds the client's address once per request (clientAddrOf)
// and keeps it for the throttles, the sessions page, the audit trail and
// the logs (clientIP).
func (s *Server) clientAddress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(s.cfg.TrustedProxies) == 0 {
			// The peer is the client; clientIP reads it when needed.
			next.ServeHTTP(w, r)
			return
		}
		addr := clientAddrOf(r.RemoteAddr, r.Header, s.cfg.TrustedProxies, s.cfg.TrustedProxyHeader)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyClientAddr, addr)))
	})
}

// clientIP returns the client's address found by clientAddress, or the
// peer's address outside that middleware.
func clientIP(r *http.Request) string {
	if a, ok := r.Context().Value(keyClientAddr).(string); ok {
		return a
	}
	return clientAddrOf(r.RemoteAddr, nil, nil, "")
}

// clientAddrOf returns the address of the client of a request that came
// from the peer remote ("host:port") with headers h. The peer is the client
// unless it is one of the trusted proxies; then the forwarding header the
// proxies set (header: X-Forwarded-For, X-Real-Ip or Forwarded) is read
// from its right, the hop the nearest proxy added, leftwards past every
// trusted proxy: the first address that is not a trusted proxy is the
// client (the right-most untrusted hop). What lies left of it was written by
// the client itself and is not believed. A hop that is not an address
// ("unknown", an obfuscated name, garbage) stops the walk at the proxy that
// passed it on. The other headers are ignored: a proxy that sets one of them
// passes the others through from the client unchanged.
func clientAddrOf(remote string, h http.Header, trusted []netip.Prefix, header string) string {
	peer, ok := parseHost(remote)
	if !ok {
		return hostOnly(remote)
	}
	if len(trusted) == 0 || !isTrusted(peer, trusted) {
		return peer.String()
	}
	var hops []string
	switch header {
	case "X-Forwarded-For":
		for _, line := range h.Values("X-Forwarded-For") {
			hops = append(hops, strings.Split(line, ",")...)
		}
	case "X-Real-Ip":
		if v := h.Values("X-Real-Ip"); len(v) > 0 {
			hops = v[len(v)-1:]
		}
	case "Forwarded":
		for _, line := range h.Values("Forwarded") {
			hops = append(hops, forwardedFor(line)...)
		}
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHost(strings.TrimSpace(hops[i]))
		if !ok {
			break
		}
		client = a
		if !isTrusted(a, trusted) {
			break
		}
	}
	return client.String()
}

// forwardedFor returns the for= values of a Forwarded header (RFC 7239),
// in order, quotes removed.
func forwardedFor(line string) []string {
	var out []string
	for _, elem := range splitQuoted(line, ',') {
		found := ""
		for _, pair := range splitQuoted(elem, ';') {
			k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "for") {
				found = strings.Trim(strings.TrimSpace(v), `"`)
			}
		}
		// An element without for= is a hop whose address is unknown.
		out = append(out, found)
	}
	return out
}

// splitQuoted splits s at sep outside double quotes.
func splitQuoted(s string, sep byte) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case sep:
			if !quoted {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// parseHost reads an address with or without a port: 192.0.2.1,
// 192.0.2.1:4711, 2001:db8::1, [2001:db8::1]:4711. IPv4-mapped IPv6
// addresses become IPv4, zones are dropped.
func parseHost(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return a.Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}

// hostOnly is the host part of a peer address that is not an IP address
// (a Unix socket, a test's "pipe").
func hostOnly(remote string) string {
	if i := strings.LastIndexByte(remote, ':'); i > 0 {
		remote = remote[:i]
	}
	return strings.Trim(remote, "[]")
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
