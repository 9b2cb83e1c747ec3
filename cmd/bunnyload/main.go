package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Options are bunnyload's flags.
type Options struct {
	Targets         []string      // server base URLs; connection i goes to Targets[i % len]
	Users           string        // users file written by `bunnybook seed`
	Scenario        string        // connect, chat, groups, presence, rest or mixed
	Connections     int           // simulated users (websockets, or REST users for rest)
	Duration        time.Duration // length of the measured phase, after the ramp
	Rate            float64       // scenario rate per second (see usage)
	Ramp            time.Duration // spread connection setup over this long; 0 = as fast as possible
	Workers         int           // worker processes; 1 = run in this process
	SourceIPs       []string      // source addresses, round-robin over connections
	ReportJSON      string        // write the JSON report here
	ReportHTML      string        // write the HTML report here
	Thresholds      []string      // checks that set the exit code
	PingEvery       time.Duration // application ping interval per connection; default 25s
	Drain           time.Duration // keep reading this long after the measured phase; default 3s
	DialConcurrency int           // dials in flight per worker; default 64
	Seed            uint64        // random seed of the presence schedule and group sizes
	GroupSize       [2]int        // groups: members per group, at least and at most; default 5–20
	ReadRatio       float64       // chat, groups: share of received messages marked read (chat.read); default 0
	Quiet           bool          // no progress line
	Reconnect       bool          // reconnect dropped connections and resume; default true
	ReconnectBase   time.Duration // reconnect backoff: first pause up to this; default 100ms
	ReconnectCap    time.Duration // reconnect backoff: pauses up to this at most; default 5s
	Chaos           []ChaosEvent  // node events to run during the measured phase (coordinator only)
	ChaosCmd        string        // the command they run; default scripts/cluster.sh
	RunID           string        // set by the coordinator: tags this run's messages
	CPUProfile      string        // write a CPU profile of this process over the measured phase here (coordinator only)
}

const usage = `bunnyload drives load against Bunnybook servers through the public protocol.

usage: bunnyload --target http://HOST:PORT [--target …] --users users.jsonl --scenario S
                 --connections N --duration D [--rate R] [--ramp D] [--workers W]
                 [--source-ips 127.0.0.1-127.0.0.8] [--report-json F] [--report-html F]
                 [--threshold 'chat.delivery.p99<50ms' …] [--chaos 'kill:2@10s,…']

A run has three phases: ramp (open N authenticated websockets, pinging every 25 s), measure
(the scenario, for --duration) and drain (--drain: keep reading so late messages count).

scenarios:
  connect   ramp up and hold N connections; setup latency (connect.setup), connect.ok,
            connect.failed, connect.rate (connections/s during the ramp), drops.
            --rate sets the setup rate (connections/s) instead of --ramp.
  chat      pairs of friends chat, both ways, at --rate messages/s in total: chat.ack (send →
            ack) and chat.delivery (send → recipient) latencies; chat.missing, chat.duplicates
            and chat.inversions check that every acked message is shown once and in seq order,
            across reconnects; chat.replayed counts those that came by resume, not live.
            --read-ratio F: the recipient marks that share of live messages read (chat.read of
            its seq), as the web UI does with the chat open: chat.read.sent, chat.read.seen
            (its own chat.seen came back: the pointer moved), chat.read.errors, and chat.read
            (chat.read sent → own chat.seen) latencies. The groups scenario takes it too.
  groups    the users form disjoint group chats of --group-size members (each creator and
            their friends; created over REST at the end of the ramp, as groups.created), and
            every member sends to their group at --rate messages/s in total: the same chat.*
            latencies and checks, for every member (a message reaches size − 1 of them).
  presence  users go offline and come back, --rate events/s: presence.online is the time from
            the user starting to connect until each online friend gets the presence frame.
  rest      N users read friends' walls (4 of 5) and post on their own (1 of 5) at --rate
            requests/s: rest.read and rest.post latencies.
  mixed     chat at 80% and rest at 20% of --rate, on N connections.

The server limits each websocket to BUNNYBOOK_WS_RATE frames/s (default 20): keep
--rate / connections well below it, or start the server with a higher BUNNYBOOK_WS_RATE.
For rest, start it with BUNNYBOOK_RATE_LIMITS=false (REST limits are per client IP).
Users files come from 'bunnybook seed'; their tokens must be valid for the target servers.

Beyond one process's open-file limit, --workers W runs W worker processes (this binary
again), each with every W-th connection; they stream metrics to this process, which merges
them and reports per target. --source-ips spreads connections over source addresses
(127.0.0.x all reach a server on 127.0.0.1) to get past the ~28 000 ephemeral ports of one.

A dropped connection (except close 4029 and 4001) is reconnected with a jittered exponential
backoff, to the next target first, then resumed: resume with each chat's highest seq, and the
chat.send frames not acked yet resent with the same ids (ws.reconnects, ws.reconnect_failed,
ws.rehello: drop → new hello). --chaos runs node events at offsets into the measured phase:
'kill:2@10s,drain:3@30s,pause:1@20s:5s,add@40s' runs "--chaos-cmd kill 2" at 10 s, and so on.

Thresholds: METRIC.FIELD<VALUE, <=, >, >= or ==, e.g. chat.delivery.p99<50ms, connect.failed<1,
connect.rate>1000, chat.missing==0, ws.reconnects>0, rest.read.p50<20ms. Fields of latencies: p50 p90 p99
p999 max min mean count rate; of counters: count (the default) and rate (per second of the
measured phase). Any failing threshold exits with status 1; errors exit with status 2.

flags:
`

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// parseOptions parses args.
func parseOptions(args []string, out io.Writer) (*Options, error) {
	o := &Options{}
	fs := flag.NewFlagSet("bunnyload", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() { fmt.Fprint(out, usage); fs.PrintDefaults() }
	var targets, thresholds listFlag
	var sources, chaos, groupSize string
	fs.Var(&targets, "target", "server base URL, e.g. http://127.0.0.1:8080 (repeat for several nodes)")
	fs.StringVar(&o.Users, "users", "users.jsonl", "users file from `bunnybook seed`")
	fs.StringVar(&o.Scenario, "scenario", "connect", "connect, chat, groups, presence, rest or mixed")
	fs.IntVar(&o.Connections, "connections", 100, "number of simulated users (websocket connections)")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "length of the measured phase (after the ramp)")
	fs.Float64Var(&o.Rate, "rate", 0, "connect: connections/s; chat, groups: messages/s; presence: events/s; rest, mixed: requests/s (defaults: connect unlimited, chat 100, presence 5, rest 100)")
	fs.DurationVar(&o.Ramp, "ramp", 0, "spread connection setup over this long (0 = as fast as --dial-concurrency allows)")
	fs.IntVar(&o.Workers, "workers", 1, "worker processes (1 = everything in this process)")
	fs.StringVar(&sources, "source-ips", "", "source addresses: a range 127.0.0.1-127.0.0.8 or a comma list (default: any)")
	fs.StringVar(&o.ReportJSON, "report-json", "", "write the JSON report to this file")
	fs.StringVar(&o.ReportHTML, "report-html", "", "write the self-contained HTML report to this file")
	fs.Var(&thresholds, "threshold", "check such as 'chat.delivery.p99<50ms' (repeatable); a failure exits 1")
	fs.DurationVar(&o.PingEvery, "ping-every", 25*time.Second, "application ping interval per connection (the server closes idle ones after 60 s)")
	fs.DurationVar(&o.Drain, "drain", 3*time.Second, "keep reading this long after the measured phase")
	fs.IntVar(&o.DialConcurrency, "dial-concurrency", 64, "connection setups in flight per worker")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed (presence schedule, group sizes)")
	fs.StringVar(&groupSize, "group-size", "5-20", "groups: members per group (creator included), MIN-MAX, 3 ≤ MIN ≤ MAX ≤ 50")
	fs.Float64Var(&o.ReadRatio, "read-ratio", 0, "chat, groups: share of received live messages the recipient marks read with chat.read (0–1; 1 = every one, as the web UI with the chat open)")
	fs.BoolVar(&o.Quiet, "quiet", false, "no live progress line on stderr")
	fs.BoolVar(&o.Reconnect, "reconnect", true, "reconnect dropped connections (backoff, next target first) and resume their chats")
	fs.DurationVar(&o.ReconnectBase, "reconnect-base", 100*time.Millisecond, "reconnect backoff: the first pause is random up to this, doubling each attempt")
	fs.DurationVar(&o.ReconnectCap, "reconnect-cap", 5*time.Second, "reconnect backoff: pauses are random up to this at most")
	fs.StringVar(&chaos, "chaos", "", "node events during the measured phase: 'kill:2@10s,drain:3@30s,pause:1@20s:5s,add@40s' (ACTION[:NODE]@OFFSET[:PAUSE])")
	fs.StringVar(&o.CPUProfile, "cpu-profile", "", "write a CPU profile of this process (with --workers 1: the whole load) over the measured phase to this file")
	fs.StringVar(&o.ChaosCmd, "chaos-cmd", "scripts/cluster.sh", "command --chaos runs: CMD kill I, CMD drain I, CMD pause I SECONDS, CMD add")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	o.Targets, o.Thresholds = targets, thresholds
	var err error
	if o.SourceIPs, err = parseSources(sources); err != nil {
		return nil, err
	}
	if o.Chaos, err = parseChaos(chaos); err != nil {
		return nil, err
	}
	if _, err := fmt.Sscanf(groupSize, "%d-%d", &o.GroupSize[0], &o.GroupSize[1]); err != nil {
		return nil, fmt.Errorf("--group-size %q: want MIN-MAX, e.g. 5-20", groupSize)
	}
	return o, o.validate()
}

func (o *Options) validate() error {
	var errs []error
	if len(o.Targets) == 0 {
		errs = append(errs, errors.New("--target: at least one is needed"))
	}
	for i, t := range o.Targets {
		if !strings.HasPrefix(t, "http://") && !strings.HasPrefix(t, "https://") {
			errs = append(errs, fmt.Errorf("--target %q: must start with http:// or https://", t))
		}
		o.Targets[i] = strings.TrimRight(t, "/")
	}
	switch o.Scenario {
	case "connect", "chat", "groups", "presence", "rest", "mixed":
	default:
		errs = append(errs, fmt.Errorf("--scenario %q: must be connect, chat, groups, presence, rest or mixed", o.Scenario))
	}
	if o.Rate == 0 {
		o.Rate = map[string]float64{"chat": 100, "groups": 100, "presence": 5, "rest": 100, "mixed": 100}[o.Scenario]
	}
	if lo, hi := o.GroupSize[0], o.GroupSize[1]; lo < 3 || lo > hi || hi > 50 {
		errs = append(errs, fmt.Errorf("--group-size %d-%d: want 3 ≤ MIN ≤ MAX ≤ 50 (a group has its creator and 2 to 49 others)", lo, hi))
	}
	if o.Connections < 1 || o.Duration <= 0 || o.Rate < 0 || o.Ramp < 0 || o.Workers < 1 || o.PingEvery <= 0 || o.Drain < 0 || o.DialConcurrency < 1 ||
		o.ReconnectBase <= 0 || o.ReconnectCap < o.ReconnectBase {
		errs = append(errs, errors.New("--connections, --workers, --dial-concurrency must be ≥ 1; --duration, --ping-every, --reconnect-base positive; --reconnect-cap ≥ --reconnect-base; --rate, --ramp, --drain not negative"))
	}
	if o.ReadRatio < 0 || o.ReadRatio > 1 {
		errs = append(errs, fmt.Errorf("--read-ratio %v: want 0–1", o.ReadRatio))
	}
	for _, t := range o.Thresholds {
		if _, err := parseThreshold(t); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// rampTime is how long connection setup is spread over.
func (o *Options) rampTime() time.Duration {
	if o.Scenario == "connect" && o.Rate > 0 {
		return time.Duration(float64(o.Connections) / o.Rate * float64(time.Second))
	}
	return o.Ramp
}

// parseSources parses "127.0.0.1-127.0.0.8" or "a,b,c".
func parseSources(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	if lo, hi, ok := strings.Cut(s, "-"); ok {
		a, b := net.ParseIP(lo).To4(), net.ParseIP(hi).To4()
		if a == nil || b == nil || a[0] != b[0] || a[1] != b[1] || a[2] != b[2] || a[3] > b[3] {
			return nil, fmt.Errorf("--source-ips %q: want a range of IPv4 addresses differing in the last byte", s)
		}
		var out []string
		for x := int(a[3]); x <= int(b[3]); x++ {
			out = append(out, net.IPv4(a[0], a[1], a[2], byte(x)).String())
		}
		return out, nil
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		if net.ParseIP(strings.TrimSpace(p)) == nil {
			return nil, fmt.Errorf("--source-ips: %q is not an IP address", p)
		}
		out = append(out, strings.TrimSpace(p))
	}
	return out, nil
}

// workerEnv names the environment variable that makes bunnyload a worker:
// "index/count".
const workerEnv = "BUNNYLOAD_WORKER"

// runIDEnv passes the coordinator's run id to workers.
const runIDEnv = "BUNNYLOAD_RUN_ID"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(Main(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// Main runs bunnyload with args and returns the exit status: 0 when every
// threshold holds, 1 when one fails, 2 on errors.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "bunnyload:", err)
		return 2
	}
	if spec := os.Getenv(workerEnv); spec != "" {
		if err := runWorkerProcess(o, spec, os.Stdin, stdout); err != nil {
			fmt.Fprintln(stderr, "bunnyload worker:", err)
			return 2
		}
		return 0
	}
	o.RunID = strconv.FormatInt(time.Now().UnixNano(), 36)
	rep, err := coordinate(ctx, o, args, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "bunnyload:", err)
		return 2
	}
	writeSummary(stdout, rep)
	if err := writeReports(o, rep); err != nil {
		fmt.Fprintln(stderr, "bunnyload:", err)
		return 2
	}
	if !rep.Passed {
		return 1
	}
	return 0
}
