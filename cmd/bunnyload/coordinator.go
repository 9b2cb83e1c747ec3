package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"
)

// serve runs w: ramp, report ready, wait for the phases, measure, report
// done. Metrics are emitted every second meanwhile.
func (w *Worker) serve(emit func(Message), next func() (Phases, error)) error {
	stop := make(chan struct{})
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				emit(Message{Worker: w.Index, Targets: w.rec.Flush()})
			}
		}
	}()
	defer func() { close(stop); <-flushed }()
	w.Ramp()
	emit(Message{Worker: w.Index, Targets: w.rec.Flush(), Ready: true})
	p, err := next()
	if err != nil {
		w.cancel()
		return err
	}
	w.Measure(p)
	return nil
}

// runWorkerProcess is a worker process: spec is "index/count"; metrics go
// to out as JSON lines, the phases come from in as one line of three unix
// nanosecond times.
func runWorkerProcess(o *Options, spec string, in io.Reader, out io.Writer) error {
	var index, count int
	if _, err := fmt.Sscanf(spec, "%d/%d", &index, &count); err != nil || index < 0 || index >= count {
		return fmt.Errorf("%s=%q: want index/count", workerEnv, spec)
	}
	o.RunID = os.Getenv(runIDEnv)
	users, err := readUsers(o.Users)
	if err != nil {
		return err
	}
	if len(users) < o.Connections {
		return fmt.Errorf("users file has %d users, --connections wants %d", len(users), o.Connections)
	}
	w := NewWorker(o, users, index, count)
	var mu sync.Mutex
	enc := json.NewEncoder(out)
	emit := func(m Message) {
		mu.Lock()
		defer mu.Unlock()
		enc.Encode(m)
	}
	next := func() (Phases, error) {
		line, err := bufio.NewReader(in).ReadString('\n')
		if err != nil {
			return Phases{}, fmt.Errorf("waiting for the start: %w", err)
		}
		var g, e, d int64
		if _, err := fmt.Sscanf(line, "go %d %d %d", &g, &e, &d); err != nil {
			return Phases{}, fmt.Errorf("start line %q: %w", line, err)
		}
		return Phases{time.Unix(0, g), time.Unix(0, e), time.Unix(0, d)}, nil
	}
	err = w.serve(emit, next)
	m := Message{Worker: index, Targets: w.rec.Flush(), Done: true, Ledger: w.ledger()}
	if err != nil {
		m.Err = err.Error()
	}
	emit(m)
	return err
}

// coordinate runs the workers (in this process or as subprocesses),
// merges their metrics, prints progress and builds the report.
func coordinate(ctx context.Context, o *Options, args []string, stderr io.Writer) (*Report, error) {
	stderr = &syncWriter{w: stderr}
	users, err := readUsers(o.Users)
	if err != nil {
		return nil, err
	}
	if len(users) < o.Connections {
		return nil, fmt.Errorf("users file %s has %d users, --connections wants %d (seed more with bunnybook seed --profiles)", o.Users, len(users), o.Connections)
	}
	if per := o.Rate / float64(o.Connections); (o.Scenario == "chat" || o.Scenario == "groups" || o.Scenario == "mixed") && per > 10 {
		fmt.Fprintf(stderr, "bunnyload: warning: %.1f messages/s per connection; the server allows BUNNYBOOK_WS_RATE (default 20) frames/s each\n", per)
	}
	start := time.Now()
	msgs := make(chan Message, 256)
	var starts []func(Phases) error
	if o.Workers == 1 {
		starts = append(starts, startInProcess(o, users, msgs))
	} else {
		for i := range o.Workers {
			s, err := startProcess(ctx, o, args, i, msgs, stderr)
			if err != nil {
				return nil, err
			}
			starts = append(starts, s)
		}
	}
	agg := NewAggregator(start)
	prog := &progress{o: o, out: stderr, start: start}
	ready, done := 0, 0
	var rampTime time.Duration
	var phases Phases
	var errs []error
	var ledger Ledger
	finished := make(chan struct{})
	chaos := func() []ChaosEvent { return nil }
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for done < len(starts) {
		select {
		case m := <-msgs:
			if m.Err != "" {
				errs = append(errs, fmt.Errorf("worker %d: %s", m.Worker, m.Err))
			}
			if err := agg.Add(m, time.Now()); err != nil {
				errs = append(errs, err)
			}
			if m.Ready {
				ready++
				if ready == len(starts) {
					rampTime = time.Since(start)
					now := time.Now().Add(200 * time.Millisecond)
					phases = Phases{now, now.Add(o.Duration), now.Add(o.Duration + o.Drain)}
					prog.phases = &phases
					for _, s := range starts {
						if err := s(phases); err != nil {
							errs = append(errs, err)
						}
					}
					if len(o.Chaos) > 0 {
						chaos = runChaos(ctx, o, phases, start, finished, stderr)
					}
					if o.CPUProfile != "" {
						go profileCPU(o.CPUProfile, phases, stderr)
					}
				}
			}
			if m.Done {
				done++
				ledger.merge(m.Ledger)
			}
		case <-tick.C:
			prog.print(agg)
		case <-ctx.Done():
			close(finished)
			chaos()
			return nil, fmt.Errorf("interrupted: %w", ctx.Err())
		}
	}
	close(finished)
	events := chaos()
	prog.finish()
	if err := agg.Add(missingMessage(o, &ledger), time.Now()); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	r := buildReport(o, agg, start, rampTime)
	r.Chaos = events
	return r, nil
}

// missingMessage counts chat.missing, under each recipient's own target:
// the acked messages that recipient never showed.
func missingMessage(o *Options, l *Ledger) Message {
	m := Message{Worker: -1, Targets: map[string]*Wire{}}
	for to, n := range l.missing() {
		t := o.Targets[to%len(o.Targets)]
		if m.Targets[t] == nil {
			m.Targets[t] = &Wire{Count: map[string]int64{}}
		}
		m.Targets[t].Count["chat.missing"] += n
	}
	return m
}

// startInProcess runs the one worker in this process.
func startInProcess(o *Options, users []User, msgs chan<- Message) func(Phases) error {
	w := NewWorker(o, users, 0, 1)
	ph := make(chan Phases, 1)
	go func() {
		err := w.serve(func(m Message) { msgs <- m }, func() (Phases, error) { return <-ph, nil })
		m := Message{Targets: w.rec.Flush(), Done: true, Ledger: w.ledger()}
		if err != nil {
			m.Err = err.Error()
		}
		msgs <- m
	}()
	return func(p Phases) error { ph <- p; return nil }
}

// startProcess starts worker i as a copy of this executable with the same
// arguments; its JSON lines go to msgs, its stderr to ours.
func startProcess(ctx context.Context, o *Options, args []string, i int, msgs chan<- Message, stderr io.Writer) (func(Phases) error, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find own executable for workers: %w", err)
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d/%d", workerEnv, i, o.Workers), runIDEnv+"="+o.RunID)
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start worker %d: %w", i, err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 64<<20)
		sawDone := false
		for sc.Scan() {
			var m Message
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				msgs <- Message{Worker: i, Err: fmt.Sprintf("bad line from worker: %v", err)}
				continue
			}
			m.Worker = i
			sawDone = sawDone || m.Done
			msgs <- m
		}
		err := cmd.Wait()
		if !sawDone {
			msgs <- Message{Worker: i, Done: true, Err: fmt.Sprintf("exited before finishing: %v", err)}
		}
	}()
	return func(p Phases) error {
		_, err := fmt.Fprintf(stdin, "go %d %d %d\n", p.Go.UnixNano(), p.End.UnixNano(), p.DrainEnd.UnixNano())
		return err
	}, nil
}

// progress prints the live line on stderr.
type progress struct {
	o      *Options
	out    io.Writer
	start  time.Time
	phases *Phases
	wrote  bool
}

func (p *progress) print(agg *Aggregator) {
	if p.o.Quiet {
		return
	}
	series := agg.Series()
	if len(series) < 2 {
		return
	}
	last := series[len(series)-2] // the last complete second
	phase := "ramp"
	now := time.Now()
	switch {
	case p.phases == nil:
	case now.Before(p.phases.End):
		phase = "measure"
	default:
		phase = "drain"
	}
	var errs int64
	for _, pt := range series {
		for k, v := range pt.Count {
			if strings.HasPrefix(k, "errors.") {
				errs += v
			}
		}
	}
	main := mainHistogram(p.o.Scenario)
	line := fmt.Sprintf("%4.0fs %-7s conns %d (+%d/s)  msgs %d/s  errors %d  %s p50 %s p99 %s",
		now.Sub(p.start).Seconds(), phase, last.Gauge["connections.open"], last.Count["connect.ok"],
		last.Count["chat.received"]+last.Count["rest.read.ok"]+last.Count["rest.post.ok"]+last.Count["presence.seen"], errs,
		main, fmtMs(last.P50[main]), fmtMs(last.P99[main]))
	fmt.Fprintf(p.out, "\r%-110s", line)
	p.wrote = true
}

func (p *progress) finish() {
	if p.wrote {
		fmt.Fprintln(p.out)
	}
}

// mainHistogram is the latency the progress line shows for a scenario.
func mainHistogram(scenario string) string {
	switch scenario {
	case "chat", "mixed":
		return "chat.delivery"
	case "presence":
		return "presence.online"
	case "rest":
		return "rest.read"
	}
	return "connect.setup"
}

func fmtMs(v float64) string {
	if v == 0 {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 2, 64) + "ms"
}

// profileCPU writes a CPU profile of this process over the measured phase
// to file (bunnyload's own cost per message: it shares the cores with the
// server it measures).
func profileCPU(file string, p Phases, stderr io.Writer) {
	time.Sleep(time.Until(p.Go))
	f, err := os.Create(file)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintln(stderr, "bunnyload: cpu profile:", err)
		return
	}
	time.Sleep(time.Until(p.End))
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		fmt.Fprintln(stderr, "bunnyload: cpu profile:", err)
	}
}
