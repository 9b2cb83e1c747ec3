package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pa "github.com/asynkron/protoactor-go/cluster"
	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/bunnybook/bunnybook/internal/proxytest"
	"github.com/bunnybook/bunnybook/internal/testwait"
)

// The tests run several members in one process against the etcd of
// BUNNYBOOK_CLUSTER_ETCD, each test in a cluster of its own name (so its
// own key prefix). etcd's smallest lease is 2 s, which they use.
const testLeaseTTL = 2 * time.Second

func TestEtcdMembersSeeEachOther(t *testing.T) {
	tc := newTestCluster(t)
	a, b, c := tc.start(Config{}), tc.start(Config{}), tc.start(Config{})
	for _, m := range []*pa.Cluster{a, b, c} {
		testwait.For(t, 5*time.Second, "three members in every view", func() bool { return m.MemberList.Length() == 3 })
	}
	if got, want := len(tc.etcdMembers()), 3; got != want {
		t.Fatalf("got %d keys in etcd, want %d", got, want)
	}
	callAcross(t, a, b)
	callAcross(t, c, a)

	// A graceful shutdown revokes the lease: the others drop the member at
	// once, not after the TTL.
	began := time.Now()
	go tc.shutdown(c)
	for _, m := range []*pa.Cluster{a, b} {
		testwait.For(t, time.Second-time.Since(began), "the stopped member gone", func() bool { return m.MemberList.Length() == 2 })
	}
	t.Logf("member gone from the others' view %s after Shutdown began", time.Since(began).Round(time.Millisecond))
	if got, want := len(tc.etcdMembers()), 2; got != want {
		t.Fatalf("got %d keys in etcd, want %d", got, want)
	}
}

func TestEtcdLeaseRevokedRejoins(t *testing.T) {
	tc := newTestCluster(t)
	a, b := tc.start(Config{}), tc.start(Config{})
	testwait.For(t, 5*time.Second, "two members", func() bool { return a.MemberList.Length() == 2 && b.MemberList.Length() == 2 })
	callAcross(t, a, b)
	out := watchSelfOut(b)

	// Behind b's back: its lease is revoked (as when it expired), then,
	// once b is back, its key is deleted with the lease left alone.
	for _, cut := range []string{"lease revoked", "key deleted"} {
		old := selfID(b)
		out.Store(false)
		kv := tc.etcdMembers()[old]
		if kv == nil {
			t.Fatalf("%s: no etcd key for b's member id %s", cut, old)
		}
		var err error
		if cut == "lease revoked" {
			_, err = tc.etcd.Revoke(t.Context(), clientv3.LeaseID(kv.Lease))
		} else {
			_, err = tc.etcd.Delete(t.Context(), string(kv.Key))
		}
		if err != nil {
			t.Fatal(err)
		}
		testwait.For(t, 5*time.Second, cut+": b dropped itself", out.Load)
		testwait.For(t, 5*time.Second, cut+": b back under a new id", func() bool {
			id := selfID(b)
			return id != "" && id != old && a.MemberList.ContainsMemberID(id) && !a.MemberList.ContainsMemberID(old)
		})
		t.Logf("%s: b left as %s, came back as %s", cut, old, selfID(b))
		callAcross(t, a, b)
		callAcross(t, b, a)
	}
}

// TestEtcdAwayLongerThanHeartbeatExpiry cuts b off from etcd until it is
// out of the cluster and stays out longer than the gossip heartbeat expiry
// that TestEtcdAwayHeartbeatExpiryBlocks shows would otherwise shut it out
// for good. Once etcd is back, b rejoins and talks to a both ways.
func TestEtcdAwayLongerThanHeartbeatExpiry(t *testing.T) {
	a, b := awayFromEtcd(t, 0, awayHold)
	if b.Remote.BlockList().IsBlocked(a.ActorSystem.ID) {
		t.Fatal("b blocked a's actor system")
	}
	testwait.For(t, 5*time.Second, "b back", func() bool { id := selfID(b); return id != "" && a.MemberList.ContainsMemberID(id) })
	callAcross(t, a, b)
	callAcross(t, b, a)
}

// TestEtcdAwayHeartbeatExpiryBlocks is the control for the test above: with
// Proto.Actor's gossip heartbeat expiry in force (shortened here), the same
// absence makes b block a's actor system for good, after which b refuses
// a's connections. If this starts failing, the library changed and Start's
// heartbeatNever may no longer be needed.
func TestEtcdAwayHeartbeatExpiryBlocks(t *testing.T) {
	a, b := awayFromEtcd(t, 2*time.Second, awayHold)
	testwait.For(t, 5*time.Second, "b blocks a after the heartbeat expiry", func() bool {
		return b.Remote.BlockList().IsBlocked(a.ActorSystem.ID)
	})
}

// TestEtcdShutdownWithEtcdGone checks that a member whose etcd is
// unreachable still shuts down: every etcd call is bounded.
func TestEtcdShutdownWithEtcdGone(t *testing.T) {
	tc := newTestCluster(t)
	proxy := proxytest.MustProxy(t, tc.endpoints[0])
	a := tc.start(Config{Etcd: []string{proxy.Addr()}})
	proxy.SetCut(true)
	done := make(chan struct{})
	began := time.Now()
	go func() { tc.shutdown(a); close(done) }()
	select {
	case <-done:
		t.Logf("Shutdown(true) took %s (2 s of it the library's own wait)", time.Since(began).Round(time.Millisecond))
	case <-time.After(10 * time.Second):
		t.Fatal("Shutdown(true) still running after 10s with etcd unreachable")
	}
}

// TestEtcdUnreachableFailsStart checks that Start reports an etcd it cannot
// reach instead of waiting for it.
func TestEtcdUnreachableFailsStart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nobody listens there now
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err = Start(ctx, Config{Name: "test-unreachable-" + randomHex(4), Etcd: []string{addr}}, []*pa.Kind{addressKind()}, slog.New(slog.NewTextHandler(newTestWriter(t), nil)))
	if err == nil || !strings.Contains(err.Error(), "etcd") {
		t.Fatalf("got %v, want an error naming etcd", err)
	}
}

// awayHold is how long b stays away once out of the cluster: longer than
// the 2 s heartbeat expiry of the control test (a stops gossiping to b when
// it drops b, so b's copy of a's heartbeat ages from then).
const awayHold = 3 * time.Second

// awayFromEtcd starts a and b, b reaching etcd through a proxy, and cuts
// the proxy until a has dropped b and b itself; it keeps it cut for hold
// more, then restores it. hbExpiry > 0 sets the heartbeat expiry.
func awayFromEtcd(t *testing.T, hbExpiry, hold time.Duration) (a, b *pa.Cluster) {
	tc := newTestCluster(t)
	proxy := proxytest.MustProxy(t, tc.endpoints[0])
	a = tc.start(Config{heartbeatExpiry: hbExpiry})
	b = tc.start(Config{Etcd: []string{proxy.Addr()}, heartbeatExpiry: hbExpiry})
	testwait.For(t, 5*time.Second, "two members", func() bool { return a.MemberList.Length() == 2 && b.MemberList.Length() == 2 })
	callAcross(t, a, b)
	out := watchSelfOut(b)

	began := time.Now()
	proxy.SetCut(true)
	testwait.For(t, 3*testLeaseTTL, "a drops b", func() bool { return a.MemberList.Length() == 1 })
	testwait.For(t, 3*testLeaseTTL, "b drops itself", out.Load)
	t.Logf("b out of a's view and its own %s after the cut", time.Since(began).Round(time.Millisecond))
	time.Sleep(hold) // the scenario: staying away, not waiting for an outcome
	proxy.SetCut(false)
	return a, b
}

// testCluster starts members of one cluster, with a name of its own, and
// stops them all (concurrently: each graceful stop takes 2 s) at the end.
type testCluster struct {
	t         *testing.T
	name      string
	endpoints []string
	etcd      *clientv3.Client
	log       *slog.Logger

	mu       sync.Mutex
	members  []*pa.Cluster
	stopped  map[*pa.Cluster]chan struct{} // closed once the member is stopped
	stopping map[*pa.Cluster]bool
}

func newTestCluster(t *testing.T) *testCluster {
	t.Helper()
	endpoints := mustEtcd(t)
	etcd, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	tc := &testCluster{
		t:         t,
		name:      "test-" + strings.ReplaceAll(t.Name(), "/", "-") + "-" + randomHex(4),
		endpoints: endpoints,
		etcd:      etcd,
		log:       slog.New(slog.NewTextHandler(newTestWriter(t), nil)),
		stopped:   map[*pa.Cluster]chan struct{}{},
		stopping:  map[*pa.Cluster]bool{},
	}
	t.Cleanup(func() {
		var wg sync.WaitGroup
		for _, m := range tc.members {
			wg.Go(func() { tc.stop(m, Stop) })
		}
		wg.Wait()
		etcd.Close()
	})
	return tc
}

// start starts a member; cfg's zero fields get the test's defaults.
func (tc *testCluster) start(cfg Config) *pa.Cluster {
	tc.t.Helper()
	cfg.Name = tc.name
	if cfg.Etcd == nil {
		cfg.Etcd = tc.endpoints
	}
	if cfg.LeaseTTL == 0 {
		cfg.LeaseTTL = testLeaseTTL
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(tc.t.Context(), 15*time.Second)
	defer cancel()
	c, err := Start(ctx, cfg, []*pa.Kind{addressKind()}, tc.log)
	if err != nil {
		tc.t.Fatal(err)
	}
	tc.mu.Lock()
	tc.members = append(tc.members, c)
	tc.stopped[c] = make(chan struct{})
	tc.mu.Unlock()
	return c
}

// shutdown stops a member gracefully (Proto.Actor's Shutdown(true)),
// once; later calls wait for it.
func (tc *testCluster) shutdown(c *pa.Cluster) {
	tc.stop(c, func(c *pa.Cluster) { c.Shutdown(true) })
}

// stop stops a member with how, once; later calls wait for it. The test's
// cleanup stops the members left as a node does (Stop): several graceful
// shutdowns at once can panic inside Proto.Actor's remoting (its endpoint
// manager sends on the channel of a peer's stream that just failed and
// closed it: "send on closed channel"), a path Stop does not take.
func (tc *testCluster) stop(c *pa.Cluster, how func(*pa.Cluster)) {
	tc.mu.Lock()
	done, first := tc.stopped[c], !tc.stopping[c]
	tc.stopping[c] = true
	tc.mu.Unlock()
	if first {
		how(c)
		close(done)
	}
	<-done
}

// etcdMembers returns the cluster's keys in etcd by member id.
func (tc *testCluster) etcdMembers() map[string]*mvccpb.KeyValue {
	tc.t.Helper()
	ctx, cancel := context.WithTimeout(tc.t.Context(), time.Second)
	defer cancel()
	prefix := "/bunnybook/" + tc.name + "/members/"
	res, err := tc.etcd.Get(ctx, prefix, clientv3.WithPrefix())
	if err != nil {
		tc.t.Fatal(err)
	}
	out := map[string]*mvccpb.KeyValue{}
	for _, kv := range res.Kvs {
		out[strings.TrimPrefix(string(kv.Key), prefix)] = kv
	}
	return out
}

// mustEtcd returns the endpoints of the etcd the tests use, or fails.
func mustEtcd(t *testing.T) []string {
	t.Helper()
	const how = `run scripts/test.sh, or eval "$(scripts/services.sh start etcd)"`
	env := os.Getenv("BUNNYBOOK_CLUSTER_ETCD")
	if env == "" {
		t.Fatal("needs etcd: BUNNYBOOK_CLUSTER_ETCD is not set; " + how)
	}
	endpoints := strings.Split(env, ",")
	c, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: time.Second, Logger: zap.NewNop()})
	if err == nil {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		_, err = c.Status(ctx, endpoints[0])
		cancel()
		c.Close()
	}
	if err != nil {
		t.Fatalf("needs etcd: %s does not answer (%v); %s", env, err, how)
	}
	return endpoints
}

// addressKind answers a StringValue with the address of the node it runs on.
func addressKind() *pa.Kind {
	return pa.NewKind("address", actor.PropsFromFunc(func(ctx actor.Context) {
		if _, ok := ctx.Message().(*wrapperspb.StringValue); ok {
			ctx.Respond(wrapperspb.String(ctx.ActorSystem().Address()))
		}
	}))
}

// callAcross calls, from "from", an echo grain that lives on "to".
func callAcross(t *testing.T, from, to *pa.Cluster) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var last any
	for time.Now().Before(deadline) {
		for i := range 20 {
			res, err := from.Request(fmt.Sprintf("g%d", i), "address", wrapperspb.String("hi"))
			if s, ok := res.(*wrapperspb.StringValue); ok && s.Value == to.ActorSystem.Address() {
				return
			}
			last = err
			if err == nil {
				last = res
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no grain call from %s answered on %s in 10s; last answer: %v", from.ActorSystem.Address(), to.ActorSystem.Address(), last)
}

// selfID returns the id under which c is in its own view, or "".
func selfID(c *pa.Cluster) string {
	for _, m := range c.MemberList.Members().Members() {
		if m.Address() == c.ActorSystem.Address() {
			return m.Id
		}
	}
	return ""
}

// watchSelfOut reports whether c has published a topology without itself
// (since the flag was last cleared).
func watchSelfOut(c *pa.Cluster) *atomic.Bool {
	out := new(atomic.Bool)
	c.ActorSystem.EventStream.Subscribe(func(e any) {
		t, ok := e.(*pa.ClusterTopology)
		if !ok {
			return
		}
		for _, m := range t.Members {
			if m.Address() == c.ActorSystem.Address() {
				return
			}
		}
		out.Store(true)
	})
	return out
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// testWriter sends log lines to t.Log until the test's cleanup ends (the
// library's goroutines may log after that).
type testWriter struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func newTestWriter(t *testing.T) *testWriter {
	w := &testWriter{t: t}
	t.Cleanup(func() { w.mu.Lock(); w.done = true; w.mu.Unlock() })
	return w
}

func (w *testWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(b), "\n"))
	}
	return len(b), nil
}
