package actors

import (
	"context"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"

	"github.com/bunnybook/bunnybook"
)

// lingerEnded is the profile grain's own timer message; it never leaves the node.
type lingerEnded struct{ gen int }

// profileGrain is one online profile. All fields are owned by the actor.
type profileGrain struct {
	cfg      *Config
	id       string
	sessions []session      // its connections
	me       *onlineProfile // its friends and who of them is online, kept by the presence keeper; nil until loaded
	linger   int            // generation of the pending linger timer
}

// session is one connection of the profile.
type session struct {
	connID    string
	sessionID string     // the sign-in session it was opened with
	gateway   *actor.PID // the gateway actor of its node
}

func newProfileGrain(cfg *Config) *profileGrain {
	return &profileGrain{cfg: cfg}
}

func (g *profileGrain) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		g.cfg.Metrics.ProfileGrains.Inc()
	case *actor.Stopped:
		g.cfg.Metrics.ProfileGrains.Dec()
	case *Connect:
		ctx.Respond(g.connect(ctx, m))
	case *Disconnect:
		g.drop(ctx, func(s session) bool { return s.connID == m.GetConnId() })
	case *actor.Terminated:
		// A gateway we push to stopped: its node left the cluster.
		g.drop(ctx, func(s session) bool { return s.gateway.Equal(m.Who) })
	case presenceTick:
		g.presenceTick(ctx, m)
	case lingerEnded:
		if m.gen == g.linger && len(g.sessions) == 0 {
			ctx.Poison(ctx.Self())
		}
	case *actor.Stopping:
		g.goOffline(ctx)
	case *Deliver, *PresenceChanged, *NotificationCreated, *FriendAdded, *FriendRemoved, *EndSession:
		if !g.loaded() {
			// Activated by a message for a profile with no connection (a
			// race with its last disconnect, or a presence mark that
			// outlived its node): nothing to push to. It lingers as after a
			// last disconnect rather than stop at once: its sender cached
			// its PID, and a connection that comes meanwhile attaches here
			// instead of to a new grain that cached PID does not name
			// (whose pushes would go to a dead letter and be lost).
			g.lingerThenStop(ctx)
			return
		}
		g.event(ctx, m)
	}
}

// SetIdentity is bbcluster.Grain's.
func (g *profileGrain) SetIdentity(id string) { g.id = id }

// loaded tells whether friends and presence are read and presence is set.
func (g *profileGrain) loaded() bool { return g.me != nil }

func (g *profileGrain) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), g.cfg.StoreTimeout)
}

// connect registers a connection and answers with the hello data, or
// refuses it when the profile already holds the most connections allowed.
// (A Connect for a connection it holds, retried by the cluster, is not
// counted twice.)
func (g *profileGrain) connect(ctx actor.Context, m *Connect) *Hello {
	known := slices.ContainsFunc(g.sessions, func(s session) bool { return s.connID == m.GetConnId() })
	if !known && len(g.sessions) >= g.cfg.MaxConnsPerProfile {
		return &Hello{TooManyConnections: true}
	}
	c, cancel := g.ctx()
	defer cancel()
	chats, err := g.cfg.Store.PrivateChats(c, g.id)
	var groups []bunnybook.GroupChatInfo
	if err == nil {
		groups, err = g.cfg.Store.GroupChats(c, g.id)
	}
	if err == nil && !g.loaded() {
		err = g.load(ctx, chats)
	}
	if err != nil {
		g.cfg.Logger.Error("load profile", "profile_id", g.id, "error", err)
		if len(g.sessions) == 0 {
			ctx.Poison(ctx.Self()) // nobody to serve: do not linger forever (after this answer)
		}
		return &Hello{Error: "could not load the profile"}
	}
	g.linger++ // cancels a pending linger
	if !known {
		g.sessions = append(g.sessions, session{connID: m.GetConnId(), sessionID: m.GetSessionId(), gateway: m.GetGateway()})
	}
	g.watchGateway(ctx, m.GetGateway())
	hello := &Hello{Grain: ctx.Self()}
	for _, pc := range chats {
		hello.PrivateChats = append(hello.PrivateChats, &PrivateChat{ChatGroupId: pc.ChatGroupID, ProfileId: pc.ProfileID, Username: pc.Username})
	}
	hello.OnlineFriends = g.cfg.keeper.onlineIDs(g.me)
	hello.GroupChats = groupChatsOf(groups)
	if hello.UnreadConversationIds, err = g.cfg.Store.UnreadConversations(c, g.id); err != nil {
		g.cfg.Logger.Warn("unread conversations", "profile_id", g.id, "error", err)
	}
	n, err := g.cfg.Store.UnreadNotificationCount(c, g.id)
	if err != nil {
		g.cfg.Logger.Warn("unread notifications", "profile_id", g.id, "error", err)
	}
	hello.UnreadNotificationsCount = int64(n)
	return hello
}

// load keeps the friend list, marks the profile online and tells its
// online friends.
func (g *profileGrain) load(ctx actor.Context, chats []bunnybook.PrivateChat) error {
	c, cancel := g.ctx()
	defer cancel()
	ids := make([]string, len(chats))
	for i, pc := range chats {
		ids[i] = pc.ProfileID
	}
	if err := g.cfg.Presence.SetOnline(c, g.cfg.PresenceTTL, g.id); err != nil {
		return err
	}
	online, err := g.cfg.Presence.Online(c, ids)
	if err != nil {
		return err
	}
	g.me = g.cfg.keeper.add(ctx, g.id, ids, online)
	g.tellFriends(ctx, online, &PresenceChanged{ProfileId: g.id, Online: true})
	return nil
}

// tellFriends sends msg to the grains of the given (online) friends: those
// on this node straight away, the others through the cluster's lookup.
func (g *profileGrain) tellFriends(ctx actor.Context, ids []string, msg any) {
	c := cluster.GetCluster(ctx.ActorSystem())
	for _, id := range g.cfg.keeper.tellLocal(ids, msg) {
		if pid := c.Get(id, ProfileKind); pid != nil {
			ctx.Send(pid, msg)
		}
	}
}

// drop forgets the connections that match; after the last one, the grain
// lingers briefly (a page reload reconnects within it) and then stops.
func (g *profileGrain) drop(ctx actor.Context, match func(s session) bool) {
	var gone []session
	g.sessions = slices.DeleteFunc(g.sessions, func(s session) bool {
		if match(s) {
			gone = append(gone, s)
			return true
		}
		return false
	})
	for _, s := range gone {
		g.unwatchUnused(ctx, s.gateway)
	}
	if len(g.sessions) == 0 {
		g.lingerThenStop(ctx)
	}
}

// lingerThenStop stops the grain after the linger time unless a connection
// attaches meanwhile.
func (g *profileGrain) lingerThenStop(ctx actor.Context) {
	g.linger++
	self, root, gen := ctx.Self(), ctx.ActorSystem().Root, g.linger
	time.AfterFunc(g.cfg.Linger, func() { root.Send(self, lingerEnded{gen}) })
}

// watchGateway watches the gateway of a connection on another node, to
// drop its connections if that node dies. (A gateway on our own node lives
// as long as we do.) Watching twice is harmless: the watch set ignores it.
func (g *profileGrain) watchGateway(ctx actor.Context, gateway *actor.PID) {
	if gateway.GetAddress() != ctx.Self().GetAddress() {
		ctx.Watch(gateway)
	}
}

// unwatchUnused stops watching a remote gateway none of our connections use.
func (g *profileGrain) unwatchUnused(ctx actor.Context, gateway *actor.PID) {
	if slices.ContainsFunc(g.sessions, func(s session) bool { return s.gateway.Equal(gateway) }) {
		return
	}
	if gateway.GetAddress() != ctx.Self().GetAddress() {
		ctx.Unwatch(gateway)
	}
}

// goOffline clears presence and tells online friends, once. On a node
// that drains it only lets go: the profile's connections are reconnecting
// to other nodes, where its new grain marks it online (so friends never see
// it flap offline); if they do not come back, the mark this node no longer
// refreshes expires and friends' heartbeats notice.
func (g *profileGrain) goOffline(ctx actor.Context) {
	if !g.loaded() {
		return
	}
	online := g.cfg.keeper.remove(g.id, g.me)
	g.me = nil
	if g.cfg.Draining() {
		return
	}
	c, cancel := g.ctx()
	defer cancel()
	if err := g.cfg.Presence.SetOffline(c, g.id); err != nil {
		g.cfg.Logger.Warn("set offline", "profile_id", g.id, "error", err)
	}
	g.tellFriends(ctx, online, &PresenceChanged{ProfileId: g.id, Online: false})
}

// presenceTick catches friends whose presence changed without a message
// (their node died and their mark expired): see presenceKeeper.
func (g *profileGrain) presenceTick(ctx actor.Context, t presenceTick) {
	if !g.loaded() {
		return
	}
	for _, p := range g.cfg.keeper.apply(g.me, t.changed) {
		g.pushAll(ctx, presencePush(p.id.String(), p.online))
	}
}

// event handles a change pushed by another grain or by the Hub.
func (g *profileGrain) event(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case *Deliver:
		g.pushAll(ctx, m.GetPush())
	case *PresenceChanged:
		if g.cfg.keeper.setOnline(g.me, m.GetProfileId(), m.GetOnline()) {
			g.pushAll(ctx, presencePush(m.GetProfileId(), m.GetOnline()))
		}
	case *NotificationCreated:
		c, cancel := g.ctx()
		defer cancel()
		n, err := g.cfg.Store.UnreadNotificationCount(c, g.id)
		if err != nil {
			g.cfg.Logger.Warn("unread notifications", "profile_id", g.id, "error", err)
		}
		g.pushAll(ctx, &Push{Event: &Push_Notification{Notification: &NotificationPush{Notification: m.GetNotification(), UnreadCount: int64(n)}}})
	case *FriendAdded:
		chat := m.GetChat()
		if u, ok := parseUID(chat.GetProfileId()); ok {
			g.cfg.keeper.befriend(g.me, u)
		}
		g.pushAll(ctx, &Push{Event: &Push_FriendAdded{FriendAdded: chat}})
		g.checkPresence(ctx, chat.GetProfileId())
	case *EndSession:
		for _, s := range g.sessions {
			if s.sessionID == m.GetSessionId() {
				ctx.Send(s.gateway, &CloseConnection{Reason: CloseReason_LOGGED_OUT, ConnId: s.connID})
			}
		}
	case *FriendRemoved:
		if u, ok := parseUID(m.GetProfileId()); ok {
			g.cfg.keeper.unfriend(g.me, u)
		}
		g.pushAll(ctx, &Push{Event: &Push_FriendRemoved{FriendRemoved: m}})
	}
}

// checkPresence checks a new friend's presence now.
func (g *profileGrain) checkPresence(ctx actor.Context, id string) {
	c, cancel := g.ctx()
	defer cancel()
	online, err := g.cfg.Presence.Online(c, []string{id})
	if err == nil && len(online) > 0 && g.cfg.keeper.setOnline(g.me, id, true) {
		g.pushAll(ctx, presencePush(id, true))
	}
}

func presencePush(profileID string, online bool) *Push {
	return &Push{Event: &Push_Presence{Presence: &PresenceChanged{ProfileId: profileID, Online: online}}}
}

// pushAll sends p to every connection of the profile: one message to each
// gateway, naming its connections.
func (g *profileGrain) pushAll(ctx actor.Context, p *Push) {
	var done []*actor.PID
	for _, s := range g.sessions {
		gw := s.gateway
		if slices.ContainsFunc(done, gw.Equal) {
			continue
		}
		done = append(done, gw)
		q := &Push{Event: p.Event, OriginConns: p.OriginConns, PrevAtMs: p.PrevAtMs}
		for _, o := range g.sessions {
			if o.gateway.Equal(gw) {
				q.ConnIds = append(q.ConnIds, o.connID)
			}
		}
		ctx.Send(gw, q)
	}
}
