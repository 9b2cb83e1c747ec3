package api

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/valyala/fasthttp"
)

// DefaultTrustedProxies returns the proxies trusted when
// Config.TrustedProxies is nil: loopback and the private ranges
// (127.0.0.0/8, ::1/128, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16,
// fc00::/7), where a proxy run next to the server usually is.
func DefaultTrustedProxies() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{"127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

// ParseProxies parses trusted proxy ranges: CIDRs (10.0.0.0/8, fd00::/8)
// or single addresses (10.1.2.3, standing for 10.1.2.3/32). The error
// names every entry that is neither.
func ParseProxies(entries []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	var errs []error
	for _, e := range entries {
		p, err := netip.ParsePrefix(e)
		if err != nil {
			addr, aerr := netip.ParseAddr(e)
			if aerr != nil {
				errs = append(errs, fmt.Errorf("%q is not a CIDR (like 10.0.0.0/8 or fd00::/8) or an IP address", e))
				continue
			}
			p = netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, errors.Join(errs...)
}

// ClientIP returns the address of the client that sent ctx: the socket's
// peer, or, when the server trusts proxies (Config.TrustProxy) and the peer
// is one of them, the address the proxies recorded in X-Forwarded-For (see
// forwardedClient). Rate limits and request logs use it; so may other
// handlers sharing the port, such as the websocket gateway.
func (s *Server) ClientIP(ctx *fasthttp.RequestCtx) string {
	peer := addrOf(ctx.RemoteIP())
	if !s.cfg.TrustProxy {
		return peer.String()
	}
	var xff []string
	for _, v := range ctx.Request.Header.PeekAll(fasthttp.HeaderXForwardedFor) {
		xff = append(xff, string(v))
	}
	return forwardedClient(peer, xff, s.cfg.TrustedProxies).String()
}

// forwardedClient finds the client behind a chain of trusted proxies.
// Each proxy appends the address it received the request from to
// X-Forwarded-For, so only the entries on the right, added by proxies we
// trust, are true; anything further left is whatever the client wrote. It
// walks from the peer leftwards over trusted addresses and returns the
// first untrusted one. A malformed entry ends the walk at the last good
// hop; if every hop is trusted, the leftmost is the client.
func forwardedClient(peer netip.Addr, xff []string, trusted []netip.Prefix) netip.Addr {
	client := peer.Unmap()
	if !isTrusted(client, trusted) {
		return client
	}
	hops := strings.Split(strings.Join(xff, ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, ok := parseHop(hops[i])
		if !ok {
			break
		}
		client = hop
		if !isTrusted(hop, trusted) {
			break
		}
	}
	return client
}

// parseHop parses one X-Forwarded-For entry: an IP address, possibly with
// a port (203.0.113.5:4711, [2001:db8::1]:443) or an IPv6 zone.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	addr, err := netip.ParseAddr(s)
	if err != nil {
		ap, perr := netip.ParseAddrPort(s)
		if perr != nil {
			return netip.Addr{}, false
		}
		addr = ap.Addr()
	}
	return addr.WithZone("").Unmap(), true
}

func isTrusted(addr netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// addrOf converts a socket address; an unknown one becomes 0.0.0.0.
func addrOf(ip net.IP) netip.Addr {
	addr, ok := netip.AddrFromSlice(ip)
	if !ok {
		return netip.IPv4Unspecified()
	}
	return addr.Unmap()
}
