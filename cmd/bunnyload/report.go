package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Report is the outcome of a run; it is the JSON report as is.
type Report struct {
	Scenario    string                       `json:"scenario"`
	Targets     []string                     `json:"targets"`
	Connections int                          `json:"connections"`
	Workers     int                          `json:"workers"`
	Rate        float64                      `json:"rate"`
	Started     time.Time                    `json:"started"`
	RampSeconds float64                      `json:"ramp_s"`
	Duration    float64                      `json:"duration_s"`
	Metrics     map[string]Metric            `json:"metrics"`
	PerTarget   map[string]map[string]Metric `json:"per_target"`
	Series      []Point                      `json:"series"`
	Thresholds  []ThresholdResult            `json:"thresholds"`
	Passed      bool                         `json:"passed"`
	Chaos       []ChaosEvent                 `json:"chaos,omitempty"`
}

// Metric is one summarized metric: a latency (milliseconds), a counter
// (count, and rate per second of the measured phase) or a level.
type Metric struct {
	Kind  string  `json:"kind"` // latency, counter or level
	Count int64   `json:"count"`
	Rate  float64 `json:"rate"`
	Value float64 `json:"value,omitempty"` // level: the final value (connect.rate: setups per second of the ramp)
	Peak  float64 `json:"peak,omitempty"`  // level: the highest value seen
	Min   float64 `json:"min_ms,omitempty"`
	Mean  float64 `json:"mean_ms,omitempty"`
	P50   float64 `json:"p50_ms,omitempty"`
	P90   float64 `json:"p90_ms,omitempty"`
	P99   float64 `json:"p99_ms,omitempty"`
	P999  float64 `json:"p999_ms,omitempty"`
	Max   float64 `json:"max_ms,omitempty"`
}

// summarize turns a set into metrics; secs is the measured time.
func summarize(s *set, secs, rampSecs float64, series []Point) map[string]Metric {
	out := map[string]Metric{}
	for name, h := range s.hist {
		out[name] = latency(h, secs)
	}
	for name, n := range s.count {
		out[name] = Metric{Kind: "counter", Count: n, Rate: float64(n) / secs}
	}
	for name, v := range s.gauge {
		m := Metric{Kind: "level", Value: float64(v), Peak: float64(v)}
		for _, p := range series {
			m.Peak = max(m.Peak, float64(p.Gauge[name]))
		}
		out[name] = m
	}
	if ok, has := s.count["connect.ok"]; has && rampSecs > 0 {
		out["connect.rate"] = Metric{Kind: "level", Value: float64(ok) / rampSecs, Peak: float64(ok) / rampSecs}
	}
	if _, has := s.count["chat.acked"]; has {
		lost := max(0, s.count["chat.acked"]-s.count["chat.received"])
		out["chat.lost"] = Metric{Kind: "counter", Count: lost, Rate: float64(lost) / secs}
	}
	// Zero problems are worth showing (and checking) too.
	zeros := []string{}
	if _, ok := s.count["connect.ok"]; ok {
		zeros = append(zeros, "connect.failed", "connections.dropped", "ws.reconnects", "ws.reconnect_failed")
	}
	if _, ok := s.count["chat.sent"]; ok {
		zeros = append(zeros, "chat.lost", "chat.missing", "chat.duplicates", "chat.inversions", "chat.replayed")
	}
	for _, name := range zeros {
		if _, ok := out[name]; !ok {
			out[name] = Metric{Kind: "counter"}
		}
	}
	return out
}

func latency(h *hdrhistogram.Histogram, secs float64) Metric {
	return Metric{Kind: "latency", Count: h.TotalCount(), Rate: float64(h.TotalCount()) / secs,
		Min: ms(h.Min()), Mean: h.Mean() / 1000, P50: ms(h.ValueAtQuantile(50)), P90: ms(h.ValueAtQuantile(90)),
		P99: ms(h.ValueAtQuantile(99)), P999: ms(h.ValueAtQuantile(99.9)), Max: ms(h.Max())}
}

// buildReport summarizes the run and checks the thresholds.
func buildReport(o *Options, agg *Aggregator, start time.Time, ramp time.Duration) *Report {
	series := agg.Series()
	secs := o.Duration.Seconds()
	rampSecs := ramp.Seconds()
	if o.Scenario == "rest" {
		rampSecs = 0
	}
	r := &Report{Scenario: o.Scenario, Targets: o.Targets, Connections: o.Connections, Workers: o.Workers, Rate: o.Rate,
		Started: start, RampSeconds: ramp.Seconds(), Duration: secs, Series: series,
		Metrics: summarize(agg.Total(), secs, rampSecs, series), PerTarget: map[string]map[string]Metric{}, Passed: true}
	for _, t := range agg.Targets() {
		r.PerTarget[t] = summarize(agg.totals[t], secs, rampSecs, nil)
	}
	for _, expr := range o.Thresholds {
		th, _ := parseThreshold(expr) // validated with the options
		res := th.check(r.Metrics)
		r.Thresholds = append(r.Thresholds, res)
		r.Passed = r.Passed && res.OK
	}
	return r
}

// names returns the metric names sorted.
func names(m map[string]Metric) []string {
	var ns []string
	for n := range m {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

// writeSummary prints the summary table.
func writeSummary(w io.Writer, r *Report) {
	fmt.Fprintf(w, "\nbunnyload %s: %d connections, %d worker(s), targets %s, ramp %.1fs, measured %.1fs\n\n",
		r.Scenario, r.Connections, r.Workers, strings.Join(r.Targets, " "), r.RampSeconds, r.Duration)
	sections := []struct {
		title   string
		metrics map[string]Metric
	}{{"all targets", r.Metrics}}
	if len(r.PerTarget) > 1 {
		for _, t := range r.Targets {
			sections = append(sections, struct {
				title   string
				metrics map[string]Metric
			}{t, r.PerTarget[t]})
		}
	}
	for _, s := range sections {
		fmt.Fprintf(w, "%s\n", s.title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "latency (ms)\tcount\t/s\tmin\tmean\tp50\tp90\tp99\tp99.9\tmax\t")
		for _, n := range names(s.metrics) {
			if m := s.metrics[n]; m.Kind == "latency" {
				fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t\n", n, m.Count, m.Rate, m.Min, m.Mean, m.P50, m.P90, m.P99, m.P999, m.Max)
			}
		}
		fmt.Fprintln(tw, "\t\t\t\t\t\t\t\t\t\t")
		fmt.Fprintln(tw, "counter\tcount\t/s\t\t\t\t\t\t\t\t")
		for _, n := range names(s.metrics) {
			if m := s.metrics[n]; m.Kind == "counter" {
				fmt.Fprintf(tw, "%s\t%d\t%.1f\t\t\t\t\t\t\t\t\n", n, m.Count, m.Rate)
			}
		}
		for _, n := range names(s.metrics) {
			if m := s.metrics[n]; m.Kind == "level" {
				fmt.Fprintf(tw, "%s\tnow %.0f\tpeak %.0f\t\t\t\t\t\t\t\t\n", n, m.Value, m.Peak)
			}
		}
		tw.Flush()
		fmt.Fprintln(w)
	}
	for _, e := range r.Chaos {
		if !e.Ran {
			fmt.Fprintf(w, "chaos %s: not run\n", e.Spec)
			continue
		}
		fmt.Fprintf(w, "chaos %s: ran at %.1fs (%.2fs), exit %d %s\n", e.Spec, e.At, e.Took, e.Exit, e.Err)
	}
	if len(r.Chaos) > 0 {
		fmt.Fprintln(w)
	}
	for _, t := range r.Thresholds {
		verdict := "ok  "
		if !t.OK {
			verdict = "FAIL"
		}
		fmt.Fprintf(w, "%s %s (actual %s)\n", verdict, t.Expr, t.Actual)
	}
}

// writeReports writes the JSON and HTML reports that were asked for.
func writeReports(o *Options, r *Report) error {
	if o.ReportJSON != "" {
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.ReportJSON, b, 0o644); err != nil {
			return fmt.Errorf("json report: %w", err)
		}
	}
	if o.ReportHTML != "" {
		f, err := os.Create(o.ReportHTML)
		if err != nil {
			return fmt.Errorf("html report: %w", err)
		}
		if err := writeHTML(f, r); err != nil {
			f.Close()
			return fmt.Errorf("html report: %w", err)
		}
		return f.Close()
	}
	return nil
}

// Threshold is a check such as chat.delivery.p99<50ms.
type Threshold struct {
	Expr   string
	Path   string // all before the operator: a metric name wins over METRIC.FIELD
	Metric string
	Field  string  // "" = the metric's default (count, or value of a level)
	Op     string  // <, <=, >, >= or ==
	Value  float64 // milliseconds for durations
	IsTime bool
}

// ThresholdResult is a checked threshold.
type ThresholdResult struct {
	Expr   string `json:"expr"`
	Actual string `json:"actual"`
	OK     bool   `json:"ok"`
}

var fields = map[string]bool{"p50": true, "p90": true, "p99": true, "p999": true, "max": true, "min": true, "mean": true, "count": true, "rate": true, "value": true, "peak": true}

// parseThreshold parses METRIC[.FIELD] OP VALUE[unit], OP one of <, <=,
// >, >=, ==.
func parseThreshold(expr string) (Threshold, error) {
	i := strings.IndexAny(expr, "<>=")
	op := ""
	if i > 0 {
		op = expr[i : i+1]
		if i+1 < len(expr) && expr[i+1] == '=' {
			op += "="
		}
	}
	if i <= 0 || op == "=" || i+len(op) >= len(expr) {
		return Threshold{}, fmt.Errorf("--threshold %q: want METRIC.FIELD<VALUE (or <=, >, >=, ==), e.g. chat.delivery.p99<50ms or chat.missing==0", expr)
	}
	t := Threshold{Expr: expr, Path: strings.TrimSpace(expr[:i]), Op: op}
	t.Metric = t.Path
	if dot := strings.LastIndex(t.Metric, "."); dot > 0 && fields[t.Metric[dot+1:]] {
		t.Metric, t.Field = t.Metric[:dot], t.Metric[dot+1:]
	}
	v := strings.TrimSuffix(strings.TrimSpace(expr[i+len(op):]), "/s")
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		t.Value = n
	} else if d, err := time.ParseDuration(v); err == nil {
		t.Value, t.IsTime = float64(d)/float64(time.Millisecond), true
	} else {
		return Threshold{}, fmt.Errorf("--threshold %q: %q is not a number or a duration (50ms, 1.5s)", expr, v)
	}
	return t, nil
}

// check evaluates t against the run's metrics; a metric that was never
// recorded counts as zero.
func (t Threshold) check(ms map[string]Metric) ThresholdResult {
	if _, ok := ms[t.Path]; ok && t.Path != t.Metric {
		t.Metric, t.Field = t.Path, ""
	}
	m := ms[t.Metric]
	var v float64
	switch t.Field {
	case "p50":
		v = m.P50
	case "p90":
		v = m.P90
	case "p99":
		v = m.P99
	case "p999":
		v = m.P999
	case "max":
		v = m.Max
	case "min":
		v = m.Min
	case "mean":
		v = m.Mean
	case "rate":
		v = m.Rate
	case "peak":
		v = m.Peak
	case "value":
		v = m.Value
	case "count":
		v = float64(m.Count)
	default:
		v = float64(m.Count)
		if m.Kind == "level" {
			v = m.Value
		}
	}
	actual := strconv.FormatFloat(v, 'f', -1, 64)
	if t.IsTime || (m.Kind == "latency" && t.Field != "count" && t.Field != "rate") {
		actual = strconv.FormatFloat(v, 'f', 3, 64) + "ms"
	}
	var ok bool
	switch t.Op {
	case "<":
		ok = v < t.Value
	case "<=":
		ok = v <= t.Value
	case ">":
		ok = v > t.Value
	case ">=":
		ok = v >= t.Value
	case "==":
		ok = v == t.Value
	}
	return ThresholdResult{Expr: t.Expr, Actual: actual, OK: ok}
}
