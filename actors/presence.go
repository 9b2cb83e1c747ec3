package actors

import (
	"context"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// presenceTick tells a profile grain that the presence of some of its
// friends changed since the previous heartbeat: uid → online now.
type presenceTick struct{ changed map[uid]bool }

// presenceKeeper does the heartbeat of all of a node's online profiles in
// one batch: every Heartbeat it refreshes their online marks (one pipelined
// call), reads the presence of every profile they are friends with (one
// lookup), and tells the grains whose friends' presence changed since the
// previous heartbeat, unless they know already. Friends' changes normally
// arrive as PresenceChanged messages; the heartbeat catches those that
// cannot send one (their node died and their mark expired). A quiet
// heartbeat costs the grains nothing.
//
// It also keeps the online profiles' friend sets (see friendTable), which
// its heartbeat reads: a grain changes its set only through the keeper.
type presenceKeeper struct {
	cfg *Config

	mu      sync.Mutex
	root    *actor.RootContext
	local   map[string]*onlineProfile // loaded profile grains on this node
	friends friendTable               // their friends
	running bool                      // the heartbeat loop runs (while local is not empty)

	seen map[uid]struct{} // watched profiles online at the last heartbeat; owned by the loop
}

// onlineProfile is a loaded profile grain, as the keeper knows it.
type onlineProfile struct {
	pid     *actor.PID
	friends friendSet // guarded by the keeper's mu
}

func newPresenceKeeper(cfg *Config) *presenceKeeper {
	return &presenceKeeper{cfg: cfg, local: map[string]*onlineProfile{}, friends: newFriendTable()}
}

// add registers a loaded profile grain with its friends, those given as
// online marked so.
func (k *presenceKeeper) add(ctx actor.Context, id string, friendIDs, online []string) *onlineProfile {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.root = ctx.ActorSystem().Root
	p := &onlineProfile{pid: ctx.Self(), friends: k.friends.set(friendIDs)}
	for _, id := range online {
		if u, ok := parseUID(id); ok {
			if i, ok := k.friends.find(p.friends, u); ok {
				p.friends.setOnline(i, true)
			}
		}
	}
	k.local[id] = p
	if !k.running {
		k.running = true
		go k.loop()
	}
	return p
}

// remove forgets a profile grain that goes offline, and its friends; it
// returns those who were online.
func (k *presenceKeeper) remove(id string, p *onlineProfile) (online []string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	online = k.onlineLocked(p)
	delete(k.local, id)
	k.friends.drop(p.friends)
	p.friends = nil
	return online
}

// onlineIDs returns the ids of p's friends who are online.
func (k *presenceKeeper) onlineIDs(p *onlineProfile) []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.onlineLocked(p)
}

func (k *presenceKeeper) onlineLocked(p *onlineProfile) []string {
	var ids []string
	for i, f := range p.friends {
		if f.online() {
			ids = append(ids, k.friends.id(p.friends, i).String())
		}
	}
	return ids
}

// setOnline records a friend's presence; it reports whether it changed
// (false for someone who is not a friend).
func (k *presenceKeeper) setOnline(p *onlineProfile, id string, online bool) bool {
	u, ok := parseUID(id)
	if !ok {
		return false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	i, ok := k.friends.find(p.friends, u)
	if !ok || p.friends[i].online() == online {
		return false
	}
	p.friends.setOnline(i, online)
	return true
}

// befriend and unfriend add a new friend (offline) to p, or remove a
// former one.
func (k *presenceKeeper) befriend(p *onlineProfile, u uid) {
	k.mu.Lock()
	defer k.mu.Unlock()
	p.friends = k.friends.add(p.friends, u)
}

func (k *presenceKeeper) unfriend(p *onlineProfile, u uid) {
	k.mu.Lock()
	defer k.mu.Unlock()
	p.friends = k.friends.remove(p.friends, u)
}

// presence is a friend's presence.
type presence struct {
	id     uid
	online bool
}

// apply records those of a heartbeat's changes that concern p's friends
// and differ from what p knows; it returns them.
func (k *presenceKeeper) apply(p *onlineProfile, changed map[uid]bool) []presence {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []presence
	k.eachChange(p.friends, changed, func(i int, u uid, online bool) bool {
		p.friends.setOnline(i, online)
		out = append(out, presence{u, online})
		return true
	})
	return out
}

// eachChange calls fn, while it returns true, for each friend of s whose
// presence in changed differs from s's. k.mu must be held.
func (k *presenceKeeper) eachChange(s friendSet, changed map[uid]bool, fn func(i int, u uid, online bool) bool) {
	visit := func(i int, u uid, online bool) bool { // false: stop
		return s[i].online() == online || fn(i, u, online)
	}
	if len(changed) < len(s) {
		for u, online := range changed {
			if i, ok := k.friends.find(s, u); ok && !visit(i, u, online) {
				return
			}
		}
		return
	}
	for i := range s {
		u := k.friends.id(s, i)
		if online, ok := changed[u]; ok && !visit(i, u, online) {
			return
		}
	}
}

// tellLocal sends msgs, in order, to the grains of those of ids that are
// loaded on this node, and returns the others.
func (k *presenceKeeper) tellLocal(ids []string, msgs ...any) (rest []string) {
	var to []*actor.PID
	k.mu.Lock()
	for _, id := range ids {
		if p := k.local[id]; p != nil {
			to = append(to, p.pid)
		} else {
			rest = append(rest, id)
		}
	}
	root := k.root
	k.mu.Unlock()
	for _, pid := range to {
		for _, m := range msgs {
			root.Send(pid, m)
		}
	}
	return rest
}

// loop beats until the node has no online profile left.
func (k *presenceKeeper) loop() {
	t := time.NewTicker(k.cfg.Heartbeat)
	defer t.Stop()
	for range t.C {
		if !k.beat() {
			return
		}
	}
}

// beat does one heartbeat; false when there is nothing left to do (the loop
// ends, and the next add starts it again).
func (k *presenceKeeper) beat() bool {
	k.mu.Lock()
	if len(k.local) == 0 {
		k.running = false
		k.seen = nil
		k.mu.Unlock()
		return false
	}
	ids := make([]string, 0, len(k.local))
	for id := range k.local {
		ids = append(ids, id)
	}
	friends := make([]string, 0, len(k.friends.refs))
	for u := range k.friends.refs {
		friends = append(friends, u.String())
	}
	k.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), k.cfg.StoreTimeout)
	defer cancel()
	if err := k.cfg.Presence.SetOnline(ctx, k.cfg.PresenceTTL, ids...); err != nil {
		k.cfg.Logger.Warn("refresh presence", "profiles", len(ids), "error", err)
		return true
	}
	online, err := k.cfg.Presence.Online(ctx, friends)
	if err != nil {
		k.cfg.Logger.Warn("read friends' presence", "profiles", len(friends), "error", err)
		return true
	}
	now := make(map[uid]struct{}, len(online))
	changed := map[uid]bool{}
	for _, id := range online {
		u, _ := parseUID(id)
		now[u] = struct{}{}
		if _, was := k.seen[u]; !was {
			changed[u] = true
		}
	}
	for u := range k.seen {
		if _, is := now[u]; !is {
			changed[u] = false
		}
	}
	k.seen = now
	if len(changed) > 0 {
		k.tell(presenceTick{changed})
	}
	return true
}

// tell sends the tick to the grains it concerns: those with a friend whose
// presence in it differs from what they know. (Most know already, from
// PresenceChanged messages: a profile that comes online tells its online
// friends at once.)
func (k *presenceKeeper) tell(t presenceTick) {
	k.mu.Lock()
	var to []*actor.PID
	for _, p := range k.local {
		k.eachChange(p.friends, t.changed, func(int, uid, bool) bool {
			to = append(to, p.pid)
			return false
		})
	}
	root := k.root
	k.mu.Unlock()
	for _, pid := range to {
		root.Send(pid, t)
	}
}
