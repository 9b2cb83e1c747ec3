package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pa "github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/test"
	"github.com/bunnybook/bunnybook/internal/testwait"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// testIDs returns n distinct identities shaped like the server's ids
// (UUIDv7: a millisecond clock prefix shared by neighbours, then random
// bits), the same in every run.
func testIDs(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	ids := make([]string, n)
	ms := uint64(1_760_000_000_000)
	for i := range ids {
		ms += r.Uint64N(3)
		ids[i] = fmt.Sprintf("%08x-%04x-7%03x-%04x-%012x", ms>>16, ms&0xffff, r.Uint64N(1<<12),
			0x8000|r.Uint64N(1<<14), r.Uint64N(1<<48))
	}
	return ids
}

func addrs(format string, from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf(format, i))
	}
	return out
}

func testMembers(t *testing.T, addresses []string) []*pa.Member {
	t.Helper()
	var ms []*pa.Member
	for _, a := range addresses {
		host, port, err := net.SplitHostPort(a)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := strconv.Atoi(port)
		ms = append(ms, &pa.Member{Id: a, Host: host, Port: int32(p), Kinds: []string{"k"}})
	}
	return ms
}

// spread returns how far the busiest or idlest member is from the mean,
// as a fraction of the mean.
func spread(counts map[string]int, members, total int) float64 {
	mean := float64(total) / float64(members)
	worst := 0.0
	for _, c := range counts {
		worst = max(worst, abs(float64(c)-mean)/mean)
	}
	if len(counts) < members {
		worst = 1
	}
	return worst
}

func abs(f float64) float64 { return max(f, -f) }

func TestPlacementSpread(t *testing.T) {
	ids := testIDs(100_000)
	sets := []struct {
		name  string
		addrs []string
		next  string // a member to add
	}{
		{"loopback ports", addrs("127.0.0.1:%d", 20001, 20006), "127.0.0.1:20007"},
		{"hostnames", addrs("node%d:8090", 1, 6), "node7:8090"},
		{"10.0.0.x", addrs("10.0.0.%d:8090", 11, 16), "10.0.0.17:8090"},
		{"docker network", addrs("172.18.0.%d:8090", 2, 7), "172.18.0.8:8090"},
		{"three nodes", addrs("127.0.0.1:%d", 20001, 20003), "127.0.0.1:20004"},
		{"three hostnames", addrs("node%d:8090", 1, 3), "node4:8090"},
	}
	for _, s := range sets {
		t.Run(s.name, func(t *testing.T) {
			members := testMembers(t, s.addrs)
			v := newView(members)
			owners := make([]string, len(ids))
			counts := map[string]int{}
			for i, id := range ids {
				owners[i] = v.owner("k", id)
				counts[owners[i]]++
			}
			dev := spread(counts, len(members), len(ids))
			// For contrast: Proto.Actor's rendezvous (disthash).
			rdv := pa.NewRendezvous()
			rdv.UpdateMembers(members)
			old := map[string]int{}
			for _, id := range ids {
				old[rdv.GetByClusterIdentity(pa.NewClusterIdentity(id, "k"))]++
			}
			t.Logf("worst member %.1f%% from the mean (disthash: %.1f%%); %v", 100*dev,
				100*spread(old, len(members), len(ids)), counts)
			if dev > 0.25 {
				t.Errorf("got a member %.1f%% from the mean, want within 25%%: %v", 100*dev, counts)
			}

			// Join: only identities the new member wins move, about 1/(N+1).
			joined := newView(append(members, testMembers(t, []string{s.next})...))
			moved := 0
			for i, id := range ids {
				if o := joined.owner("k", id); o != owners[i] {
					moved++
					if o != s.next {
						t.Fatalf("join: %s moved from %s to %s, want only moves to %s", id, owners[i], o, s.next)
					}
				}
			}
			checkMoved(t, "join", moved, len(ids), len(members)+1)

			// Leave: exactly the leaver's identities move.
			gone := s.addrs[0]
			left := newView(members[1:])
			moved = 0
			for i, id := range ids {
				if o := left.owner("k", id); o != owners[i] {
					moved++
					if owners[i] != gone {
						t.Fatalf("leave: %s moved from %s to %s, though %s stayed", id, owners[i], o, owners[i])
					}
				}
			}
			if moved != counts[gone] {
				t.Errorf("leave: got %d identities moved, want the %d of %s", moved, counts[gone], gone)
			}
			checkMoved(t, "leave", moved, len(ids), len(members))
		})
	}
}

func checkMoved(t *testing.T, what string, moved, total, members int) {
	t.Helper()
	frac, want := float64(moved)/float64(total), 1/float64(members)
	t.Logf("%s moved %.2f%% of identities (1/N = %.2f%%)", what, 100*frac, 100*want)
	if abs(frac-want) > want/4 {
		t.Errorf("%s: got %.2f%% of identities moved, want about %.2f%%", what, 100*frac, 100*want)
	}
}

func TestPlacementOnlyAmongMembersWithTheKind(t *testing.T) {
	members := testMembers(t, addrs("node%d:8090", 1, 3))
	members[1].Kinds = []string{"other"}
	v := newView(members)
	for _, id := range testIDs(1000) {
		if o := v.owner("k", id); o == "node2:8090" || o == "" {
			t.Fatalf("got owner %q for %s, want node1 or node3 (node2 does not host k)", o, id)
		}
	}
	if o := v.owner("unknown", "x"); o != "" {
		t.Errorf("got owner %q for a kind nobody hosts, want none", o)
	}
}

const echoKind = "echo"

// echo is the test grain: it answers "who" with its PID and "stop" by
// stopping after the answer.
type echo struct{ stats *echoStats }

type echoStats struct {
	inits, stops atomic.Int64
	lastStop     atomic.Int64 // unix nanoseconds
}

func (e *echo) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *pa.ClusterInit:
		e.stats.inits.Add(1)
	case *actor.Stopping:
		e.stats.stops.Add(1)
		e.stats.lastStop.Store(time.Now().UnixNano())
	case *wrapperspb.StringValue:
		ctx.Respond(ctx.Self())
		if msg.Value == "stop" {
			ctx.Poison(ctx.Self())
		}
	}
}

// mustStartMembers starts n members of one in-process cluster, together
// (each start takes a second), and stops those still running at the end.
func mustStartMembers(t *testing.T, agent *test.InMemAgent, n int, stats *echoStats) []*pa.Cluster {
	t.Helper()
	members := make([]*pa.Cluster, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range members {
		wg.Go(func() {
			kind := pa.NewKind(echoKind, actor.PropsFromProducer(func() actor.Actor { return &echo{stats} }))
			members[i], errs[i] = Start(t.Context(), Config{Agent: agent}, []*pa.Kind{kind}, slog.New(slog.DiscardHandler))
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	mustConverge(t, members)
	return members
}

// mustConverge waits until every member sees all of them.
func mustConverge(t *testing.T, members []*pa.Cluster) {
	t.Helper()
	testwait.Until(t, 5*time.Second, 20*time.Millisecond, func() error {
		for _, m := range members {
			if got := len(placementOf(m).view.Load().addrs); got != len(members) {
				return fmt.Errorf("%s sees %d members, want %d", m.ActorSystem.Address(), got, len(members))
			}
		}
		return nil
	})
}

func placementOf(c *pa.Cluster) *Placement { return c.IdentityLookup.(*Placement) }

func mustWho(t *testing.T, c *pa.Cluster, id string) *actor.PID {
	t.Helper()
	pid, err := who(c, id, "who")
	if err != nil {
		t.Fatalf("%s from %s: %v", id, c.ActorSystem.Address(), err)
	}
	return pid
}

func who(c *pa.Cluster, id, msg string) (*actor.PID, error) {
	res, err := c.Request(id, echoKind, wrapperspb.String(msg), pa.WithTimeout(5*time.Second),
		pa.WithRetryCount(8), pa.WithRetryAction(func(i int) int {
			time.Sleep(time.Duration(10*(i+1)) * time.Millisecond)
			return i + 1
		}))
	if err != nil {
		return nil, err
	}
	pid, ok := res.(*actor.PID)
	if !ok {
		return nil, fmt.Errorf("answered %T", res)
	}
	return pid, nil
}

func count(members []*pa.Cluster) (n int32) {
	for _, m := range members {
		n += m.GetClusterKind(echoKind).Count()
	}
	return n
}

func TestPlacementActivatesOnOwner(t *testing.T) {
	t.Parallel()
	stats := &echoStats{}
	members := mustStartMembers(t, test.NewInMemAgent(), 3, stats)
	t.Cleanup(func() {
		for _, m := range members {
			m.Shutdown(false)
		}
	})
	ids := testIDs(300)
	perOwner := map[string]int{}
	for i, id := range ids {
		caller := members[i%3]
		pid := mustWho(t, caller, id)
		owner := placementOf(members[0]).Owner(id, echoKind)
		for _, m := range members[1:] {
			if o := placementOf(m).Owner(id, echoKind); o != owner {
				t.Fatalf("%s: members disagree on the owner: %s and %s", id, owner, o)
			}
		}
		if pid.Address != owner {
			t.Fatalf("%s: got activated on %s, want its owner %s", id, pid.Address, owner)
		}
		perOwner[owner]++
		if again := caller.Get(id, echoKind); !again.Equal(pid) {
			t.Fatalf("%s: second Get got %v, want %v", id, again, pid)
		}
	}
	t.Logf("grains per member: %v", perOwner)
	if got := count(members); got != int32(len(ids)) {
		t.Errorf("got %d grains counted by kind, want %d", got, len(ids))
	}
	if got := stats.inits.Load(); got != int64(len(ids)) {
		t.Errorf("got %d ClusterInit, want %d", got, len(ids))
	}

	t.Run("stopped grain is re-activated", func(t *testing.T) {
		id, caller := ids[0], members[1]
		old, err := who(caller, id, "stop")
		if err != nil {
			t.Fatal(err)
		}
		testwait.Until(t, 5*time.Second, 20*time.Millisecond, func() error {
			if pid := mustWho(t, caller, id); pid.Equal(old) {
				return fmt.Errorf("%s still answers from the stopped %v", id, old)
			}
			return nil
		})
		if got := count(members); got != int32(len(ids)) {
			t.Errorf("got %d grains counted by kind, want %d", got, len(ids))
		}
	})

	t.Run("non-owner refuses to activate", func(t *testing.T) {
		var id string
		var owner, other *pa.Cluster
		for _, candidate := range testIDs(1000)[500:] {
			if placementOf(members[0]).Owner(candidate, echoKind) == members[0].ActorSystem.Address() {
				id, owner, other = candidate, members[0], members[1]
				break
			}
		}
		before := other.GetClusterKind(echoKind).Count()
		req := &pa.ActivationRequest{ClusterIdentity: pa.NewClusterIdentity(id, echoKind)}
		res, err := owner.ActorSystem.Root.RequestFuture(actor.NewPID(other.ActorSystem.Address(), PlacementActorName), req, time.Second).Result()
		if err != nil {
			t.Fatal(err)
		}
		if pid := res.(*pa.ActivationResponse).GetPid(); pid != nil {
			t.Errorf("a non-owner activated %s as %v, want no PID", id, pid)
		}
		if after := other.GetClusterKind(echoKind).Count(); after != before {
			t.Errorf("non-owner's grain count went from %d to %d", before, after)
		}
	})
}

func TestPlacementMemberLeaves(t *testing.T) {
	t.Parallel()
	members := mustStartMembers(t, test.NewInMemAgent(), 3, &echoStats{})
	stay, leaver := members[:2], members[2]
	t.Cleanup(func() {
		for _, m := range stay {
			m.Shutdown(false)
		}
	})
	ids := testIDs(300)
	gone := leaver.ActorSystem.Address()
	onLeaver := 0
	onLeaverIDs := map[string]bool{}
	for i, id := range ids {
		if mustWho(t, members[i%3], id).Address == gone {
			onLeaverIDs[id] = true
			onLeaver++
		}
	}
	if onLeaver == 0 {
		t.Fatal("no grain on the member that leaves")
	}
	// Requests go on while the member leaves. One that reaches a grain
	// just after its poison pill is lost (Proto.Actor drops what a stopped
	// actor's mailbox still holds, without dead letter) and fails after its
	// whole timeout: rare, but not impossible.
	stopCalls := make(chan struct{})
	var calls, failures atomic.Int64
	var wg sync.WaitGroup
	for w, m := range stay {
		wg.Go(func() {
			for i := w; ; i++ {
				select {
				case <-stopCalls:
					return
				default:
				}
				calls.Add(1)
				id := ids[i%len(ids)]
				if _, err := who(m, id, "who"); err != nil {
					failures.Add(1)
					t.Logf("during the leave: %s (on the leaver: %v): %v", id, onLeaverIDs[id], err)
				}
			}
		})
	}
	start := time.Now()
	leaver.Shutdown(true) // calls Placement.Shutdown twice
	t.Logf("graceful shutdown of a member with %d grains took %s", onLeaver, time.Since(start).Round(time.Millisecond))
	close(stopCalls)
	wg.Wait()
	t.Logf("%d requests during the leave, %d failed", calls.Load(), failures.Load())
	if failures.Load() > 2 {
		t.Errorf("got %d of %d requests failed while a member left, want at most 2", failures.Load(), calls.Load())
	}
	if got := leaver.GetClusterKind(echoKind).Count(); got != 0 {
		t.Errorf("got %d grains left on the member that left, want 0", got)
	}
	mustConverge(t, stay)
	for i, id := range ids {
		pid := mustWho(t, stay[i%2], id)
		if want := placementOf(stay[0]).Owner(id, echoKind); pid.Address != want || pid.Address == gone {
			t.Fatalf("%s answered from %s, want its new owner %s", id, pid.Address, want)
		}
	}
	if got := count(stay); got != int32(len(ids)) {
		t.Errorf("got %d grains on the members left, want %d", got, len(ids))
	}
}

func TestPlacementOwnerCrashes(t *testing.T) {
	t.Parallel()
	agent := test.NewInMemAgent()
	members := mustStartMembers(t, agent, 3, &echoStats{})
	caller, crashed := members[0], members[2]
	t.Cleanup(func() {
		for _, m := range members[:2] {
			m.Shutdown(false)
		}
	})
	var id string
	for _, candidate := range testIDs(100) {
		if placementOf(caller).Owner(candidate, echoKind) == crashed.ActorSystem.Address() {
			id = candidate
			break
		}
	}
	mustWho(t, caller, id)

	// No goodbye: remoting stops, the membership still lists the member
	// (as a real provider does until the lease expires).
	crashed.Shutdown(false)
	testwait.Until(t, 5*time.Second, 20*time.Millisecond, func() error {
		start := time.Now()
		pid := caller.Get(id, echoKind)
		if d := time.Since(start); pid != nil || d > 50*time.Millisecond {
			return fmt.Errorf("Get of a grain on a crashed member took %s and got %v, want nil at once", d, pid)
		}
		return nil
	})
	if pid, ok := caller.PidCache.Get(id, echoKind); ok {
		t.Fatalf("the crashed member's %v is still cached: calls would wait out their timeout", pid)
	}
	// Remoting keeps trying the address (gossip): that must not clear the mark.
	for range 10 {
		start := time.Now()
		if pid := caller.Get(id, echoKind); pid != nil || time.Since(start) > 50*time.Millisecond {
			t.Fatalf("Get of a grain on a crashed member took %s and got %v, want nil at once", time.Since(start), pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !placementOf(caller).view.Load().has(crashed.ActorSystem.Address()) {
		t.Fatal("the crashed member left the view: the test no longer tests the down mark")
	}

	agent.DeregisterService(crashed.ActorSystem.ID) // the lease expires
	mustConverge(t, members[:2])
	if pid := mustWho(t, caller, id); pid.Address == crashed.ActorSystem.Address() {
		t.Fatalf("%s answered from the crashed member", id)
	}
}

func TestPlacementShutdownWithManyGrains(t *testing.T) {
	t.Parallel()
	const grains = 10_000
	stats := &echoStats{}
	c := mustStartMembers(t, test.NewInMemAgent(), 1, stats)[0]
	ids := testIDs(grains)
	var wg sync.WaitGroup
	var failed atomic.Int64
	for w := range 16 {
		wg.Go(func() {
			for i := w; i < grains; i += 16 {
				if _, err := who(c, ids[i], "who"); err != nil {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		t.Fatalf("%d activations failed", n)
	}
	if got := c.GetClusterKind(echoKind).Count(); got != grains {
		t.Fatalf("got %d grains, want %d", got, grains)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan struct{})
	start := time.Now()
	go func() { c.Shutdown(true); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("shutdown did not return within 10 s")
	}
	total := time.Since(start)
	stopped := time.Unix(0, stats.lastStop.Load()).Sub(start)
	t.Logf("shutdown with %d grains: all stopped after %s, Cluster.Shutdown(true) returned after %s (2 s of it the library's fixed sleep)",
		grains, stopped.Round(time.Millisecond), total.Round(time.Millisecond))
	if got := stats.stops.Load(); got != grains {
		t.Errorf("got %d grains stopped, want %d", got, grains)
	}
	if got := c.GetClusterKind(echoKind).Count(); got != 0 {
		t.Errorf("got %d grains counted after shutdown, want 0", got)
	}
	if total > 3*time.Second {
		t.Errorf("shutdown took %s, want under 3 s", total)
	}
}
