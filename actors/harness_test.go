package actors_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pa "github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/test"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/actors"
	"github.com/bunnybook/bunnybook/cluster"
	"github.com/bunnybook/bunnybook/metrics"
	"github.com/bunnybook/bunnybook/persistence/memory"
	"github.com/bunnybook/bunnybook/persistence/sqlite"
	"github.com/bunnybook/bunnybook/persistence/sqlite/sqlitetest"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

const wait = 5 * time.Second

// harness is one cluster member hosting the grains on a real SQLite store,
// with a recording stand-in for the node's gateway actor.
type harness struct {
	t       *testing.T
	store   *gatedStore
	cluster *pa.Cluster
	hub     *actors.Hub
	metrics *metrics.Set
	gw      *actor.PID
	pushes  chan *actors.Push // what grains sent the gateway
}

// newHarness starts a member with cfg (its Store, Presence and Metrics are
// set here) and stops it when the test ends.
func newHarness(t *testing.T, cfg actors.Config) *harness {
	t.Helper()
	h := &harness{t: t, store: &gatedStore{DB: sqlitetest.MustOpen(t)}, metrics: metrics.New(prometheus.NewRegistry()),
		pushes: make(chan *actors.Push, 100)}
	if cfg.Presence == nil {
		cfg.Presence = memory.NewPresence()
	}
	presence := cfg.Presence
	cfg.Store, cfg.Metrics = h.store, h.metrics
	logger := slog.New(slog.DiscardHandler)
	c, err := cluster.Start(t.Context(), cluster.Config{Agent: test.NewInMemAgent()}, actors.Kinds(cfg), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Shutdown(false) }) // graceful would wait 2 s for a gossip nobody hears
	h.cluster, h.hub = c, actors.NewHub(c, presence, logger)
	h.gw = c.ActorSystem.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		if p, ok := ctx.Message().(*actors.Push); ok {
			h.pushes <- p
		}
	}))
	return h
}

// friends creates two friends and returns their ids and chat group.
func (h *harness) friends() (a, b, group string) {
	acc := storetest.MustCreateAccounts(h.t, h.store, "ann"+bunnybook.NewID()[:8], "bob"+bunnybook.NewID()[:8])
	return acc[0].ID, acc[1].ID, storetest.MustBefriend(h.t, h.store, acc[0].ID, acc[1].ID)
}

// connect attaches a connection of profile to its grain.
func (h *harness) connect(profile, conn string) *actors.Hello {
	h.t.Helper()
	hello, err := h.hub.Connect(&actors.Connect{Gateway: h.gw, ConnId: conn, SessionId: "s"}, profile)
	if err != nil {
		h.t.Fatalf("connect %s: %v", conn, err)
	}
	return hello
}

// send sends a chat message as profile from conn and waits for its ack.
func (h *harness) send(group, profile, conn, clientID string) *bunnybook.ChatMessage {
	h.t.Helper()
	m, _, err := h.hub.Send(group, &actors.SendMessage{FromProfileId: profile, ClientId: clientID, Content: "hi " + clientID, OriginConn: conn})
	if err != nil {
		h.t.Fatalf("send %s: %v", clientID, err)
	}
	return m
}

// nextPush returns the next push whose frame has the given type (others are
// skipped), failing after wait.
func (h *harness) nextPush(frameType string) *actors.Push {
	h.t.Helper()
	return h.nextPushOf(frameType)
}

// nextPushOf returns the next push of one of the given frame types.
func (h *harness) nextPushOf(types ...string) *actors.Push {
	h.t.Helper()
	timeout := time.After(wait)
	for {
		select {
		case p := <-h.pushes:
			if slices.Contains(types, pushType(p)) {
				return p
			}
		case <-timeout:
			h.t.Fatalf("no %v push within %v", types, wait)
			return nil
		}
	}
}

// noPush fails if a push of that type arrives within d.
func (h *harness) noPush(frameType string, d time.Duration) {
	h.t.Helper()
	timeout := time.After(d)
	for {
		select {
		case p := <-h.pushes:
			if pushType(p) == frameType {
				h.t.Fatalf("unexpected %s push: %v", frameType, p)
			}
		case <-timeout:
			return
		}
	}
}

// pushType names a push's event as the frame the gateway makes of it.
func pushType(p *actors.Push) string {
	switch p.GetEvent().(type) {
	case *actors.Push_Message:
		return "chat.message"
	case *actors.Push_Typing:
		return "chat.typing"
	case *actors.Push_Presence:
		return "presence"
	case *actors.Push_Group:
		return map[actors.GroupEventKind]string{
			actors.GroupEventKind_GROUP_ADDED:   "group.added",
			actors.GroupEventKind_GROUP_UPDATED: "group.updated",
			actors.GroupEventKind_GROUP_REMOVED: "group.removed",
		}[p.GetGroup().GetKind()]
	case *actors.Push_Seen:
		return "chat.seen"
	case *actors.Push_Reaction:
		return "chat.reaction"
	}
	return fmt.Sprintf("%T", p.GetEvent())
}

// gauge reads a gauge's value.
func gauge(t *testing.T, g prometheus.Gauge) float64 {
	t.Helper()
	var m dto.Metric
	if err := g.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetGauge().GetValue()
}

// histogram reads a histogram's count and sum.
func histogram(t *testing.T, h prometheus.Histogram) (count uint64, sum float64) {
	t.Helper()
	var m dto.Metric
	if err := h.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetHistogram().GetSampleCount(), m.GetHistogram().GetSampleSum()
}

// gatedStore is the real store; while a gate is set, the committer's
// writes (CommitChat) wait for it to open (a slow disk), after saying they
// arrived.
type gatedStore struct {
	*sqlite.DB
	mu      sync.Mutex
	gate    chan struct{} // nil: open
	arrived chan struct{}
}

// close makes the next writes wait until the returned func is called; the
// channel receives once per write that waits.
func (s *gatedStore) close() (arrived <-chan struct{}, open func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gate, s.arrived = make(chan struct{}), make(chan struct{}, 10)
	gate := s.gate
	return s.arrived, func() {
		s.mu.Lock()
		s.gate = nil
		s.mu.Unlock()
		close(gate)
	}
}

func (s *gatedStore) CommitChat(ctx context.Context, msgs []bunnybook.ChatMessage, marks []bunnybook.ReadMark) ([]bool, error) {
	s.mu.Lock()
	gate, arrived := s.gate, s.arrived
	s.mu.Unlock()
	if gate != nil {
		arrived <- struct{}{}
		<-gate
	}
	return s.DB.CommitChat(ctx, msgs, marks)
}
