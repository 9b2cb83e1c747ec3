package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bunnybook/bunnybook/client"
)

// Phases is when the measured phase starts and ends and when draining
// ends; the coordinator sends it to every worker once all are ready.
type Phases struct {
	Go, End, DrainEnd time.Time
}

// Worker runs one process's share of a scenario: the connections whose
// index modulo Count is Index.
type Worker struct {
	o       *Options
	users   []User
	Index   int
	Count   int
	rec     *Recorder
	runID   string
	conns   []*vconn // by connection index; nil when not this worker's
	byID    map[string]int
	friends [][]int
	groups  []chatGroup    // the groups scenario's plan
	byName  map[string]int // groups by name
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup // reader and pinger goroutines
	rwg     sync.WaitGroup // reconnecting goroutines
	rng     *rand.Rand

	mu       sync.Mutex
	stopping bool // guarded by mu; set when the run ends: no more reconnecting

	presence atomic.Pointer[presencePlan] // set by Measure, read by the readers
}

// vconn is one simulated user and its websocket.
type vconn struct {
	idx      int
	user     *User
	home     int    // index in Options.Targets of the user's own target (idx mod targets)
	target   string // Targets[home]: the scenario's metrics are counted under it, wherever the user reconnects
	local    string // source IP, "" = any
	peers    []int  // the users whose chat messages this user must show: its chat pair or its group's other members
	group    int    // the user's group in Worker.groups (groups scenario), -1 if none
	mu       sync.Mutex
	c        *client.Conn          // guarded by mu; nil when not connected
	closing  bool                  // guarded by mu; set before a deliberate close
	resuming bool                  // guarded by mu; resume sent on c and resume.done not received yet
	chats    map[string]*chatView  // guarded by mu; by chat group id
	numbers  map[int]*numSet       // guarded by mu; message numbers shown, by sender connection index
	acked    numSet                // guarded by mu; numbers of this user's messages acked
	sending  map[string]*inflight  // guarded by mu; chat.send frames not acked yet, by id
	groupID  string                // guarded by mu; the id of group, once learned (groups scenario)
	reads    map[string][]readSent // guarded by mu; chat.read frames sent and not seen yet, by chat group id
	http     *client.Client
}

// NewWorker prepares worker index of count for o.
func NewWorker(o *Options, users []User, index, count int) *Worker {
	w := &Worker{o: o, users: users, Index: index, Count: count, rec: NewRecorder(), runID: o.RunID,
		byID: map[string]int{}, rng: rand.New(rand.NewPCG(o.Seed, uint64(index)))}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	n := o.Connections
	w.conns = make([]*vconn, n)
	transports := map[string]*http.Client{}
	for i := range n {
		w.byID[users[i].ID] = i
		if i%count != index {
			continue
		}
		vc := &vconn{idx: i, user: &users[i], home: i % len(o.Targets), target: o.Targets[i%len(o.Targets)], group: -1,
			chats: map[string]*chatView{}, numbers: map[int]*numSet{}, sending: map[string]*inflight{}}
		if len(o.SourceIPs) > 0 {
			vc.local = o.SourceIPs[i%len(o.SourceIPs)]
		}
		if transports[vc.local] == nil {
			transports[vc.local] = httpClient(vc.local)
		}
		vc.http = &client.Client{BaseURL: strings.TrimRight(vc.target, "/"), HTTP: transports[vc.local], Token: vc.user.AccessToken}
		vc.http.Profile.ID = vc.user.ID
		w.conns[i] = vc
	}
	w.friends = friendsIndex(users, n)
	if o.Scenario == "chat" || o.Scenario == "mixed" {
		for _, p := range chatPairs(users, n) {
			for _, m := range [][2]int{{p.A, p.B}, {p.B, p.A}} {
				if vc := w.conns[m[0]]; vc != nil {
					vc.peers, vc.chats[p.Group] = []int{m[1]}, &chatView{}
				}
			}
		}
	}
	if o.Scenario == "groups" {
		w.groups = chatGroups(users, n, o.GroupSize[0], o.GroupSize[1], o.Seed, o.RunID)
		w.byName = map[string]int{}
		for k, g := range w.groups {
			w.byName[g.Name] = k
			for _, m := range g.Members {
				if vc := w.conns[m]; vc != nil {
					vc.group, vc.peers = k, slices.DeleteFunc(slices.Clone(g.Members), func(x int) bool { return x == m })
				}
			}
		}
	}
	return w
}

// httpClient returns an HTTP client dialing from local ("" = any).
func httpClient(local string) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if local != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(local)}
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext: d.DialContext, MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute,
	}}
}

// mine returns this worker's connections.
func (w *Worker) mine() []*vconn {
	var out []*vconn
	for _, vc := range w.conns {
		if vc != nil {
			out = append(out, vc)
		}
	}
	return out
}

// usesSockets reports whether the scenario holds websockets.
func (w *Worker) usesSockets() bool { return w.o.Scenario != "rest" }

// Ramp opens this worker's websockets, spread evenly over the ramp time.
func (w *Worker) Ramp() {
	if !w.usesSockets() {
		return
	}
	ramp := w.o.rampTime()
	start := time.Now()
	sem := make(chan struct{}, w.o.DialConcurrency)
	var wg sync.WaitGroup
	for _, vc := range w.mine() {
		if ramp > 0 {
			at := start.Add(time.Duration(float64(ramp) * float64(vc.idx) / float64(w.o.Connections)))
			time.Sleep(time.Until(at))
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			w.connect(vc)
		}()
	}
	wg.Wait()
	if w.o.Scenario == "groups" {
		w.createGroups()
	}
}

// dialAttempts is how often connect tries to set up one connection that
// fails (refusals with a retry hint do not count).
const dialAttempts = 3

// connect sets vc up as a client following docs/protocol.md does: an
// upgrade refused with a Retry-After (the node is busy setting up others)
// is tried again after that long plus a random part of it, for as long as
// the run lasts; another refused setup (e.g. close 4011 "reconnect later",
// or a node that is down) a few times with a growing pause, and then, with
// --reconnect, on the other targets in the background.
func (w *Worker) connect(vc *vconn) {
	for attempt := 1; w.ctx.Err() == nil; {
		err := w.dial(vc)
		if err == nil {
			return
		}
		var e *client.Error
		if errors.As(err, &e) && e.RetryAfter > 0 {
			w.rec.Add(vc.target, "connect.busy", 1)
			sleepCtx(w.ctx, e.RetryAfter+time.Duration(rand.Int64N(int64(e.RetryAfter))))
			continue
		}
		if attempt++; attempt > dialAttempts {
			w.comeBack(vc, vc.home, time.Now(), err)
			return
		}
		w.rec.Add(vc.target, "connect.retries", 1)
		sleepCtx(w.ctx, time.Duration(attempt-1)*500*time.Millisecond)
	}
}

// sleepCtx sleeps for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// dial connects vc to its own target and waits for hello; it records the
// setup latency.
func (w *Worker) dial(vc *vconn) error {
	t0 := time.Now()
	c, err := w.open(vc, vc.home)
	var busy *client.Error
	switch {
	case errors.As(err, &busy) && busy.RetryAfter > 0:
		return err // refused before anything was done: not a failure
	case err != nil:
		w.rec.Add(vc.target, "connect.failed", 1)
		w.rec.Add(vc.target, "errors."+errKind(err), 1)
		return err
	}
	w.rec.Observe(vc.target, "connect.setup", time.Since(t0))
	w.rec.Add(vc.target, "connect.ok", 1)
	w.attach(vc, c, vc.home)
	return nil
}

// open dials Targets[node] as vc and waits for hello.
func (w *Worker) open(vc *vconn, node int) (*client.Conn, error) {
	ctx, cancel := context.WithTimeout(w.ctx, 15*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, w.o.Targets[node], vc.user.AccessToken, client.DialOptions{LocalAddr: vc.local})
	if err != nil {
		return nil, err
	}
	// The end of the run (or the timeout) interrupts the wait for hello.
	stop := context.AfterFunc(ctx, func() { c.NetConn().Close() })
	hello, err := c.AwaitType(15*time.Second, "hello")
	if !stop() && err == nil {
		err = ctx.Err()
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	w.onHello(vc, hello)
	return c, nil
}

// attach makes c, connected to Targets[node], vc's connection, and starts
// its reader and pinger.
func (w *Worker) attach(vc *vconn, c *client.Conn, node int) {
	w.rec.Gauge(w.o.Targets[node], "connections.open", 1)
	vc.mu.Lock()
	vc.c, vc.closing, vc.resuming = c, false, false
	vc.mu.Unlock()
	connCtx, stop := context.WithCancel(w.ctx)
	w.wg.Add(2)
	go func() { defer w.wg.Done(); defer stop(); w.read(vc, c, node) }()
	go func() { defer w.wg.Done(); w.ping(connCtx, vc, c) }()
}

// errKind names an error for the errors.* counters.
func errKind(err error) string {
	if s := client.StatusOf(err); s != 0 {
		return "http_" + strconv.Itoa(s)
	}
	var ce *client.CloseError
	if errors.As(err, &ce) {
		return "close_" + strconv.Itoa(ce.Code)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "eof" // the server went away without a close frame
	}
	s := err.Error()
	switch {
	case strings.Contains(s, "timeout"), strings.Contains(s, "timed out"), strings.Contains(s, "deadline"):
		return "timeout"
	case strings.Contains(s, "refused"):
		return "refused"
	case strings.Contains(s, "reset"):
		return "reset"
	case strings.Contains(s, "too many open files"):
		return "too_many_open_files"
	case strings.Contains(s, "cannot assign requested address"):
		return "no_source_port"
	}
	return "other"
}

// ping keeps c alive with an application ping every PingEvery, starting
// at a random offset so pings do not come in waves.
func (w *Worker) ping(ctx context.Context, vc *vconn, c *client.Conn) {
	first := time.Duration(rand.Int64N(int64(w.o.PingEvery)))
	t := time.NewTimer(first)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.SendRaw([]byte(`{"type":"ping"}`)); err != nil {
				return
			}
			t.Reset(w.o.PingEvery)
		}
	}
}

// read dispatches c's frames until it closes.
func (w *Worker) read(vc *vconn, c *client.Conn, node int) {
	for {
		f, err := c.Read(3 * w.o.PingEvery)
		if err != nil {
			w.dropped(vc, c, node, err)
			return
		}
		w.onFrame(vc, f, time.Now())
	}
}

// onFrame handles one server frame received at now.
func (w *Worker) onFrame(vc *vconn, f client.Frame, now time.Time) {
	switch f.Type {
	case "chat.message":
		w.onChatMessage(vc, f, now)
	case "chat.ack":
		w.onChatAck(vc, f, now)
	case "presence":
		w.onPresence(vc, f, now)
	case "group.added":
		w.onGroupAdded(vc, f)
	case "chat.seen":
		w.onSeen(vc, f, now)
	case "resume.done":
		vc.mu.Lock()
		vc.resuming = false
		vc.mu.Unlock()
	case "error":
		var e struct {
			ID   string `json:"id"`
			Code string `json:"code"`
		}
		json.Unmarshal(f.Raw, &e)
		w.rec.Add(vc.target, "errors.frame_"+e.Code, 1)
		if strings.HasPrefix(e.ID, readIDPrefix) {
			w.rec.Add(vc.target, "chat.read.errors", 1)
			return
		}
		if e.Code == "unavailable" || e.Code == "rate_limited" {
			w.retry(vc, e.ID)
		}
	}
}

// send writes a frame on vc's current connection.
func (vc *vconn) send(b []byte) error {
	vc.mu.Lock()
	c := vc.c
	vc.mu.Unlock()
	if c == nil {
		return fmt.Errorf("not connected")
	}
	return c.SendRaw(b)
}

// hangUp closes vc's connection deliberately.
func (vc *vconn) hangUp() {
	vc.mu.Lock()
	c := vc.c
	vc.closing = true
	vc.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

// Measure runs the scenario from p.Go until p.End, then keeps reading
// until p.DrainEnd and closes everything.
func (w *Worker) Measure(p Phases) {
	if w.o.Scenario == "presence" {
		w.planPresence(p, w.o.Rate)
	}
	time.Sleep(time.Until(p.Go))
	var wg sync.WaitGroup
	run := func(f func(Phases, float64), rate float64) {
		wg.Add(1)
		go func() { defer wg.Done(); f(p, rate) }()
	}
	switch w.o.Scenario {
	case "chat":
		run(w.chat, w.o.Rate)
	case "presence":
		run(w.churn, w.o.Rate)
	case "rest":
		run(w.rest, w.o.Rate)
	case "groups":
		run(w.groupChat, w.o.Rate)
	case "mixed":
		run(w.chat, 0.8*w.o.Rate)
		run(w.rest, 0.2*w.o.Rate)
	}
	wg.Wait()
	time.Sleep(time.Until(p.DrainEnd))
	w.mu.Lock()
	w.stopping = true
	w.mu.Unlock()
	w.cancel()
	w.rwg.Wait()
	for _, vc := range w.mine() {
		vc.mu.Lock()
		unacked := len(vc.sending)
		vc.mu.Unlock()
		if unacked > 0 {
			w.rec.Add(vc.target, "chat.unacked", int64(unacked))
		}
		vc.hangUp()
	}
	w.wg.Wait()
}

// pace calls fn(i) for i = 0, 1, … at rate per second from now until
// end, catching up in bursts when it falls behind.
func pace(rate float64, end time.Time, fn func(i int)) {
	if rate <= 0 {
		time.Sleep(time.Until(end))
		return
	}
	interval := time.Duration(float64(time.Second) / rate)
	next := time.Now()
	for i := 0; ; i++ {
		if d := time.Until(next); d > 0 {
			time.Sleep(d)
		}
		if !time.Now().Before(end) {
			return
		}
		fn(i)
		next = next.Add(interval)
	}
}
