package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/client"
	"github.com/bunnybook/bunnybook/internal/testwait"
)

// TestClusterOfProcesses runs two bunnybook processes as one cluster
// (membership in etcd, shared PostgreSQL and Redis): friends on
// different nodes chat, then one node is killed (SIGKILL) and its profile
// is seen offline by the friend on the surviving node.
func TestClusterOfProcesses(t *testing.T) {
	c := newTestCluster(t, 2)
	nodes, urls := c.nodes, c.urls

	a, b := MustUser(t, urls[0]), MustUser(t, urls[1])
	MustBefriend(t, a, b)
	ca, ha := MustDial(t, urls[0], a)
	group := ha.PrivateChats[0].ChatGroupID
	// Membership converges within a few seconds: retry the first exchange.
	var cb *client.Conn
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; ; i++ {
		cb, _ = MustDial(t, urls[1], b)
		ca.Send(map[string]any{"type": "chat.send", "id": fmt.Sprint(i), "chatGroupId": group, "content": "across nodes"})
		if _, err := cb.AwaitType(3*time.Second, "chat.message"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no message crossed the nodes within 30 s")
		}
		cb.Close()
	}

	// Kill node 2 (b's connection) without any goodbye. a's profile grain
	// may have lived there too: then a's connection re-attaches (or is
	// closed with 4011 and a reconnects, as clients do) and learns b's
	// state from hello or a presence frame.
	nodes[1].Process.Kill()
	killed := time.Now()
	want := fmt.Sprintf(`"profileId":%q,"online":false`, b.Profile.ID)
	for {
		left := 25*time.Second - time.Since(killed)
		if left <= 0 {
			t.Fatal("a did not see b offline within 25 s of b's node being killed")
		}
		f, err := ca.Await(left, func(f client.Frame) bool {
			return f.Type == "hello" || f.Type == "presence" && strings.Contains(string(f.Raw), want)
		})
		if err != nil {
			conn, err := client.Dial(context.Background(), urls[0], a.Token, client.DialOptions{})
			if err != nil {
				t.Fatalf("reconnect to the surviving node: %v", err)
			}
			ca = conn
			t.Cleanup(func() { conn.Close() })
			continue
		}
		var h hello
		if f.Type == "hello" && (f.Decode(&h) != nil || slices.Contains(h.OnlineFriends, b.Profile.ID)) {
			continue // b's presence has not expired yet
		}
		break
	}
	t.Logf("b seen offline %v after its node was killed", time.Since(killed).Round(100*time.Millisecond))
	if _, err := a.CreatePost(context.Background(), "", "still here", bunnybook.Public); err != nil {
		t.Fatalf("surviving node after the kill: %v", err)
	}
}

// testCluster is n bunnybook processes forming one cluster (membership in
// etcd, under a name of its own) on a fresh PostgreSQL database and a
// shared Redis.
type testCluster struct {
	bin, db, redis, etcd, name string
	ports                      []int // HTTP and actor port of each node
	nodes                      []*exec.Cmd
	exited                     []chan struct{} // closed when the node's process has ended
	logs                       []*bytes.Buffer
	urls                       []string
}

func newTestCluster(t *testing.T, n int) *testCluster {
	dbURL, redisURL, etcd := os.Getenv("BUNNYBOOK_TEST_DATABASE_URL"), os.Getenv("BUNNYBOOK_REDIS_URL"), os.Getenv("BUNNYBOOK_CLUSTER_ETCD")
	if dbURL == "" || redisURL == "" || etcd == "" {
		t.Fatal("needs PostgreSQL, Redis and etcd: run scripts/test.sh, or eval \"$(scripts/services.sh start postgres redis etcd)\"")
	}
	c := &testCluster{bin: buildServer(t), db: freshDatabase(t, dbURL), redis: redisURL, etcd: etcd,
		name: "test-" + bunnybook.NewID()[:8], ports: freePorts(t, 2*n)}
	for i := range n {
		c.urls = append(c.urls, fmt.Sprintf("http://127.0.0.1:%d", c.ports[i]))
	}
	c.nodes, c.exited, c.logs = make([]*exec.Cmd, n), make([]chan struct{}, n), make([]*bytes.Buffer, n)
	for i := range n {
		c.start(t, i)
	}
	for _, u := range c.urls {
		waitReady(t, u)
	}
	for _, u := range c.urls {
		waitMetric(t, u, fmt.Sprintf("bunnybook_cluster_members %d", n))
	}
	return c
}

// start starts node i; it is stopped when the test ends, and its log is
// shown if the test failed.
func (c *testCluster) start(t *testing.T, i int) {
	t.Helper()
	n := len(c.nodes)
	cmd := exec.Command(c.bin, "serve")
	cmd.Env = append(os.Environ(),
		"BUNNYBOOK_HTTP_ADDR="+strings.TrimPrefix(c.urls[i], "http://"),
		"BUNNYBOOK_DATA_DIR="+t.TempDir(),
		"BUNNYBOOK_DATABASE_URL="+c.db,
		"BUNNYBOOK_REDIS_URL="+c.redis,
		"BUNNYBOOK_NEO4J_URL=",
		"BUNNYBOOK_JWT_SECRET="+strings.Repeat("k", 32),
		"BUNNYBOOK_RATE_LIMITS=false",
		"BUNNYBOOK_LOG_LEVEL=warn",
		fmt.Sprintf("BUNNYBOOK_CLUSTER_PORT=%d", c.ports[n+i]),
		"BUNNYBOOK_CLUSTER_ETCD="+c.etcd,
		"BUNNYBOOK_CLUSTER_NAME="+c.name,
	)
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	c.nodes[i], c.exited[i], c.logs[i] = cmd, exited, logs
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		<-exited
		if t.Failed() {
			t.Logf("node %d log:\n%s", i+1, logs.String())
		}
	})
}

func buildServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bunnybook")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// freshDatabase creates an empty database next to the one at url and
// returns its URL; it is dropped when the test ends.
func freshDatabase(t *testing.T, url string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("PostgreSQL not reachable (%v): run scripts/services.sh start postgres", err)
	}
	defer conn.Close(ctx)
	name := "cluster_" + strings.ReplaceAll(bunnybook.NewID()[:8], "-", "")
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, url)
		if err == nil {
			c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	})
	cfg, _ := pgx.ParseConfig(url)
	return strings.Replace(url, "/"+cfg.Database, "/"+name, 1)
}

// freePorts returns n distinct free loopback ports (all held open while
// picking, so none is handed out twice).
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// waitMetric waits until a node's /metrics has the line want.
func waitMetric(t *testing.T, url, want string) {
	t.Helper()
	testwait.Until(t, 60*time.Second, 100*time.Millisecond, func() error {
		body, err := get(url + "/metrics")
		if err == nil && !strings.Contains(body, want+"\n") {
			err = fmt.Errorf("%s/metrics has no %q", url, want)
		}
		return err
	})
}

func waitReady(t *testing.T, url string) {
	t.Helper()
	testwait.Until(t, 60*time.Second, 100*time.Millisecond, func() error {
		_, err := get(url + "/readyz")
		return err
	})
}

// get returns the body of a 200 answer to GET url.
func get(url string) (string, error) {
	res, err := http.Get(url)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return string(body), err
}
