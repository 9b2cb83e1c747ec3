package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bunnybook/bunnybook/metrics"
	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"
)

var (
	dashboardPath  = filepath.Join("..", "..", "deploy", "grafana", "bunnybook.json")
	prometheusPath = filepath.Join("..", "..", "deploy", "prometheus.yml")
)

// pendingMetrics are metrics being added by the etcd membership work; the
// dashboard may chart them before they land. Remove a name once metrics/
// defines it.
var pendingMetrics = []string{"bunnybook_cluster_membership_changes_total"}

// serverMetrics returns every metric name the server exports: what a fresh
// metrics.Set gathers (Go runtime and process collectors included) and the
// names declared in metrics/ (vectors gather nothing until a label is used).
func serverMetrics(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	reg := prometheus.NewRegistry()
	metrics.New(reg)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		names[f.GetName()] = true
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "metrics", "*.go"))
	for _, path := range files {
		for _, m := range regexp.MustCompile(`Name:\s*"(\w+)"`).FindAllStringSubmatch(string(mustRead(t, path)), -1) {
			names[m[1]] = true
		}
	}
	for _, name := range pendingMetrics {
		names[name] = true
	}
	return names
}

var metricNameRE = regexp.MustCompile(`\b(?:bunnybook|go|process)_[a-zA-Z0-9_]+`)

// checkDashboard parses a Grafana dashboard and checks that every metric its
// queries use is one the server exports.
func checkDashboard(src []byte, known map[string]bool) []error {
	var dash any
	if err := json.Unmarshal(src, &dash); err != nil {
		return []error{fmt.Errorf("dashboard: %w", err)}
	}
	var exprs []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if e, ok := v["expr"].(string); ok {
				exprs = append(exprs, e)
			}
			for _, child := range v {
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(dash)
	var errs []error
	if len(exprs) == 0 {
		errs = append(errs, fmt.Errorf("dashboard: no queries"))
	}
	for _, e := range exprs {
		for _, name := range metricNameRE.FindAllString(e, -1) {
			base := name
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				if !known[base] && strings.HasSuffix(base, suffix) {
					base = strings.TrimSuffix(base, suffix)
				}
			}
			if !known[base] {
				errs = append(errs, fmt.Errorf("dashboard: %s (in %q) is not a metric the server exports (metrics/)", name, e))
			}
		}
	}
	return errs
}

func TestComposeDashboard(t *testing.T) {
	known := serverMetrics(t)
	src := mustRead(t, dashboardPath)
	for _, err := range checkDashboard(src, known) {
		t.Error(err)
	}
	broken := strings.Replace(string(src), "bunnybook_chat_messages_acked_total", "bunnybook_chat_messages_ack_total", 1)
	if errs := checkDashboard([]byte(broken), known); len(errs) == 0 {
		t.Error("a misspelt metric in the dashboard went unnoticed")
	}
}

// TestComposePrometheus checks that the scrape config parses and finds the
// compose node service on its HTTP port.
func TestComposePrometheus(t *testing.T) {
	var cfg struct {
		ScrapeConfigs []struct {
			MetricsPath string `yaml:"metrics_path"`
			DNSSD       []struct {
				Names []string `yaml:"names"`
				Port  int      `yaml:"port"`
			} `yaml:"dns_sd_configs"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal(mustRead(t, prometheusPath), &cfg); err != nil {
		t.Fatalf("deploy/prometheus.yml: %v", err)
	}
	var f composeFile
	if err := yaml.Unmarshal(mustRead(t, composePath), &f); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, sc := range cfg.ScrapeConfigs {
		for _, sd := range sc.DNSSD {
			for _, name := range sd.Names {
				node, ok := f.Services[name]
				if !ok || !isNode(node) {
					t.Errorf("deploy/prometheus.yml scrapes %q, which is not the compose node service", name)
					continue
				}
				if want := "0.0.0.0:" + fmt.Sprint(sd.Port); node.env()["BUNNYBOOK_HTTP_ADDR"] != want {
					t.Errorf("deploy/prometheus.yml scrapes port %d, the nodes listen on %q", sd.Port, node.env()["BUNNYBOOK_HTTP_ADDR"])
				}
				found = found || sc.MetricsPath == "/metrics"
			}
		}
	}
	if !found {
		t.Error("deploy/prometheus.yml has no /metrics job discovering the node service")
	}
	if _, err := os.Stat(filepath.Join("..", "..", "deploy", "grafana", "provisioning", "dashboards", "bunnybook.yml")); err != nil {
		t.Errorf("grafana provisioning: %v", err)
	}
}
