package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ChaosEvent is one node event of --chaos and what became of it.
type ChaosEvent struct {
	Spec   string   `json:"spec"`   // as given, e.g. kill:2@10s
	Action string   `json:"action"` // kill, drain, pause or add
	Node   int      `json:"node,omitempty"`
	Offset float64  `json:"offset_s"`          // seconds after the start of the measured phase
	Pause  float64  `json:"pause_s,omitempty"` // pause: seconds the node stays stopped
	Args   []string `json:"args"`              // given to --chaos-cmd
	Ran    bool     `json:"ran"`
	At     float64  `json:"at_s,omitempty"`   // when it ran, seconds since the run started
	Took   float64  `json:"took_s,omitempty"` // how long the command ran, seconds
	Exit   int      `json:"exit"`             // its exit status; -1 when it did not run or was killed
	Err    string   `json:"error,omitempty"`
}

// parseChaos parses a comma list of ACTION[:NODE]@OFFSET[:PAUSE]: kill:2@10s,
// drain:3@30s, pause:1@20s:5s, add@40s.
func parseChaos(spec string) ([]ChaosEvent, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, nil
	}
	var out []ChaosEvent
	for _, item := range strings.Split(spec, ",") {
		e, err := parseChaosEvent(strings.TrimSpace(item))
		if err != nil {
			return nil, fmt.Errorf("--chaos %q: %w", item, err)
		}
		out = append(out, e)
	}
	return out, nil
}

func parseChaosEvent(item string) (ChaosEvent, error) {
	e := ChaosEvent{Spec: item, Exit: -1}
	what, when, ok := strings.Cut(item, "@")
	if !ok {
		return e, errors.New("want ACTION[:NODE]@OFFSET[:PAUSE], e.g. kill:2@10s or pause:1@20s:5s")
	}
	action, node, hasNode := strings.Cut(what, ":")
	offset, pause, hasPause := strings.Cut(when, ":")
	d, err := time.ParseDuration(offset)
	if err != nil || d < 0 {
		return e, fmt.Errorf("offset %q is not a duration such as 10s", offset)
	}
	e.Action, e.Offset = action, d.Seconds()
	if hasNode {
		if e.Node, err = strconv.Atoi(node); err != nil || e.Node < 0 {
			return e, fmt.Errorf("node %q is not a node number", node)
		}
	}
	switch action {
	case "kill", "drain", "pause":
		if !hasNode {
			return e, fmt.Errorf("%s needs a node: %s:I@OFFSET", action, action)
		}
		e.Args = []string{action, node}
	case "add":
		if hasNode {
			return e, errors.New("add takes no node: add@OFFSET")
		}
		e.Args = []string{action}
	default:
		return e, fmt.Errorf("action %q: want kill, drain, pause or add", action)
	}
	if hasPause != (action == "pause") {
		return e, errors.New("a pause, and only a pause, takes a length: pause:I@OFFSET:LENGTH")
	}
	if hasPause {
		p, err := time.ParseDuration(pause)
		if err != nil || p <= 0 {
			return e, fmt.Errorf("pause length %q is not a positive duration", pause)
		}
		e.Pause = p.Seconds()
		e.Args = append(e.Args, strconv.FormatFloat(e.Pause, 'f', -1, 64))
	}
	return e, nil
}

// runChaos runs o's chaos events at their offsets from p.Go, logging each
// on log; an event not due before done is closed is not run. The returned
// function waits for the events and returns what became of them.
func runChaos(ctx context.Context, o *Options, p Phases, start time.Time, done <-chan struct{}, log io.Writer) func() []ChaosEvent {
	events := append([]ChaosEvent(nil), o.Chaos...)
	var wg sync.WaitGroup
	for i := range events {
		e := &events[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTimer(time.Until(p.Go.Add(time.Duration(e.Offset * float64(time.Second)))))
			defer t.Stop()
			select {
			case <-t.C:
			case <-done:
				fmt.Fprintf(log, "\nbunnyload: chaos %s: not run, the run ended first\n", e.Spec)
				return
			case <-ctx.Done():
				return
			}
			runChaosEvent(ctx, o.ChaosCmd, e, start, log)
		}()
	}
	return func() []ChaosEvent { wg.Wait(); return events }
}

// runChaosEvent runs one event's command and records its outcome in e.
func runChaosEvent(ctx context.Context, command string, e *ChaosEvent, start time.Time, log io.Writer) {
	t0 := time.Now()
	e.Ran, e.At = true, t0.Sub(start).Seconds()
	cmd := exec.CommandContext(ctx, command, e.Args...)
	cmd.Stdout, cmd.Stderr = log, log
	// A node started by "add" may keep the output pipe open: stop waiting
	// for it soon after the command itself has exited.
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	e.Took = time.Since(t0).Seconds()
	var exit *exec.ExitError
	switch {
	case err == nil, errors.Is(err, exec.ErrWaitDelay):
		e.Exit = 0
	case errors.As(err, &exit):
		e.Exit, e.Err = exit.ExitCode(), err.Error()
	default:
		e.Err = err.Error()
	}
	fmt.Fprintf(log, "\nbunnyload: chaos %s at %.1fs: %s %s → exit %d in %.2fs %s\n",
		e.Spec, e.At, command, strings.Join(e.Args, " "), e.Exit, e.Took, e.Err)
}

// syncWriter serializes writes to w, which progress lines, chaos logs and
// worker processes' stderr share.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}
