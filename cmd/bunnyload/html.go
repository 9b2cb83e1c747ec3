package main

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strings"
)

// mark is a labelled instant of a chart, in seconds since the start.
type mark struct {
	At    float64
	Label string
}

// line is one series of a chart.
type line struct {
	Name string
	Y    []float64 // one value per second; NaN = no value
}

var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"}

// svgChart draws lines over seconds as an inline SVG.
// marks are phase boundaries drawn as dashed vertical lines, in seconds.
func svgChart(title, unit string, lines []line, marks ...mark) template.HTML {
	const w, h, left, right, top, bottom = 760.0, 260.0, 60.0, 170.0, 28.0, 30.0
	n, ymax := 0, 0.0
	for _, l := range lines {
		n = max(n, len(l.Y))
		for _, y := range l.Y {
			if !math.IsNaN(y) {
				ymax = max(ymax, y)
			}
		}
	}
	if ymax == 0 {
		ymax = 1
	}
	ymax = niceCeil(ymax)
	pw, ph := w-left-right, h-top-bottom
	x := func(i int) float64 { return left + pw*float64(i)/float64(max(n-1, 1)) }
	y := func(v float64) float64 { return top + ph*(1-v/ymax) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="11">`, w, h, w, h)
	fmt.Fprintf(&b, `<text x="%.0f" y="16" font-size="13" font-weight="bold">%s</text>`, left, template.HTMLEscapeString(title))
	for i := 0; i <= 4; i++ {
		v := ymax * float64(i) / 4
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#ddd"/>`, left, left+pw, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`, left-4, y(v)+4, trimFloat(v))
	}
	fmt.Fprintf(&b, `<text x="8" y="%.0f" transform="rotate(-90 8 %.0f)" text-anchor="middle">%s</text>`, top+ph/2, top+ph/2, template.HTMLEscapeString(unit))
	for i := 0; i < n; i += max(1, n/8) {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle">%ds</text>`, x(i), h-10, i+1)
	}
	for _, m := range marks {
		// Point i is second i+1 of the run.
		if i := m.At - 1; i >= 0 && i <= float64(n-1) {
			px := left + pw*i/float64(max(n-1, 1))
			fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.0f" y2="%.0f" stroke="#999" stroke-dasharray="4 3"/><text x="%.1f" y="%.0f" fill="#666">%s</text>`,
				px, px, top, top+ph, px+3, top+10, template.HTMLEscapeString(m.Label))
		}
	}
	for k, l := range lines {
		color := palette[k%len(palette)]
		// One polyline per run of seconds with values: gaps stay gaps.
		var pts []string
		flush := func() {
			if len(pts) > 0 {
				fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.6" points="%s"/>`, color, strings.Join(pts, " "))
			}
			pts = pts[:0]
		}
		for i, v := range l.Y {
			if math.IsNaN(v) {
				flush()
				continue
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(v)))
		}
		flush()
		ly := top + 14*float64(k)
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="10" height="3" fill="%s"/><text x="%.0f" y="%.0f">%s</text>`,
			left+pw+10, ly, color, left+pw+24, ly+4, template.HTMLEscapeString(l.Name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func trimFloat(v float64) string {
	s := fmt.Sprintf("%.3f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

// charts builds the report's charts from the series.
func charts(r *Report) []template.HTML {
	var latencies, counters []string
	for _, n := range names(r.Metrics) {
		switch r.Metrics[n].Kind {
		case "latency":
			latencies = append(latencies, n)
		case "counter":
			if !strings.HasPrefix(n, "errors.") && n != "chat.lost" && n != "chat.missing" {
				counters = append(counters, n)
			}
		}
	}
	var errorNames []string
	for _, n := range names(r.Metrics) {
		if strings.HasPrefix(n, "errors.") {
			errorNames = append(errorNames, n)
		}
	}
	get := func(f func(p Point) (float64, bool)) []float64 {
		ys := make([]float64, len(r.Series))
		for i, p := range r.Series {
			v, ok := f(p)
			if !ok {
				v = math.NaN()
			}
			ys[i] = v
		}
		return ys
	}
	marks := []mark{{r.RampSeconds, "measure"}, {r.RampSeconds + r.Duration, "drain"}}
	for _, e := range r.Chaos {
		if e.Ran {
			marks = append(marks, mark{e.At, e.Spec})
		}
	}
	var out []template.HTML
	for _, n := range latencies {
		out = append(out, svgChart("latency percentiles over time: "+n, "ms", []line{
			{"p50", get(func(p Point) (float64, bool) { v, ok := p.P50[n]; return v, ok })},
			{"p99", get(func(p Point) (float64, bool) { v, ok := p.P99[n]; return v, ok })},
			{"max", get(func(p Point) (float64, bool) { v, ok := p.Max[n]; return v, ok })},
		}, marks...))
	}
	var tput []line
	for _, n := range counters {
		tput = append(tput, line{n, get(func(p Point) (float64, bool) { return float64(p.Count[n]), true })})
	}
	out = append(out, svgChart("throughput", "per second", tput, marks...))
	out = append(out, svgChart("open connections", "connections", []line{
		{"connections.open", get(func(p Point) (float64, bool) { return float64(p.Gauge["connections.open"]), true })},
	}, marks...))
	if len(errorNames) > 0 {
		var errs []line
		for _, n := range errorNames {
			errs = append(errs, line{n, get(func(p Point) (float64, bool) { return float64(p.Count[n]), true })})
		}
		out = append(out, svgChart("errors", "per second", errs, marks...))
	}
	return out
}

var page = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>bunnyload {{.R.Scenario}} report</title>
<style>
body { font-family: sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; margin: 8px 0 20px; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
td:first-child, th:first-child { text-align: left; }
.fail { color: #b00; font-weight: bold; } .ok { color: #070; }
svg.chart { display: block; margin: 12px 0; border: 1px solid #eee; }
</style></head><body>
<h1>bunnyload: {{.R.Scenario}}</h1>
<p>{{.R.Connections}} connections, {{.R.Workers}} worker(s), rate {{.R.Rate}}, started {{.R.Started.Format "2006-01-02 15:04:05 MST"}},
ramp {{printf "%.1f" .R.RampSeconds}} s, measured {{printf "%.1f" .R.Duration}} s. Targets: {{range .R.Targets}}<code>{{.}}</code> {{end}}</p>
{{if .R.Thresholds}}<h2>Thresholds</h2><table><tr><th>check</th><th>actual</th><th>result</th></tr>
{{range .R.Thresholds}}<tr><td><code>{{.Expr}}</code></td><td>{{.Actual}}</td><td class="{{if .OK}}ok">pass{{else}}fail">FAIL{{end}}</td></tr>{{end}}</table>{{end}}
{{if .R.Chaos}}<h2>Chaos</h2><table><tr><th>event</th><th>command</th><th>ran at (s)</th><th>took (s)</th><th>exit</th></tr>
{{range .R.Chaos}}<tr><td><code>{{.Spec}}</code></td><td><code>{{range .Args}}{{.}} {{end}}</code></td>{{if .Ran}}<td>{{printf "%.1f" .At}}</td><td>{{printf "%.2f" .Took}}</td><td class="{{if eq .Exit 0}}ok{{else}}fail{{end}}">{{.Exit}} {{.Err}}</td>{{else}}<td colspan="3">not run</td>{{end}}</tr>{{end}}</table>{{end}}
{{range .Sections}}<h2>{{.Title}}</h2>
<table><tr><th>latency (ms)</th><th>count</th><th>/s</th><th>min</th><th>mean</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>
{{range .Latencies}}<tr><td>{{.Name}}</td><td>{{.M.Count}}</td><td>{{printf "%.1f" .M.Rate}}</td><td>{{printf "%.2f" .M.Min}}</td><td>{{printf "%.2f" .M.Mean}}</td><td>{{printf "%.2f" .M.P50}}</td><td>{{printf "%.2f" .M.P90}}</td><td>{{printf "%.2f" .M.P99}}</td><td>{{printf "%.2f" .M.P999}}</td><td>{{printf "%.2f" .M.Max}}</td></tr>{{end}}
</table>
<table><tr><th>counter / level</th><th>count or value</th><th>/s or peak</th></tr>
{{range .Others}}<tr><td>{{.Name}}</td>{{if eq .M.Kind "level"}}<td>{{printf "%.0f" .M.Value}}</td><td>peak {{printf "%.0f" .M.Peak}}</td>{{else}}<td>{{.M.Count}}</td><td>{{printf "%.1f" .M.Rate}}</td>{{end}}</tr>{{end}}
</table>{{end}}
<h2>Over time</h2>
{{range .Charts}}{{.}}{{end}}
</body></html>
`))

type named struct {
	Name string
	M    Metric
}

type section struct {
	Title             string
	Latencies, Others []named
}

func sectionOf(title string, ms map[string]Metric) section {
	s := section{Title: title}
	for _, n := range names(ms) {
		if ms[n].Kind == "latency" {
			s.Latencies = append(s.Latencies, named{n, ms[n]})
		} else {
			s.Others = append(s.Others, named{n, ms[n]})
		}
	}
	return s
}

// writeHTML writes the self-contained HTML report: tables and inline SVG
// charts, no scripts, nothing fetched.
func writeHTML(w io.Writer, r *Report) error {
	sections := []section{sectionOf("All targets", r.Metrics)}
	if len(r.PerTarget) > 1 {
		ts := append([]string(nil), r.Targets...)
		sort.Strings(ts)
		for _, t := range ts {
			sections = append(sections, sectionOf("Target "+t, r.PerTarget[t]))
		}
	}
	return page.Execute(w, struct {
		R        *Report
		Sections []section
		Charts   []template.HTML
	}{r, sections, charts(r)})
}
