package actors

import (
	"context"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// presenceTick tells a profile grain whose presence changed since the
// previous heartbeat: uid → online now.
type presenceTick struct{ changed map[uid]bool }

// presenceKeeper does the heartbeat of all of a node's online profiles in
// one batch: every Heartbeat it refreshes their online marks (one pipelined
// call), reads the presence of every profile they are friends with (one
// lookup), and tells the grains which of those changed since the previous
// heartbeat. Friends' changes normally arrive as PresenceChanged messages;
// the heartbeat catches those that cannot send one (their node died and
// their mark expired). A quiet heartbeat costs the grains nothing.
type presenceKeeper struct {
	cfg *Config

	mu      sync.Mutex
	root    *actor.RootContext
	local   map[string]*actor.PID // loaded profile grains on this node
	friends friendTable           // their friends
	running bool                  // the heartbeat loop runs (while local is not empty)

	seen map[uid]struct{} // watched profiles online at the last heartbeat; owned by the loop
}

func newPresenceKeeper(cfg *Config) *presenceKeeper {
	return &presenceKeeper{cfg: cfg, local: map[string]*actor.PID{}, friends: newFriendTable()}
}

// add registers a loaded profile grain and returns the set of its friends
// (all offline).
func (k *presenceKeeper) add(ctx actor.Context, id string, friendIDs []string) friendSet {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.root = ctx.ActorSystem().Root
	k.local[id] = ctx.Self()
	if !k.running {
		k.running = true
		go k.loop()
	}
	return k.friends.set(friendIDs)
}

// remove forgets a profile grain that goes offline, and its friends.
func (k *presenceKeeper) remove(id string, s friendSet) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.local, id)
	k.friends.drop(s)
}

// find returns the index in s of the friend with the given id.
func (k *presenceKeeper) find(s friendSet, id string) (int, bool) {
	u, ok := parseUID(id)
	if !ok {
		return 0, false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.friends.find(s, u)
}

// befriend and unfriend return s with a new friend, or without a former one.
func (k *presenceKeeper) befriend(s friendSet, u uid) friendSet {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.friends.add(s, u)
}

func (k *presenceKeeper) unfriend(s friendSet, u uid) friendSet {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.friends.remove(s, u)
}

// onlineIDs returns the ids of the friends of s that are online.
func (k *presenceKeeper) onlineIDs(s friendSet) []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var ids []string
	for i, f := range s {
		if f.online() {
			ids = append(ids, k.friends.id(s, i).String())
		}
	}
	return ids
}

// change is a friend's presence that differs from what their set says.
type change struct {
	i      int // in the set
	id     uid
	online bool
}

// changes returns the friends of s whose presence in a heartbeat's changes
// differs from s.
func (k *presenceKeeper) changes(s friendSet, changed map[uid]bool) []change {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []change
	add := func(i int, u uid, online bool) {
		if s[i].online() != online {
			out = append(out, change{i, u, online})
		}
	}
	if len(changed) < len(s) {
		for u, online := range changed {
			if i, ok := k.friends.find(s, u); ok {
				add(i, u, online)
			}
		}
		return out
	}
	for i := range s {
		u := k.friends.id(s, i)
		if online, ok := changed[u]; ok {
			add(i, u, online)
		}
	}
	return out
}

// pids returns the PIDs of those of ids whose grain is loaded on this node
// (nil for the others).
func (k *presenceKeeper) pids(ids []string) []*actor.PID {
	out := make([]*actor.PID, len(ids))
	k.mu.Lock()
	defer k.mu.Unlock()
	for i, id := range ids {
		out[i] = k.local[id]
	}
	return out
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
	pids := make([]*actor.PID, 0, len(k.local))
	for id, pid := range k.local {
		ids = append(ids, id)
		pids = append(pids, pid)
	}
	friends := make([]string, 0, len(k.friends.refs))
	for u := range k.friends.refs {
		friends = append(friends, u.String())
	}
	root := k.root
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
		tick := presenceTick{changed}
		for _, pid := range pids {
			root.Send(pid, tick)
		}
	}
	return true
}
