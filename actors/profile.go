package actors

import (
	"context"
	"encoding/json"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"

	"github.com/bunnybook/bunnybook"
)

// Local timer messages; they never leave the node.
type (
	heartbeat   struct{}
	lingerEnded struct{ gen int }
)

// profileGrain is one online profile. All fields are owned by the actor.
type profileGrain struct {
	cfg      *Config
	id       string
	sessions map[string]*Connect // conn id → the session actor and its sign-in session
	friends  map[string]struct{} // friend ids (kept small: an online profile holds only ids)
	online   map[string]bool     // friend ids seen online
	loaded   bool                // friends and counters read, presence set
	timer    *time.Timer         // next heartbeat
	linger   int                 // generation of the pending linger timer
}

func newProfileGrain(cfg *Config) *profileGrain {
	return &profileGrain{cfg: cfg, sessions: map[string]*Connect{}}
}

func (g *profileGrain) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *cluster.ClusterInit:
		g.id = m.Identity.Identity
		g.cfg.Metrics.ProfileGrains.Inc()
	case *actor.Stopped:
		g.cfg.Metrics.ProfileGrains.Dec()
	case *Connect:
		ctx.Respond(g.connect(ctx, m))
	case *actor.Terminated:
		g.sessionEnded(ctx, m.Who)
	case heartbeat:
		g.heartbeat(ctx)
	case lingerEnded:
		if m.gen == g.linger && len(g.sessions) == 0 {
			ctx.Poison(ctx.Self())
		}
	case *actor.Stopping:
		g.goOffline(ctx)
	case *Deliver, *PresenceChanged, *NotificationCreated, *FriendAdded, *FriendRemoved, *EndSession:
		if !g.loaded {
			// Activated by a message for an offline profile (a race with
			// its last disconnect): nothing to push to, so stop.
			ctx.Poison(ctx.Self())
			return
		}
		g.event(ctx, m)
	}
}

func (g *profileGrain) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), g.cfg.StoreTimeout)
}

// connect registers a session and answers with the hello data.
func (g *profileGrain) connect(ctx actor.Context, m *Connect) *Hello {
	c, cancel := g.ctx()
	defer cancel()
	chats, err := g.cfg.Store.PrivateChats(c, g.id)
	if err == nil && !g.loaded {
		err = g.load(ctx, chats)
	}
	if err != nil {
		g.cfg.Logger.Error("load profile", "profile_id", g.id, "error", err)
		return &Hello{Error: "could not load the profile"}
	}
	g.linger++ // cancels a pending linger
	g.sessions[m.GetConnId()] = m
	ctx.Watch(m.GetSession())
	hello := &Hello{Grain: ctx.Self()}
	for _, pc := range chats {
		hello.PrivateChats = append(hello.PrivateChats, &PrivateChat{ChatGroupId: pc.ChatGroupID, ProfileId: pc.ProfileID, Username: pc.Username})
	}
	for id := range g.online {
		hello.OnlineFriends = append(hello.OnlineFriends, id)
	}
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
	g.friends = make(map[string]struct{}, len(chats))
	for _, pc := range chats {
		g.friends[pc.ProfileID] = struct{}{}
	}
	if err := g.cfg.Presence.SetOnline(c, g.id, g.cfg.PresenceTTL); err != nil {
		return err
	}
	online, err := g.cfg.Presence.Online(c, g.friendIDs())
	if err != nil {
		return err
	}
	g.online = make(map[string]bool, len(online))
	for _, id := range online {
		g.online[id] = true
	}
	g.loaded = true
	g.tellFriends(ctx, online, &PresenceChanged{ProfileId: g.id, Online: true})
	g.schedule(ctx, g.cfg.Heartbeat, heartbeat{})
	return nil
}

func (g *profileGrain) friendIDs() []string {
	ids := make([]string, 0, len(g.friends))
	for id := range g.friends {
		ids = append(ids, id)
	}
	return ids
}

// tellFriends sends msg to the grains of the given (online) friends.
func (g *profileGrain) tellFriends(ctx actor.Context, ids []string, msg any) {
	c := cluster.GetCluster(ctx.ActorSystem())
	for _, id := range ids {
		if pid := c.Get(id, ProfileKind); pid != nil {
			ctx.Send(pid, msg)
		}
	}
}

// schedule sends msg to this grain after d, off the actor's goroutine.
func (g *profileGrain) schedule(ctx actor.Context, d time.Duration, msg any) *time.Timer {
	self, root := ctx.Self(), ctx.ActorSystem().Root
	t := time.AfterFunc(d, func() { root.Send(self, msg) })
	if _, ok := msg.(heartbeat); ok {
		g.timer = t
	}
	return t
}

// sessionEnded forgets a closed connection; after the last one, the grain
// lingers briefly (a page reload reconnects within it) and then stops.
func (g *profileGrain) sessionEnded(ctx actor.Context, who *actor.PID) {
	for conn, s := range g.sessions {
		if s.GetSession().Equal(who) {
			delete(g.sessions, conn)
		}
	}
	if len(g.sessions) == 0 {
		g.linger++
		g.schedule(ctx, g.cfg.Linger, lingerEnded{gen: g.linger})
	}
}

// goOffline clears presence and tells online friends, once.
func (g *profileGrain) goOffline(ctx actor.Context) {
	if !g.loaded {
		return
	}
	g.loaded = false
	if g.timer != nil {
		g.timer.Stop()
	}
	c, cancel := g.ctx()
	defer cancel()
	if err := g.cfg.Presence.SetOffline(c, g.id); err != nil {
		g.cfg.Logger.Warn("set offline", "profile_id", g.id, "error", err)
	}
	online := make([]string, 0, len(g.online))
	for id := range g.online {
		online = append(online, id)
	}
	g.tellFriends(ctx, online, &PresenceChanged{ProfileId: g.id, Online: false})
}

// heartbeat refreshes the online mark and catches friends whose presence
// changed without a message (e.g. their node died and the mark expired).
func (g *profileGrain) heartbeat(ctx actor.Context) {
	if !g.loaded {
		return
	}
	defer g.schedule(ctx, g.cfg.Heartbeat, heartbeat{})
	c, cancel := g.ctx()
	defer cancel()
	if err := g.cfg.Presence.SetOnline(c, g.id, g.cfg.PresenceTTL); err != nil {
		g.cfg.Logger.Warn("refresh presence", "profile_id", g.id, "error", err)
		return
	}
	online, err := g.cfg.Presence.Online(c, g.friendIDs())
	if err != nil {
		g.cfg.Logger.Warn("read friends' presence", "profile_id", g.id, "error", err)
		return
	}
	now := make(map[string]bool, len(online))
	for _, id := range online {
		now[id] = true
	}
	for id := range g.friends {
		if now[id] != g.online[id] {
			g.pushAll(ctx, &Push{Frame: encode(presenceFrame{Type: "presence", ProfileID: id, Online: now[id]})})
		}
	}
	g.online = now
}

// event handles a change pushed by another grain or by the Hub.
func (g *profileGrain) event(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case *Deliver:
		g.pushAll(ctx, m.GetPush())
	case *PresenceChanged:
		id := m.GetProfileId()
		if _, friend := g.friends[id]; !friend || g.online[id] == m.GetOnline() {
			return
		}
		if m.GetOnline() {
			g.online[id] = true
		} else {
			delete(g.online, id)
		}
		g.pushAll(ctx, &Push{Frame: encode(presenceFrame{Type: "presence", ProfileID: id, Online: m.GetOnline()})})
	case *NotificationCreated:
		c, cancel := g.ctx()
		defer cancel()
		n, err := g.cfg.Store.UnreadNotificationCount(c, g.id)
		if err != nil {
			g.cfg.Logger.Warn("unread notifications", "profile_id", g.id, "error", err)
		}
		g.pushAll(ctx, &Push{Frame: encode(notificationFrame{Type: "notification", Notification: json.RawMessage(m.GetNotification()), UnreadCount: n})})
	case *FriendAdded:
		chat := m.GetChat()
		g.friends[chat.GetProfileId()] = struct{}{}
		g.pushAll(ctx, &Push{Frame: encode(friendAddedFrame{Type: "friend.added", ChatGroupID: chat.GetChatGroupId(), ProfileID: chat.GetProfileId(), Username: chat.GetUsername()})})
		g.checkPresence(ctx, chat.GetProfileId())
	case *EndSession:
		for _, s := range g.sessions {
			if s.GetSessionId() == m.GetSessionId() {
				ctx.Send(s.GetSession(), &CloseConnection{Code: closeLoggedOut, Reason: "logged out"})
			}
		}
	case *FriendRemoved:
		delete(g.friends, m.GetProfileId())
		delete(g.online, m.GetProfileId())
		g.pushAll(ctx, &Push{Frame: encode(friendRemovedFrame{Type: "friend.removed", ProfileID: m.GetProfileId()})})
	}
}

// checkPresence checks a new friend's presence now.
func (g *profileGrain) checkPresence(ctx actor.Context, id string) {
	c, cancel := g.ctx()
	defer cancel()
	online, err := g.cfg.Presence.Online(c, []string{id})
	if err != nil || len(online) == 0 {
		return
	}
	g.online[id] = true
	g.pushAll(ctx, &Push{Frame: encode(presenceFrame{Type: "presence", ProfileID: id, Online: true})})
}

func (g *profileGrain) pushAll(ctx actor.Context, p *Push) {
	for _, s := range g.sessions {
		ctx.Send(s.GetSession(), p)
	}
}
