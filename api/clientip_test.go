package api

import (
	"net/netip"
	"strings"
	"testing"
)

func TestForwardedClient(t *testing.T) {
	trusted := DefaultTrustedProxies()
	cases := []struct {
		name string
		peer string
		xff  []string // X-Forwarded-For header lines, in order
		want string
	}{
		{"peer is not a proxy", "203.0.113.1", []string{"198.51.100.9"}, "203.0.113.1"},
		{"no header", "127.0.0.1", nil, "127.0.0.1"},
		{"empty header", "127.0.0.1", []string{""}, "127.0.0.1"},
		{"one hop", "127.0.0.1", []string{"203.0.113.5"}, "203.0.113.5"},
		{"spoofed first entry", "127.0.0.1", []string{"6.6.6.6, 203.0.113.5"}, "203.0.113.5"},
		{"two trusted proxies", "10.0.0.1", []string{"203.0.113.5, 10.0.0.2"}, "203.0.113.5"},
		{"spoofed, two proxies", "10.0.0.1", []string{"6.6.6.6, 203.0.113.5, 172.16.0.3"}, "203.0.113.5"},
		{"several header lines", "127.0.0.1", []string{"6.6.6.6", "203.0.113.5, 192.168.1.1"}, "203.0.113.5"},
		{"all trusted: the leftmost", "127.0.0.1", []string{"10.0.0.3, 10.0.0.2"}, "10.0.0.3"},
		{"malformed last hop: the peer", "127.0.0.1", []string{"203.0.113.5, garbage"}, "127.0.0.1"},
		{"malformed after a trusted hop", "127.0.0.1", []string{"garbage, 10.0.0.2"}, "10.0.0.2"},
		{"malformed before the client", "127.0.0.1", []string{"garbage, 203.0.113.5"}, "203.0.113.5"},
		{"empty entry", "127.0.0.1", []string{"203.0.113.5, "}, "127.0.0.1"},
		{"unknown", "127.0.0.1", []string{"unknown"}, "127.0.0.1"},
		{"spaces", "127.0.0.1", []string{"  203.0.113.5  ,10.0.0.2 "}, "203.0.113.5"},
		{"IPv4 with port", "127.0.0.1", []string{"203.0.113.5:4711"}, "203.0.113.5"},
		{"IPv6", "::1", []string{"2001:db8::1"}, "2001:db8::1"},
		{"IPv6 with port", "::1", []string{"[2001:db8::1]:443"}, "2001:db8::1"},
		{"IPv6 with zone", "::1", []string{"fe80::1%eth0"}, "fe80::1"},
		{"private IPv6 proxy", "fd00::1", []string{"2001:db8::7, fd00::2"}, "2001:db8::7"},
		{"IPv4-mapped peer", "::ffff:127.0.0.1", []string{"203.0.113.5"}, "203.0.113.5"},
		{"IPv4-mapped hop", "127.0.0.1", []string{"::ffff:203.0.113.5"}, "203.0.113.5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := forwardedClient(netip.MustParseAddr(tc.peer), tc.xff, trusted)
			if got.String() != tc.want {
				t.Errorf("peer %s, X-Forwarded-For %q: got %s, want %s", tc.peer, tc.xff, got, tc.want)
			}
		})
	}
}

func TestParseProxies(t *testing.T) {
	cases := []struct {
		in      []string
		want    string // the prefixes, comma-separated
		wantErr string
	}{
		{[]string{"10.0.0.0/8", "fd00::/8"}, "10.0.0.0/8,fd00::/8", ""},
		{[]string{"10.1.2.3"}, "10.1.2.3/32", ""},
		{[]string{"::1"}, "::1/128", ""},
		{[]string{"10.1.2.3/8"}, "10.0.0.0/8", ""},
		{[]string{"10.0.0.0/33", "10.0.0.0/8", "proxy.local"}, "", `"10.0.0.0/33"`},
		{[]string{"proxy.local"}, "", `"proxy.local" is not a CIDR`},
	}
	for _, tc := range cases {
		got, err := ParseProxies(tc.in)
		var parts []string
		for _, p := range got {
			parts = append(parts, p.String())
		}
		switch {
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("ParseProxies(%q): error %v, want one with %s", tc.in, err, tc.wantErr)
		case tc.wantErr == "" && (err != nil || strings.Join(parts, ",") != tc.want):
			t.Errorf("ParseProxies(%q) = %v, %v; want %s", tc.in, parts, err, tc.want)
		}
	}
	if _, err := ParseProxies([]string{"10.0.0.0/33", "proxy.local"}); err == nil || !strings.Contains(err.Error(), "proxy.local") {
		t.Errorf("error %v does not list every bad entry", err)
	}
}
