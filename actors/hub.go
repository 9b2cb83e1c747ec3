package actors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bunnybook/bunnybook"
	bbcluster "github.com/bunnybook/bunnybook/cluster"
	"github.com/bunnybook/bunnybook/metrics"
)

// Grain kinds.
const (
	ProfileKind      = "Profile"
	ConversationKind = "Conversation"
)

// Store is what the grains read and write.
type Store interface {
	bunnybook.ChatStore
	GroupChats(ctx context.Context, profileID string) ([]bunnybook.GroupChatInfo, error)
	bunnybook.ReactionStore
	UnreadNotificationCount(ctx context.Context, profileID string) (int, error)
}

// Config holds the grains' dependencies and timings.
type Config struct {
	Store    Store
	Presence bunnybook.Presence
	Logger   *slog.Logger

	PresenceTTL  time.Duration // how long an online mark lasts without refresh; default 10s
	Heartbeat    time.Duration // how often the node refreshes its profiles' marks and re-reads their friends'; default 3s
	Linger       time.Duration // how long a profile grain waits after its last connection; default 2s
	IdleTimeout  time.Duration // conversation grain passivation; default 2m
	BatchMax     int           // most messages of one conversation per commit; default 256
	StoreTimeout time.Duration // per store call; default 5s
	Metrics      *metrics.Set  // default: counted nowhere
	// MaxConnsPerProfile is how many connections one profile may hold open
	// across the cluster; more are refused. The grain that counts them runs
	// on one node and uses that node's setting. Default 16.
	MaxConnsPerProfile int
	// Draining reports whether the node is shutting down: its profile
	// grains then stop without marking their profiles offline (their users
	// reconnect to other nodes; see profileGrain.goOffline). Default never.
	Draining func() bool
	// Dispatcher runs the grains' and fan-outs' mailboxes; default a
	// bbcluster.NewNodeDispatcher of their own (the server shares one with
	// the gateway).
	Dispatcher actor.Dispatcher

	keeper    *presenceKeeper // the node's presence heartbeat, made by Kinds
	committer *committer      // the node's chat writer, made by Kinds
}

func (c *Config) withDefaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	set(&c.PresenceTTL, 10*time.Second)
	set(&c.Heartbeat, 3*time.Second)
	set(&c.Linger, 2*time.Second)
	set(&c.IdleTimeout, 2*time.Minute)
	set(&c.StoreTimeout, 5*time.Second)
	if c.BatchMax == 0 {
		c.BatchMax = 256
	}
	if c.MaxConnsPerProfile == 0 {
		c.MaxConnsPerProfile = 16
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Metrics == nil {
		c.Metrics = metrics.Discard()
	}
	if c.Draining == nil {
		c.Draining = func() bool { return false }
	}
	if c.Dispatcher == nil {
		c.Dispatcher = bbcluster.NewNodeDispatcher()
	}
}

// Kinds returns the grain kinds this node hosts.
func Kinds(cfg Config) []*cluster.Kind {
	cfg.withDefaults()
	cfg.keeper = newPresenceKeeper(&cfg)
	cfg.committer = newCommitter(cfg.Store, cfg.StoreTimeout, cfg.Metrics)
	return []*cluster.Kind{
		// A profile grain is idle most of its life: the lock-free mailbox
		// is a few bytes when empty, the default one a ring of ten slots.
		bbcluster.NewKind(ProfileKind, func() bbcluster.Grain { return newProfileGrain(&cfg) },
			actor.WithMailbox(actor.UnboundedLockfree()), actor.WithDispatcher(cfg.Dispatcher)),
		bbcluster.NewKind(ConversationKind, func() bbcluster.Grain { return newConversationGrain(&cfg) },
			actor.WithDispatcher(cfg.Dispatcher)),
	}
}

// Hub is the server's handle on the grains: the gateway connects sessions
// and sends chat events through it, and Service pushes committed changes
// through it (it implements bunnybook.Notifier).
type Hub struct {
	cluster  *cluster.Cluster
	presence bunnybook.Presence
	logger   *slog.Logger
	timeout  time.Duration
}

// NewHub returns a Hub on a started cluster member.
func NewHub(c *cluster.Cluster, presence bunnybook.Presence, logger *slog.Logger) *Hub {
	return &Hub{cluster: c, presence: presence, logger: logger, timeout: 5 * time.Second}
}

var _ bunnybook.Notifier = (*Hub)(nil)

// request calls a grain and returns its typed answer.
func request[T any](h *Hub, identity, kind string, msg any) (T, error) {
	var zero T
	res, err := h.cluster.Request(identity, kind, msg, cluster.WithTimeout(h.timeout), cluster.WithRetryAction(backoff))
	if err != nil {
		return zero, bunnybook.Errorf(bunnybook.EUnavailable, "%s %s did not answer: %v", kind, identity, err)
	}
	t, ok := res.(T)
	if !ok {
		return zero, fmt.Errorf("%s %s answered %T", kind, identity, res)
	}
	return t, nil
}

// backoff waits a little longer before each retry of a grain call (the
// library's default waits nanoseconds).
func backoff(i int) int {
	time.Sleep(time.Duration(i*i*20+10) * time.Millisecond)
	return i + 1
}

// ErrTooManyConnections is Connect's refusal of a connection beyond the
// profile's limit (Config.MaxConnsPerProfile).
var ErrTooManyConnections = errors.New("too many connections for this profile")

// Connect attaches a session to its profile grain and returns the hello
// data. A refusal because the profile holds too many connections already
// is ErrTooManyConnections.
func (h *Hub) Connect(c *Connect, profileID string) (*Hello, error) {
	hello, err := request[*Hello](h, profileID, ProfileKind, c)
	switch {
	case err != nil:
	case hello.GetTooManyConnections():
		err = ErrTooManyConnections
	case hello.GetError() != "":
		err = errors.New(hello.GetError())
	}
	return hello, err
}

// Send asks a conversation to accept a message; it answers after the
// commit, with the stored message and when the one before it was created
// (Unix ms, 0 when the conversation does not know; see Push.PrevAtMs).
func (h *Hub) Send(groupID string, m *SendMessage) (*bunnybook.ChatMessage, int64, error) {
	ack, err := request[*MessageAck](h, groupID, ConversationKind, m)
	if err != nil {
		return nil, 0, err
	}
	if ack.GetErrorKind() != "" {
		return nil, 0, &bunnybook.Error{Kind: ack.GetErrorKind(), Message: ack.GetErrorMessage()}
	}
	msg := ack.GetMessage().ToDomain()
	return &msg, ack.GetPrevAtMs(), nil
}

// Typing relays that a member is typing.
func (h *Hub) Typing(groupID, profileID, username string) error {
	return ackErr(request[*Ack](h, groupID, ConversationKind, &Typing{ProfileId: profileID, Username: username}))
}

// MarkRead moves a member's read pointer.
func (h *Hub) MarkRead(groupID, profileID string, seq int64) error {
	return ackErr(request[*Ack](h, groupID, ConversationKind, &MarkRead{ProfileId: profileID, Seq: seq}))
}

func ackErr(a *Ack, err error) error {
	if err != nil {
		return err
	}
	if a.GetErrorKind() != "" {
		return &bunnybook.Error{Kind: a.GetErrorKind(), Message: a.GetErrorMessage()}
	}
	return nil
}

// tellOnline sends msgs, in order, to the profile grains of those ids that
// are online, without activating grains for offline profiles. Those whose
// grain is loaded on this node (known to keeper, when not nil) get them
// straight away; the others are looked up in presence and then in the
// cluster (a request to the grain's placement).
func tellOnline(ctx context.Context, c *cluster.Cluster, presence bunnybook.Presence, keeper *presenceKeeper, ids []string, msgs ...any) error {
	if keeper != nil {
		if ids = keeper.tellLocal(ids, msgs...); len(ids) == 0 {
			return nil
		}
	}
	online, err := presence.Online(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range online {
		if pid := c.Get(id, ProfileKind); pid != nil {
			for _, m := range msgs {
				c.ActorSystem.Root.Send(pid, m)
			}
		}
	}
	return nil
}

func (h *Hub) tell(ctx context.Context, ids []string, msg any) {
	if err := tellOnline(ctx, h.cluster, h.presence, nil, ids, msg); err != nil {
		h.logger.Warn("live push failed", "error", err, "profile_ids", ids)
	}
}

// NotificationCreated pushes n to its recipient's connections, if online.
func (h *Hub) NotificationCreated(ctx context.Context, n bunnybook.Notification) {
	b, _ := json.Marshal(n)
	h.tell(ctx, []string{n.ProfileID}, &NotificationCreated{Notification: b})
}

// FriendAdded tells both new friends, if online, and their conversation
// that it is open again.
func (h *Hub) FriendAdded(ctx context.Context, a, b bunnybook.Profile, chatGroupID string) {
	h.groupChanged(chatGroupID)
	h.tell(ctx, []string{a.ID}, &FriendAdded{Chat: &PrivateChat{ChatGroupId: chatGroupID, ProfileId: b.ID, Username: b.Username}})
	h.tell(ctx, []string{b.ID}, &FriendAdded{Chat: &PrivateChat{ChatGroupId: chatGroupID, ProfileId: a.ID, Username: a.Username}})
}

// groupChanged tells a conversation grain to re-read its group. (A grain
// that was not active is activated by it and stops at once.)
func (h *Hub) groupChanged(chatGroupID string) {
	if chatGroupID == "" {
		return
	}
	if pid := h.cluster.Get(chatGroupID, ConversationKind); pid != nil {
		h.cluster.ActorSystem.Root.Send(pid, &GroupChanged{})
	}
}

// SessionEnded closes the profile's connections of a logged-out session.
func (h *Hub) SessionEnded(ctx context.Context, profileID, sessionID string) {
	h.tell(ctx, []string{profileID}, &EndSession{SessionId: sessionID})
}

// FriendRemoved tells both former friends, if online, and their
// conversation that it is closed.
func (h *Hub) FriendRemoved(ctx context.Context, a, b, chatGroupID string) {
	h.groupChanged(chatGroupID)
	h.tell(ctx, []string{a}, &FriendRemoved{ProfileId: b})
	h.tell(ctx, []string{b}, &FriendRemoved{ProfileId: a})
}

// CountLookups wraps p so that every Online lookup increments n.
func CountLookups(p bunnybook.Presence, n prometheus.Counter) bunnybook.Presence {
	return countedPresence{p, n}
}

type countedPresence struct {
	bunnybook.Presence
	n prometheus.Counter
}

func (c countedPresence) Online(ctx context.Context, ids []string) ([]string, error) {
	c.n.Inc()
	return c.Presence.Online(ctx, ids)
}

// Moved forgets a profile grain that stopped, so that the next call places
// the profile anew (cached PIDs of a grain on another node are otherwise
// only dropped when that node leaves the membership, or after a timeout).
func (h *Hub) Moved(profileID string, grain *actor.PID) {
	h.cluster.PidCache.RemoveByValue(profileID, ProfileKind, grain)
}
