package main

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram range: 1 µs to 2 minutes, 3 significant digits.
const (
	histMin     = 1
	histMax     = int64(2 * time.Minute / time.Microsecond)
	histSigFigs = 3
)

func newHist() *hdrhistogram.Histogram { return hdrhistogram.New(histMin, histMax, histSigFigs) }

// set is the metrics of one target: latency histograms (µs), counters and
// gauges, by name.
type set struct {
	hist  map[string]*hdrhistogram.Histogram
	count map[string]int64
	gauge map[string]int64
}

func newSet() *set {
	return &set{hist: map[string]*hdrhistogram.Histogram{}, count: map[string]int64{}, gauge: map[string]int64{}}
}

// merge adds o's histograms and counters into s; gauges of o replace s's.
func (s *set) merge(o *set) {
	for name, h := range o.hist {
		if s.hist[name] == nil {
			s.hist[name] = newHist()
		}
		s.hist[name].Merge(h)
	}
	for name, n := range o.count {
		s.count[name] += n
	}
	for name, n := range o.gauge {
		s.gauge[name] = n
	}
}

// Recorder collects one process's metrics, per target. It is safe for
// concurrent use; Flush hands over what was recorded since the last Flush.
type Recorder struct {
	mu      sync.Mutex
	targets map[string]*set // guarded by mu; histograms and counts since the last Flush
	gauges  map[string]map[string]int64
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder {
	return &Recorder{targets: map[string]*set{}, gauges: map[string]map[string]int64{}}
}

func (r *Recorder) target(t string) *set {
	s := r.targets[t]
	if s == nil {
		s = newSet()
		r.targets[t] = s
	}
	return s
}

// Observe records a latency.
func (r *Recorder) Observe(target, name string, d time.Duration) {
	us := max(d.Microseconds(), histMin)
	r.mu.Lock()
	s := r.target(target)
	h := s.hist[name]
	if h == nil {
		h = newHist()
		s.hist[name] = h
	}
	h.RecordValue(min(us, histMax))
	r.mu.Unlock()
}

// Add adds n to a counter.
func (r *Recorder) Add(target, name string, n int64) {
	r.mu.Lock()
	r.target(target).count[name] += n
	r.mu.Unlock()
}

// Gauge moves a gauge (a level such as open connections) by delta.
func (r *Recorder) Gauge(target, name string, delta int64) {
	r.mu.Lock()
	g := r.gauges[target]
	if g == nil {
		g = map[string]int64{}
		r.gauges[target] = g
	}
	g[name] += delta
	r.target(target)
	r.mu.Unlock()
}

// Flush returns what was recorded since the last Flush, in wire form, and
// the current gauges.
func (r *Recorder) Flush() map[string]*Wire {
	r.mu.Lock()
	targets := r.targets
	r.targets = map[string]*set{}
	gauges := map[string]map[string]int64{}
	for t, g := range r.gauges {
		gauges[t] = make(map[string]int64, len(g))
		for k, v := range g {
			gauges[t][k] = v
		}
		if targets[t] == nil {
			targets[t] = newSet()
		}
	}
	r.mu.Unlock()
	out := map[string]*Wire{}
	for t, s := range targets {
		w := &Wire{Hist: map[string][]byte{}, Count: s.count, Gauge: gauges[t]}
		for name, h := range s.hist {
			b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
			if err != nil {
				panic(fmt.Sprintf("encode histogram: %v", err)) // only fails on a broken writer
			}
			w.Hist[name] = b
		}
		out[t] = w
	}
	return out
}

// Wire is one target's metrics of one interval as a worker sends them:
// histograms in the HdrHistogram V2 compressed encoding (base64 in JSON).
type Wire struct {
	Hist  map[string][]byte `json:"hist,omitempty"`
	Count map[string]int64  `json:"count,omitempty"`
	Gauge map[string]int64  `json:"gauge,omitempty"`
}

func (w *Wire) set() (*set, error) {
	s := newSet()
	for name, b := range w.Hist {
		h, err := hdrhistogram.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("histogram %s: %w", name, err)
		}
		s.hist[name] = h
	}
	for k, v := range w.Count {
		s.count[k] = v
	}
	for k, v := range w.Gauge {
		s.gauge[k] = v
	}
	return s, nil
}

// Message is one JSON line from a worker: an interval's metrics, or the
// news that its connections are up (Ready) or that it finished (Done).
type Message struct {
	Worker  int              `json:"worker"`
	Targets map[string]*Wire `json:"targets,omitempty"`
	Ready   bool             `json:"ready,omitempty"`
	Done    bool             `json:"done,omitempty"`
	Err     string           `json:"err,omitempty"`
	Log     string           `json:"log,omitempty"`
	Ledger  *Ledger          `json:"ledger,omitempty"` // with Done: what the chat scenario acked and showed
}

// Point is one second of the run, over all targets.
type Point struct {
	T     float64            `json:"t"`               // seconds since the start
	Count map[string]int64   `json:"count,omitempty"` // counted in this second
	Gauge map[string]int64   `json:"gauge,omitempty"` // level at the end of the second
	P50   map[string]float64 `json:"p50_ms,omitempty"`
	P99   map[string]float64 `json:"p99_ms,omitempty"`
	Max   map[string]float64 `json:"max_ms,omitempty"`
}

// Aggregator merges worker intervals into totals per target and a series
// of one-second points. It is used by one goroutine.
type Aggregator struct {
	start   time.Time
	totals  map[string]*set
	gauges  map[int]map[string]map[string]int64 // worker → target → name → level
	buckets []*set                              // per second, all targets
}

// NewAggregator starts aggregating at start.
func NewAggregator(start time.Time) *Aggregator {
	return &Aggregator{start: start, totals: map[string]*set{}, gauges: map[int]map[string]map[string]int64{}}
}

// Add merges one worker interval, received at now.
func (a *Aggregator) Add(m Message, now time.Time) error {
	sec := int(now.Sub(a.start) / time.Second)
	for len(a.buckets) <= sec {
		a.buckets = append(a.buckets, nil)
	}
	if a.buckets[sec] == nil {
		a.buckets[sec] = newSet()
	}
	b := a.buckets[sec]
	for t, w := range m.Targets {
		s, err := w.set()
		if err != nil {
			return fmt.Errorf("worker %d: %w", m.Worker, err)
		}
		if a.gauges[m.Worker] == nil {
			a.gauges[m.Worker] = map[string]map[string]int64{}
		}
		a.gauges[m.Worker][t] = s.gauge
		s.gauge = nil
		if a.totals[t] == nil {
			a.totals[t] = newSet()
		}
		a.totals[t].merge(s)
		b.merge(s)
	}
	b.gauge = a.gaugeTotals("")
	for t, s := range a.totals {
		s.gauge = a.gaugeTotals(t)
	}
	return nil
}

// gaugeTotals sums the latest gauges of every worker, for target t ("" = all).
func (a *Aggregator) gaugeTotals(t string) map[string]int64 {
	out := map[string]int64{}
	for _, targets := range a.gauges {
		for target, g := range targets {
			if t != "" && target != t {
				continue
			}
			for k, v := range g {
				out[k] += v
			}
		}
	}
	return out
}

// Total returns the metrics of all targets together.
func (a *Aggregator) Total() *set {
	s := newSet()
	for _, t := range a.Targets() {
		s.merge(a.totals[t])
	}
	s.gauge = a.gaugeTotals("")
	return s
}

// Targets returns the targets seen, sorted.
func (a *Aggregator) Targets() []string {
	var ts []string
	for t := range a.totals {
		ts = append(ts, t)
	}
	sort.Strings(ts)
	return ts
}

// Series returns one point per second so far; gauges carry over seconds
// in which no interval arrived.
func (a *Aggregator) Series() []Point {
	points := make([]Point, 0, len(a.buckets))
	var last map[string]int64
	for i, b := range a.buckets {
		p := Point{T: float64(i + 1), Count: map[string]int64{}, P50: map[string]float64{}, P99: map[string]float64{}, Max: map[string]float64{}}
		if b == nil {
			p.Gauge = last
			points = append(points, p)
			continue
		}
		p.Count, p.Gauge, last = b.count, b.gauge, b.gauge
		for name, h := range b.hist {
			if h.TotalCount() == 0 {
				continue
			}
			p.P50[name] = ms(h.ValueAtQuantile(50))
			p.P99[name] = ms(h.ValueAtQuantile(99))
			p.Max[name] = ms(h.Max())
		}
		points = append(points, p)
	}
	return points
}

// ms converts microseconds to milliseconds.
func ms(us int64) float64 { return float64(us) / 1000 }
