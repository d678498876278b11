package server

import (
	"net/http"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestClientAddrOf(t *testing.T) {
	t.Parallel()
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"), netip.MustParsePrefix("2001:db8:f::/48")}
	tests := []struct {
		name    string
		remote  string
		header  string
		values  []string
		trusted []netip.Prefix
		want    string
	}{
		{"no proxy configured: the peer, whatever it says", "203.0.113.5:5555", "X-Forwarded-For", []string{"1.2.3.4"}, nil, "203.0.113.5"},
		{"an untrusted peer cannot name a client", "203.0.113.5:5555", "X-Forwarded-For", []string{"1.2.3.4"}, proxies, "203.0.113.5"},
		{"a trusted proxy names the client", "10.0.0.2:5555", "X-Forwarded-For", []string{"198.51.100.9"}, proxies, "198.51.100.9"},
		{"the right-most untrusted hop; what the client wrote is not believed", "10.0.0.2:5555", "X-Forwarded-For",
			[]string{"1.2.3.4, 198.51.100.9"}, proxies, "198.51.100.9"},
		{"through two proxies", "10.0.0.2:5555", "X-Forwarded-For", []string{"1.2.3.4, 198.51.100.9, 192.0.2.7"}, proxies, "198.51.100.9"},
		{"several header lines in order", "10.0.0.2:5555", "X-Forwarded-For", []string{"1.2.3.4", "198.51.100.9", "10.1.1.1"}, proxies, "198.51.100.9"},
		{"with ports and spaces", "10.0.0.2:5555", "X-Forwarded-For", []string{" 198.51.100.9:4711 ,10.0.0.3"}, proxies, "198.51.100.9"},
		{"IPv6 and IPv4-mapped", "[2001:db8:f::1]:443", "X-Forwarded-For", []string{"[2001:db8::42]:5000, ::ffff:10.0.0.9"}, proxies, "2001:db8::42"},
		{"all trusted: the left-most", "10.0.0.2:5555", "X-Forwarded-For", []string{"10.0.0.5, 10.0.0.4"}, proxies, "10.0.0.5"},
		{"garbage stops at the proxy that passed it on", "10.0.0.2:5555", "X-Forwarded-For", []string{"198.51.100.9, garbage, 10.0.0.3"}, proxies, "10.0.0.3"},
		{"garbage from the nearest proxy: the peer", "10.0.0.2:5555", "X-Forwarded-For", []string{"unknown"}, proxies, "10.0.0.2"},
		{"no header: the proxy", "10.0.0.2:5555", "X-Forwarded-For", nil, proxies, "10.0.0.2"},
		{"X-Real-IP", "10.0.0.2:5555", "X-Real-Ip", []string{"198.51.100.9"}, proxies, "198.51.100.9"},
		{"Forwarded", "10.0.0.2:5555", "Forwarded", []string{`for=1.2.3.4, for="[2001:db8::42]:4711";proto=https, For=192.0.2.7`}, proxies, "2001:db8::42"},
		{"Forwarded with an obfuscated hop", "10.0.0.2:5555", "Forwarded", []string{`for=198.51.100.9, for=_hidden`}, proxies, "10.0.0.2"},
		{"Forwarded without for", "10.0.0.2:5555", "Forwarded", []string{`proto=https;by=10.0.0.2`}, proxies, "10.0.0.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tt.values {
				h.Add(tt.header, v)
			}
			// Headers the proxies do not set are never read.
			h.Set("X-Real-Ip", "6.6.6.6")
			if tt.header == "X-Real-Ip" {
				h.Set("X-Real-Ip", tt.values[0])
			}
			if tt.header != "Forwarded" {
				h.Set("Forwarded", "for=6.6.6.6")
			}
			if tt.header != "X-Forwarded-For" {
				h.Set("X-Forwarded-For", "6.6.6.6")
			}
			assert.Equal(t, tt.want, clientAddrOf(tt.remote, h, tt.trusted, tt.header))
		})
	}
	assert.Equal(t, "pipe", clientAddrOf("pipe", nil, proxies, "X-Forwarded-For"), "a peer that is not an address")
}
