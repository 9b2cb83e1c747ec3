package main

import (
	"fmt"
	"strings"
	"time"
)

// ngxDirective is one nginx directive: its name, arguments and block.
type ngxDirective struct {
	name  string
	args  []string
	block []ngxDirective
}

// parseNginx parses nginx's config syntax (directives, blocks, comments,
// quotes), enough to check deploy/nginx.conf.
func parseNginx(src string) ([]ngxDirective, error) {
	toks := tokenizeNginx(src)
	ds, rest, err := parseNginxBlock(toks)
	if err == nil && len(rest) > 0 {
		err = fmt.Errorf("nginx: unexpected %q", rest[0])
	}
	return ds, err
}

func parseNginxBlock(toks []string) ([]ngxDirective, []string, error) {
	var out []ngxDirective
	var cur []string
	for len(toks) > 0 {
		t := toks[0]
		toks = toks[1:]
		switch t {
		case ";":
			if len(cur) > 0 {
				out = append(out, ngxDirective{name: cur[0], args: cur[1:]})
			}
			cur = nil
		case "{":
			if len(cur) == 0 {
				return nil, nil, fmt.Errorf("nginx: block without a directive")
			}
			inner, rest, err := parseNginxBlock(toks)
			if err != nil {
				return nil, nil, err
			}
			if len(rest) == 0 || rest[0] != "}" {
				return nil, nil, fmt.Errorf("nginx: %s block not closed", cur[0])
			}
			out = append(out, ngxDirective{name: cur[0], args: cur[1:], block: inner})
			cur, toks = nil, rest[1:]
		case "}":
			return out, append([]string{"}"}, toks...), nil
		default:
			cur = append(cur, t)
		}
	}
	if len(cur) > 0 {
		return nil, nil, fmt.Errorf("nginx: %s not ended by ';'", cur[0])
	}
	return out, nil, nil
}

func tokenizeNginx(src string) []string {
	var toks []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			toks = append(toks, b.String())
			b.Reset()
		}
	}
	for i := 0; i < len(src); i++ {
		switch c := src[i]; {
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			flush()
		case c == '"' || c == '\'':
			j := strings.IndexByte(src[i+1:], c)
			if j < 0 {
				j = len(src) - i - 1
			}
			b.WriteString(src[i+1 : i+1+j])
			i += j + 1
		case c == ';' || c == '{' || c == '}':
			flush()
			toks = append(toks, string(c))
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			flush()
		default:
			b.WriteByte(c)
		}
	}
	flush()
	return toks
}

// find returns the directives named name in ds, not descending into blocks.
func find(ds []ngxDirective, name string) []ngxDirective {
	var out []ngxDirective
	for _, d := range ds {
		if d.name == name {
			out = append(out, d)
		}
	}
	return out
}

// headers returns the proxy_set_header names and values in effect in a
// location: its own if it sets any, else the server's (nginx inherits them
// only when the inner level sets none).
func headers(server, location ngxDirective) map[string]string {
	set := find(location.block, "proxy_set_header")
	if len(set) == 0 {
		set = find(server.block, "proxy_set_header")
	}
	out := map[string]string{}
	for _, d := range set {
		if len(d.args) == 2 {
			out[strings.ToLower(d.args[0])] = d.args[1]
		}
	}
	return out
}

// nginxSeconds parses an nginx time ("90", "30s", "2m", "1h").
func nginxSeconds(s string) time.Duration {
	if d, err := time.ParseDuration(s); err == nil {
		return d
	}
	if d, err := time.ParseDuration(s + "s"); err == nil {
		return d
	}
	return 0
}

// checkNginx checks the load balancer's config for the scaled node service.
func checkNginx(conf []byte, nodeName string) []error {
	top, err := parseNginx(string(conf))
	if err != nil {
		return []error{fmt.Errorf("deploy/nginx.conf: %w", err)}
	}
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("deploy/nginx.conf: "+format, args...))
	}
	servers := find(top, "server")
	if len(servers) != 1 {
		return []error{fmt.Errorf("deploy/nginx.conf: want one server block, got %d", len(servers))}
	}
	server := servers[0]
	if len(find(top, "resolver"))+len(find(server.block, "resolver")) == 0 {
		fail("no resolver: nginx cannot re-resolve %q, so replicas added by --scale get no traffic", nodeName)
	}
	vars := map[string]string{}
	for _, d := range find(server.block, "set") {
		if len(d.args) == 2 {
			vars[d.args[0]] = d.args[1]
		}
	}
	nextUpstream := find(server.block, "proxy_next_upstream")
	sawWS := false
	for _, loc := range find(server.block, "location") {
		pass := find(loc.block, "proxy_pass")
		if len(pass) == 0 {
			continue
		}
		where := strings.Join(loc.args, " ")
		target := strings.TrimPrefix(pass[0].args[0], "http://")
		if !strings.HasPrefix(target, "$") {
			fail("location %s: proxy_pass %s resolves once at start; put the backend in a variable so nginx re-resolves it", where, pass[0].args[0])
		} else if backend := vars[target]; hostOf(backend) != nodeName {
			fail("location %s: backend %s=%q is not the node service %q", where, target, backend, nodeName)
		}
		h := headers(server, loc)
		if _, ok := h["x-forwarded-for"]; !ok {
			fail("location %s: X-Forwarded-For is not set (proxy_set_header is not inherited when the location sets any)", where)
		}
		nextUpstream = append(nextUpstream, find(loc.block, "proxy_next_upstream")...)
		if len(loc.args) > 0 && loc.args[len(loc.args)-1] == "/ws" {
			sawWS = true
			if h["upgrade"] != "$http_upgrade" {
				fail("location /ws: proxy_set_header Upgrade $http_upgrade is missing")
			}
			if !strings.Contains(strings.ToLower(h["connection"]), "upgrade") {
				fail("location /ws: proxy_set_header Connection (upgrade) is missing")
			}
			read := find(loc.block, "proxy_read_timeout")
			if len(read) == 0 || nginxSeconds(read[0].args[0]) < 2*DefaultConfig().WSIdleTimeout {
				fail("location /ws: proxy_read_timeout must be well above the server's websocket idle timeout (%v)", DefaultConfig().WSIdleTimeout)
			}
		}
	}
	if !sawWS {
		fail("no location /ws proxying websockets")
	}
	if len(nextUpstream) == 0 {
		fail("no proxy_next_upstream: a request to a node that just died fails instead of going to another")
	}
	for _, d := range nextUpstream {
		for _, a := range d.args {
			if a == "non_idempotent" {
				fail("proxy_next_upstream non_idempotent: a POST (a chat message, a registration) could be applied twice")
			}
		}
	}
	return errs
}
