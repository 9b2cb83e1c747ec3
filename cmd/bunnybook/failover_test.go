package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestClusterFailover runs a cluster of three nodes on etcd, PostgreSQL and
// Redis (scripts/cluster.sh) under a chat load whose clients reconnect and
// resume as docs/protocol.md says (bunnyload). During the load one node is
// killed (SIGKILL), a fourth joins, one drains (SIGTERM) and one is paused
// for 5 s, longer than its lease. Every acknowledged message must be shown
// to its recipient exactly once and in seq order; after each event the
// surviving nodes must agree on the membership within 10 s; the drain must
// end within its timeout; no healthy node may exit.
func TestClusterFailover(t *testing.T) {
	const (
		leaseTTL = 3 * time.Second
		drainMax = 5 * time.Second
		chaos    = "kill:2@4s,add@10s,drain:3@18s,pause:1@27s:5s"
	)
	// The membership each event leaves, by node number.
	after := [][]int{{1, 3}, {1, 3, 4}, {1, 4}, {1, 4}}

	dir := t.TempDir()
	httpBase, portBase := freeBase(t, 5), freeBase(t, 5)
	env := append(os.Environ(),
		"BUNNYBOOK_CLUSTER_DIR="+dir,
		fmt.Sprintf("BUNNYBOOK_CLUSTER_HTTP_BASE=%d", httpBase),
		fmt.Sprintf("BUNNYBOOK_CLUSTER_PORT_BASE=%d", portBase),
		"BUNNYBOOK_CLUSTER_LEASE_TTL="+leaseTTL.String(),
		"BUNNYBOOK_SHUTDOWN_TIMEOUT="+drainMax.String(),
		"BUNNYBOOK_WS_RATE=100",
		"BUNNYBOOK_LOG_LEVEL=info",
	)
	script := filepath.Join(repoRoot(t), "scripts", "cluster.sh")
	up := exec.Command(script, "up", "3")
	up.Env = env
	var upErr bytes.Buffer
	up.Stderr = &upErr
	out, err := up.Output()
	t.Cleanup(func() {
		if t.Failed() {
			for i := 1; i <= 4; i++ {
				if b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("node%d", i), "log")); err == nil {
					t.Logf("node %d log (end):\n%s", i, tail(b, 60))
				}
			}
		}
		down := exec.Command(script, "down")
		down.Env = env
		if b, err := down.CombinedOutput(); err != nil {
			t.Errorf("cluster.sh down: %v\n%s", err, b)
		}
	})
	if err != nil {
		t.Fatalf("cluster.sh up 3: %v\n%s", err, upErr.String())
	}
	env = append(env, exports(string(out))...)

	users := filepath.Join(dir, "users.jsonl")
	seed := exec.Command(filepath.Join(dir, "bunnybook"), "seed", "--profiles", "200", "--friends", "4", "--out", users)
	seed.Env = env
	if b, err := seed.CombinedOutput(); err != nil {
		t.Fatalf("seed: %v\n%s", err, b)
	}
	load := filepath.Join(dir, "bunnyload")
	if b, err := exec.Command("go", "build", "-o", load, "../bunnyload").CombinedOutput(); err != nil {
		t.Fatalf("build bunnyload: %v\n%s", err, b)
	}

	urls := make([]string, 5)
	args := []string{"--users", users, "--scenario", "chat", "--connections", "200", "--rate", "100",
		"--duration", "40s", "--drain", "10s", "--chaos", chaos, "--chaos-cmd", script, "--quiet",
		"--report-json", filepath.Join(dir, "report.json"),
		"--threshold", "chat.missing==0", "--threshold", "chat.duplicates==0", "--threshold", "chat.inversions==0"}
	for i := 1; i <= 4; i++ {
		urls[i] = fmt.Sprintf("http://127.0.0.1:%d", httpBase+i)
		args = append(args, "--target", urls[i])
	}
	watch := watchMembers(urls[1:])
	run := exec.Command(load, args...)
	run.Env = env
	var loadLog bytes.Buffer
	run.Stdout, run.Stderr = &loadLog, &loadLog
	started := time.Now()
	err = run.Run()
	samples := watch()
	t.Logf("bunnyload:\n%s", loadLog.String())
	if err != nil {
		t.Errorf("bunnyload: %v (a threshold failed, or the run did)", err)
	}

	var report struct {
		Metrics map[string]struct{ Count int64 }
		Chaos   []struct {
			Spec string  `json:"spec"`
			Ran  bool    `json:"ran"`
			At   float64 `json:"at_s"`
			Took float64 `json:"took_s"`
			Exit int     `json:"exit"`
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &report); err != nil {
		t.Fatal(err)
	}
	if acked := report.Metrics["chat.acked"].Count; acked < 1000 {
		t.Errorf("only %d messages acknowledged: the load did not run", acked)
	}
	if len(report.Chaos) != len(after) {
		t.Fatalf("%d chaos events in the report, want %d", len(report.Chaos), len(after))
	}
	for i, e := range report.Chaos {
		if !e.Ran || e.Exit != 0 {
			t.Errorf("chaos %s: ran %v, exit %d", e.Spec, e.Ran, e.Exit)
		}
		if strings.HasPrefix(e.Spec, "drain") && e.Took > (drainMax+time.Second).Seconds() {
			t.Errorf("drain took %.1f s, want at most %v", e.Took, drainMax+time.Second)
		}
		end := started.Add(time.Duration((e.At + e.Took) * float64(time.Second)))
		if at, ok := converged(samples, after[i], end, end.Add(10*time.Second)); ok {
			t.Logf("%s: membership %v agreed %v after the event", e.Spec, after[i], at.Sub(end).Round(100*time.Millisecond))
		} else {
			t.Errorf("%s: nodes %v did not all see %d members within 10 s", e.Spec, after[i], len(after[i]))
		}
	}
	for _, i := range after[len(after)-1] {
		pid, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("node%d", i), "pid"))
		n, _ := strconv.Atoi(strings.TrimSpace(string(pid)))
		if n == 0 || syscall.Kill(n, 0) != nil {
			t.Errorf("node %d (healthy) is not running at the end", i)
		}
	}
}

// membersSample is what one node reported at one time (-1: no answer).
type membersSample struct {
	at    time.Time
	node  int // 1-based
	count int
}

// watchMembers polls each node's bunnybook_cluster_members every 200 ms
// until the returned func is called, which returns the samples.
func watchMembers(urls []string) func() []membersSample {
	var (
		mu      sync.Mutex
		samples []membersSample
		stop    = make(chan struct{})
		done    = make(chan struct{})
	)
	re := regexp.MustCompile(`(?m)^bunnybook_cluster_members (\d+)$`)
	go func() {
		defer close(done)
		for {
			for i, u := range urls {
				n := -1
				if body, err := getWithin(u+"/metrics", 150*time.Millisecond); err == nil {
					if m := re.FindStringSubmatch(body); m != nil {
						n, _ = strconv.Atoi(m[1])
					}
				}
				mu.Lock()
				samples = append(samples, membersSample{time.Now(), i + 1, n})
				mu.Unlock()
			}
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	return func() []membersSample {
		close(stop)
		<-done
		mu.Lock()
		defer mu.Unlock()
		return samples
	}
}

// converged returns the first time in [from, to] from which every node of
// want reported len(want) members (each node's latest sample).
func converged(samples []membersSample, want []int, from, to time.Time) (time.Time, bool) {
	last := map[int]int{}
	for _, s := range samples {
		if s.at.After(to) {
			break
		}
		last[s.node] = s.count
		if s.at.Before(from) {
			continue
		}
		ok := true
		for _, n := range want {
			ok = ok && last[n] == len(want)
		}
		if ok {
			return s.at, true
		}
	}
	return time.Time{}, false
}

func getWithin(url string, d time.Duration) (string, error) {
	c := make(chan struct {
		body string
		err  error
	}, 1)
	go func() {
		b, err := get(url)
		c <- struct {
			body string
			err  error
		}{b, err}
	}()
	select {
	case r := <-c:
		return r.body, r.err
	case <-time.After(d):
		return "", fmt.Errorf("%s: no answer within %v", url, d)
	}
}

// freeBase returns a port base b with b+1 … b+n free on loopback.
func freeBase(t *testing.T, n int) int {
	t.Helper()
	for range 100 {
		b := 21000 + rand.IntN(8000)
		free := true
		for p := b + 1; p <= b+n && free; p++ {
			ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			free = err == nil
			if ln != nil {
				ln.Close()
			}
		}
		if free {
			return b
		}
	}
	t.Fatal("no free port range")
	return 0
}

// exports turns `export NAME='value'` lines into NAME=value.
func exports(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "export ")
		if ok {
			out = append(out, strings.ReplaceAll(line, "'", ""))
		}
	}
	return out
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func tail(b []byte, lines int) string {
	s := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(s[max(0, len(s)-lines):], "\n")
}
