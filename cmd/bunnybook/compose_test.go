package main

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bunnybook/bunnybook/api"
	"go.yaml.in/yaml/v3"
)

// The deployment files checked here, relative to this package.
var (
	composePath = filepath.Join("..", "..", "docker-compose.yml")
	nginxPath   = filepath.Join("..", "..", "deploy", "nginx.conf")
)

// retiredSettings are variables that etcd membership replaces: a compose file
// still setting them describes the static peer list that no longer exists.
var retiredSettings = []string{"BUNNYBOOK_CLUSTER_PEERS", "BUNNYBOOK_CLUSTER_MEMBER_PORT"}

// requiredNodeSettings must be set for every node of the compose cluster.
var requiredNodeSettings = []string{
	"BUNNYBOOK_DATABASE_URL", "BUNNYBOOK_REDIS_URL", "BUNNYBOOK_NEO4J_URL", "BUNNYBOOK_CLUSTER_ETCD",
	"BUNNYBOOK_JWT_SECRET", "BUNNYBOOK_CLUSTER_HOST", "BUNNYBOOK_CLUSTER_PORT", "BUNNYBOOK_CLUSTER_ADVERTISE",
	"BUNNYBOOK_TRUST_PROXY", "BUNNYBOOK_TRUSTED_PROXIES",
}

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Networks map[string]struct {
		IPAM struct {
			Config []struct {
				Subnet  string `yaml:"subnet"`
				IPRange string `yaml:"ip_range"`
			} `yaml:"config"`
		} `yaml:"ipam"`
	} `yaml:"networks"`
}

type composeService struct {
	Image           string `yaml:"image"`
	Build           any    `yaml:"build"`
	ContainerName   string `yaml:"container_name"`
	Ports           []any  `yaml:"ports"`
	Entrypoint      any    `yaml:"entrypoint"`
	Command         any    `yaml:"command"`
	Environment     any    `yaml:"environment"`
	StopGracePeriod string `yaml:"stop_grace_period"`
	Healthcheck     *struct {
		Test any `yaml:"test"`
	} `yaml:"healthcheck"`
	DependsOn any      `yaml:"depends_on"`
	Networks  any      `yaml:"networks"`
	Volumes   []string `yaml:"volumes"`
	Profiles  []string `yaml:"profiles"`
}

// env returns the variables set in the service's environment section.
func (s composeService) env() map[string]string {
	out := map[string]string{}
	switch e := s.Environment.(type) {
	case map[string]any:
		for k, v := range e {
			if v == nil {
				v = ""
			}
			out[k] = fmt.Sprint(v)
		}
	case []any:
		for _, kv := range e {
			k, v, _ := strings.Cut(fmt.Sprint(kv), "=")
			out[k] = v
		}
	}
	return out
}

// script is the service's entrypoint and command as one string.
func (s composeService) script() string {
	return strings.Join(append(words(s.Entrypoint), words(s.Command)...), " ")
}

// words flattens a compose string-or-list field.
func words(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, w := range v {
			out = append(out, fmt.Sprint(w))
		}
		return out
	}
	return nil
}

// dependsOn maps each dependency to its condition ("" for the short form).
func (s composeService) dependsOn() map[string]string {
	out := map[string]string{}
	switch d := s.DependsOn.(type) {
	case []any:
		for _, name := range d {
			out[fmt.Sprint(name)] = ""
		}
	case map[string]any:
		for name, v := range d {
			cond, _ := v.(map[string]any)["condition"].(string)
			out[name] = cond
		}
	}
	return out
}

// knownSettings are the BUNNYBOOK_* variables the server reads, from the
// config table itself.
func knownSettings() map[string]bool {
	known := map[string]bool{}
	var c Config
	for _, s := range c.settings() {
		known[s.env] = true
	}
	return known
}

var envNameRE = regexp.MustCompile(`\bBUNNYBOOK_[A-Z0-9_]+`)

// checkCompose returns every problem of a compose file and the nginx config
// its load balancer mounts.
func checkCompose(composeYAML, nginxConf []byte) []error {
	var f composeFile
	if err := yaml.Unmarshal(composeYAML, &f); err != nil {
		return []error{fmt.Errorf("docker-compose.yml: %w", err)}
	}
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	for _, name := range []string{"etcd", "postgres", "redis", "neo4j"} {
		if _, ok := f.Services[name]; !ok {
			fail("service %s is missing", name)
		}
	}
	if img := f.Services["etcd"].Image; img != "" && !strings.Contains(img, ":v3.5") {
		fail("etcd image %q: want a v3.5 image", img)
	}

	var nodes []string
	for name, s := range f.Services {
		if isNode(s) {
			nodes = append(nodes, name)
		}
	}
	slices.Sort(nodes)
	if len(nodes) != 1 {
		fail("want exactly one Bunnybook node service (scaled with --scale), got %v", nodes)
		return errs
	}
	node := f.Services[nodes[0]]
	errs = append(errs, checkNode(nodes[0], node, f)...)
	errs = append(errs, checkLB(f, nodes[0], node, nginxConf)...)
	return errs
}

// isNode says whether a service runs the Bunnybook server: it sets
// BUNNYBOOK_* variables or starts the binary.
func isNode(s composeService) bool {
	for k := range s.env() {
		if strings.HasPrefix(k, "BUNNYBOOK_") {
			return true
		}
	}
	return strings.Contains(s.script(), "/bunnybook")
}

func checkNode(name string, node composeService, f composeFile) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(name+": "+format, args...)) }

	if node.ContainerName != "" {
		fail("container_name %q: a fixed name stops --scale", node.ContainerName)
	}
	if len(node.Ports) > 0 {
		fail("ports %v: published ports clash between replicas; publish the load balancer only", node.Ports)
	}

	env := node.env()
	set := map[string]bool{}
	for k := range env {
		set[k] = true
	}
	for _, k := range envNameRE.FindAllString(node.script(), -1) {
		set[k] = true
	}
	known := knownSettings()
	for k := range set {
		if slices.Contains(retiredSettings, k) {
			fail("%s: retired (membership is in etcd now)", k)
		} else if !known[k] {
			fail("%s: the server reads no such variable (config.go)", k)
		}
	}
	for _, k := range requiredNodeSettings {
		if !set[k] {
			fail("%s is not set", k)
		}
	}
	if adv, fixed := env["BUNNYBOOK_CLUSTER_ADVERTISE"]; fixed {
		fail("BUNNYBOOK_CLUSTER_ADVERTISE=%q in environment: every replica would advertise it; derive it per container in the entrypoint", adv)
	}
	if h := env["BUNNYBOOK_CLUSTER_HOST"]; isLoopback(h) {
		fail("BUNNYBOOK_CLUSTER_HOST=%q: other nodes cannot reach a loopback bind", h)
	}
	if h := env["BUNNYBOOK_HTTP_ADDR"]; isLoopback(hostOf(h)) {
		fail("BUNNYBOOK_HTTP_ADDR=%q: the load balancer cannot reach a loopback bind", h)
	}
	if s := env["BUNNYBOOK_JWT_SECRET"]; len(s) < 32 {
		fail("BUNNYBOOK_JWT_SECRET is %d bytes, the server wants at least 32", len(s))
	}
	if v := env["BUNNYBOOK_TRUST_PROXY"]; v != "true" {
		fail("BUNNYBOOK_TRUST_PROXY=%q: behind the load balancer every client would share its address", v)
	}
	if v := env["BUNNYBOOK_DATABASE_URL"]; !strings.HasPrefix(v, "postgres://") {
		fail("BUNNYBOOK_DATABASE_URL=%q: a cluster needs the shared PostgreSQL", v)
	}

	shutdown := DefaultConfig().ShutdownTimeout
	if v, ok := env["BUNNYBOOK_SHUTDOWN_TIMEOUT"]; ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			fail("BUNNYBOOK_SHUTDOWN_TIMEOUT=%q: %v", v, err)
		}
		shutdown = d
	}
	grace := 10 * time.Second // Docker's default
	if node.StopGracePeriod != "" {
		d, err := time.ParseDuration(node.StopGracePeriod)
		if err != nil {
			fail("stop_grace_period %q: %v", node.StopGracePeriod, err)
		}
		grace = d
	}
	if grace <= shutdown {
		fail("stop_grace_period %v is not above the drain timeout %v: Docker would SIGKILL draining nodes", grace, shutdown)
	}

	if node.Healthcheck == nil || !strings.Contains(strings.Join(words(node.Healthcheck.Test), " "), "/readyz") {
		fail("no healthcheck on /readyz")
	}
	deps := node.dependsOn()
	for _, dep := range []string{"etcd", "postgres", "redis"} {
		if deps[dep] != "service_healthy" {
			fail("depends_on %s: want condition service_healthy, got %q", dep, deps[dep])
		}
		if s, ok := f.Services[dep]; ok && s.Healthcheck == nil {
			fail("depends_on %s (service_healthy), but %s has no healthcheck", dep, dep)
		}
	}
	return errs
}

func isLoopback(host string) bool {
	return host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1"
}

func hostOf(addr string) string {
	i := strings.LastIndex(addr, ":")
	if i < 0 {
		return addr
	}
	return strings.Trim(addr[:i], "[]")
}

// checkLB checks the load balancer service (the one mounting
// deploy/nginx.conf) and that config.
func checkLB(f composeFile, nodeName string, node composeService, nginxConf []byte) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	lbName, lb := "", composeService{}
	for name, s := range f.Services {
		for _, v := range s.Volumes {
			if strings.Contains(v, "deploy/nginx.conf") {
				lbName, lb = name, s
			}
		}
	}
	if lbName == "" {
		return []error{errors.New("no service mounts deploy/nginx.conf (the load balancer)")}
	}
	if _, ok := lb.dependsOn()[nodeName]; !ok {
		fail("%s: does not depend on %s", lbName, nodeName)
	}

	// The nodes believe X-Forwarded-For only from the load balancer.
	addr := lbAddress(lb)
	if !addr.IsValid() {
		fail("%s: no fixed ipv4_address, so BUNNYBOOK_TRUSTED_PROXIES cannot name it", lbName)
	} else {
		proxies, err := api.ParseProxies(strings.Split(node.env()["BUNNYBOOK_TRUSTED_PROXIES"], ","))
		if err != nil {
			fail("BUNNYBOOK_TRUSTED_PROXIES: %v", err)
		}
		if !slices.ContainsFunc(proxies, func(p netip.Prefix) bool { return p.Contains(addr) }) {
			fail("BUNNYBOOK_TRUSTED_PROXIES=%q does not contain the load balancer's address %s", node.env()["BUNNYBOOK_TRUSTED_PROXIES"], addr)
		}
		for _, n := range f.Networks {
			for _, c := range n.IPAM.Config {
				if r, err := netip.ParsePrefix(c.IPRange); err == nil && r.Contains(addr) {
					fail("%s: ipv4_address %s is inside ip_range %s, where replicas get theirs", lbName, addr, r)
				}
			}
		}
	}
	return append(errs, checkNginx(nginxConf, nodeName)...)
}

// lbAddress returns the fixed ipv4_address of a service, if it has one.
func lbAddress(s composeService) netip.Addr {
	nets, _ := s.Networks.(map[string]any)
	for _, n := range nets {
		if m, ok := n.(map[string]any); ok {
			if a, err := netip.ParseAddr(fmt.Sprint(m["ipv4_address"])); err == nil {
				return a
			}
		}
	}
	return netip.Addr{}
}

func TestCompose(t *testing.T) {
	composeYAML, nginxConf := mustRead(t, composePath), mustRead(t, nginxPath)
	for _, err := range checkCompose(composeYAML, nginxConf) {
		t.Error(err)
	}
}

// TestComposeCatchesMistakes breaks the real files in ways people do and
// expects checkCompose to say so.
func TestComposeCatchesMistakes(t *testing.T) {
	composeYAML, nginxConf := string(mustRead(t, composePath)), string(mustRead(t, nginxPath))
	tests := []struct {
		name, file, old, new, want string
	}{
		{"container name", "compose", "    build: .\n", "    build: .\n    container_name: bunnybook\n", "container_name"},
		{"published port", "compose", "    build: .\n", "    build: .\n    ports: [\"8080:8080\"]\n", "published ports"},
		{"typo in a variable", "compose", "BUNNYBOOK_DATABASE_URL:", "BUNNYBOOK_DATABSE_URL:", "BUNNYBOOK_DATABSE_URL: the server reads no such variable"},
		{"static peers", "compose", "      BUNNYBOOK_CLUSTER_ETCD: etcd:2379\n", "      BUNNYBOOK_CLUSTER_ETCD: etcd:2379\n      BUNNYBOOK_CLUSTER_PEERS: node:6330\n", "BUNNYBOOK_CLUSTER_PEERS: retired"},
		{"no etcd", "compose", "      BUNNYBOOK_CLUSTER_ETCD: etcd:2379\n", "", "BUNNYBOOK_CLUSTER_ETCD is not set"},
		{"fixed advertise", "compose", "      BUNNYBOOK_CLUSTER_HOST: 0.0.0.0\n", "      BUNNYBOOK_CLUSTER_HOST: 0.0.0.0\n      BUNNYBOOK_CLUSTER_ADVERTISE: node:8090\n", "every replica would advertise"},
		{"loopback cluster bind", "compose", "BUNNYBOOK_CLUSTER_HOST: 0.0.0.0", "BUNNYBOOK_CLUSTER_HOST: 127.0.0.1", "loopback bind"},
		{"short secret", "compose", "change-me-to-32-or-more-random-bytes-please", "change-me", "at least 32"},
		{"grace equal to drain", "compose", "stop_grace_period: 15s", "stop_grace_period: 10s", "not above the drain timeout"},
		{"default grace", "compose", "    stop_grace_period: 15s\n", "", "not above the drain timeout"},
		{"health on healthz", "compose", "GET /readyz", "GET /healthz", "no healthcheck on /readyz"},
		{"started, not healthy", "compose", "postgres: { condition: service_healthy }", "postgres: { condition: service_started }", "depends_on postgres"},
		{"no redis", "compose", "\n  redis:\n", "\n  keydb:\n", "service redis is missing"},
		{"lb outside trusted proxies", "compose", "BUNNYBOOK_TRUSTED_PROXIES: 172.28.0.10/32", "BUNNYBOOK_TRUSTED_PROXIES: 10.0.0.0/8", "does not contain the load balancer"},
		{"lb inside replica range", "compose", "ipv4_address: 172.28.0.10", "ipv4_address: 172.28.1.10", "inside ip_range"},
		{"second node service", "compose", "\n  lb:\n", "\n  node-b:\n    build: .\n    environment: { BUNNYBOOK_HTTP_ADDR: 0.0.0.0:8080 }\n\n  lb:\n", "exactly one"},
		{"no resolver", "nginx", "resolver 127.0.0.11 valid=5s ipv6=off;", "", "resolver"},
		{"proxy_pass without variable", "nginx", "proxy_pass http://$bunnybook;\n        proxy_set_header Host $host;\n        # As", "proxy_pass http://node:8080;\n        proxy_set_header Host $host;\n        # As", "resolves once"},
		{"no upgrade", "nginx", "proxy_set_header Upgrade $http_upgrade;", "", "Upgrade"},
		{"xff lost in /ws", "nginx", "proxy_set_header X-Forwarded-For $remote_addr;\n        proxy_set_header X-Forwarded-Proto $scheme;\n        proxy_set_header Upgrade", "proxy_set_header X-Forwarded-Proto $scheme;\n        proxy_set_header Upgrade", "X-Forwarded-For"},
		{"short ws timeout", "nginx", "proxy_read_timeout 1h;", "proxy_read_timeout 30s;", "proxy_read_timeout"},
		{"posts retried", "nginx", "http_504;", "http_504 non_idempotent;", "non_idempotent"},
		{"wrong backend name", "nginx", "set $bunnybook node:8080;", "set $bunnybook bunnybook:8080;", "not the node service"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, n := composeYAML, nginxConf
			target := &c
			if tt.file == "nginx" {
				target = &n
			}
			if !strings.Contains(*target, tt.old) {
				t.Fatalf("%s no longer contains %q; update this case", tt.file, tt.old)
			}
			*target = strings.Replace(*target, tt.old, tt.new, 1)
			errs := checkCompose([]byte(c), []byte(n))
			if !slices.ContainsFunc(errs, func(err error) bool { return strings.Contains(err.Error(), tt.want) }) {
				t.Errorf("got %v, want an error mentioning %q", errs, tt.want)
			}
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
