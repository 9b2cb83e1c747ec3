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
	watched map[uid]int32         // their friends: how many of them watch each
	running bool                  // the heartbeat loop runs (while local is not empty)

	seen map[uid]struct{} // watched profiles online at the last heartbeat; owned by the loop
}

func newPresenceKeeper(cfg *Config) *presenceKeeper {
	return &presenceKeeper{cfg: cfg, local: map[string]*actor.PID{}, watched: map[uid]int32{}}
}

// add registers a loaded profile grain and its friends.
func (k *presenceKeeper) add(ctx actor.Context, id string, friends friendSet) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.root = ctx.ActorSystem().Root
	k.local[id] = ctx.Self()
	for _, f := range friends {
		k.watched[f.id]++
	}
	if !k.running {
		k.running = true
		go k.loop()
	}
}

// remove forgets a profile grain that goes offline.
func (k *presenceKeeper) remove(id string, friends friendSet) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.local, id)
	for _, f := range friends {
		k.unwatchLocked(f.id)
	}
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

// watch and unwatch follow a local profile's new and former friends.
func (k *presenceKeeper) watch(id uid) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.watched[id]++
}

func (k *presenceKeeper) unwatch(id uid) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.unwatchLocked(id)
}

func (k *presenceKeeper) unwatchLocked(id uid) {
	if k.watched[id]--; k.watched[id] <= 0 {
		delete(k.watched, id)
	}
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
	friends := make([]string, 0, len(k.watched))
	for u := range k.watched {
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
