package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/client"
)

// sender is one direction of a chatting pair: from sends to group.
type sender struct {
	from, to int
	group    string
	n        int64 // messages sent so far; owned by the chat loop
}

// chat makes friends chat in pairs at rate messages per second in total
// (this worker sends its share: the pairs' members it holds).
func (w *Worker) chat(p Phases, rate float64) {
	pairs := chatPairs(w.users, w.o.Connections)
	var mine []*sender
	for _, pr := range pairs {
		for _, s := range []*sender{{from: pr.A, to: pr.B, group: pr.Group}, {from: pr.B, to: pr.A, group: pr.Group}} {
			if w.conns[s.from] != nil {
				mine = append(mine, s)
			}
		}
	}
	if len(mine) == 0 {
		time.Sleep(time.Until(p.End))
		return
	}
	share := rate * float64(len(mine)) / float64(2*len(pairs))
	pace(share, p.End, func(i int) {
		s := mine[i%len(mine)]
		s.n++
		w.send(w.conns[s.from], s.group, s.n)
	})
}

// send sends message number n of vc's user to group and keeps it in flight
// until its ack.
func (w *Worker) send(vc *vconn, group string, n int64) {
	id := fmt.Sprintf("%s-%d-%d", w.runID, vc.idx, n)
	frame := fmt.Sprintf(`{"type":"chat.send","id":%q,"chatGroupId":%q,"content":"bl|%s|%d|%d|%d"}`,
		id, group, w.runID, vc.idx, n, time.Now().UnixNano())
	// In flight before it is sent: the ack can come back at once.
	vc.mu.Lock()
	vc.sending[id] = &inflight{frame: []byte(frame), n: n}
	vc.mu.Unlock()
	w.rec.Add(vc.target, "chat.sent", 1)
	if err := vc.send([]byte(frame)); err != nil {
		// Offline, as a user can be: it is sent after reconnecting.
		w.rec.Add(vc.target, "chat.queued", 1)
	}
}

// groupChat makes the planned groups' members chat at rate messages per
// second in total (this worker sends its members' share), each member in
// their group once they know its id.
func (w *Worker) groupChat(p Phases, rate float64) {
	var mine []*vconn
	total := 0
	for _, g := range w.groups {
		total += len(g.Members)
		for _, m := range g.Members {
			if vc := w.conns[m]; vc != nil {
				mine = append(mine, vc)
			}
		}
	}
	if len(mine) == 0 {
		time.Sleep(time.Until(p.End))
		return
	}
	sent := make([]int64, len(mine))
	pace(rate*float64(len(mine))/float64(total), p.End, func(i int) {
		k := i % len(mine)
		vc := mine[k]
		vc.mu.Lock()
		group := vc.groupID
		vc.mu.Unlock()
		if group == "" {
			w.rec.Add(vc.target, "chat.skipped", 1) // the group's id has not reached this member yet
			return
		}
		sent[k]++
		w.send(vc, group, sent[k])
	})
}

// createGroups creates the planned groups whose creator this worker holds
// (POST /web/chat/groups); members learn their ids from group.added, or
// from hello when they connect later.
func (w *Worker) createGroups() {
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for _, g := range w.groups {
		vc := w.conns[g.Members[0]]
		if vc == nil {
			continue
		}
		ids := make([]string, 0, len(g.Members)-1)
		for _, m := range g.Members[1:] {
			ids = append(ids, w.users[m].ID)
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			created, err := vc.http.CreateGroupChat(w.ctx, g.Name, ids)
			if err != nil {
				w.rec.Add(vc.target, "groups.failed", 1)
				w.rec.Add(vc.target, "errors."+errKind(err), 1)
				return
			}
			w.rec.Add(vc.target, "groups.created", 1)
			w.learnGroup(vc, created.ID, created.Name)
		}()
	}
	wg.Wait()
}

// onHello learns the user's planned group from hello, if it exists yet.
func (w *Worker) onHello(vc *vconn, f client.Frame) {
	if vc.group < 0 {
		return
	}
	var h struct {
		GroupChats []bunnybook.GroupChatInfo `json:"groupChats"`
	}
	if f.Decode(&h) != nil {
		return
	}
	for _, g := range h.GroupChats {
		w.learnGroup(vc, g.ChatGroupID, g.Name)
	}
}

// onGroupAdded learns the user's planned group when it is created.
func (w *Worker) onGroupAdded(vc *vconn, f client.Frame) {
	var g bunnybook.GroupChatInfo // group.added has its id and name (and members)
	if vc.group >= 0 && f.Decode(&g) == nil {
		w.learnGroup(vc, g.ChatGroupID, g.Name)
	}
}

// learnGroup records id as vc's group if name is the one planned for it.
func (w *Worker) learnGroup(vc *vconn, id, name string) {
	if k, ok := w.byName[name]; !ok || k != vc.group || id == "" {
		return
	}
	vc.mu.Lock()
	defer vc.mu.Unlock()
	if vc.groupID == "" {
		vc.groupID = id
		vc.chats[id] = &chatView{}
	}
}

// inflight is a chat.send frame waiting for its ack.
type inflight struct {
	frame   []byte
	n       int64 // the sender's message number
	retries int
}

// maxRetries is how often a chat.send answered with unavailable or
// rate_limited is sent again (with the same id, as the protocol allows).
const maxRetries = 3

// retry sends the chat.send frame with that id again after a pause, as
// the protocol asks after unavailable and rate_limited errors.
func (w *Worker) retry(vc *vconn, id string) {
	vc.mu.Lock()
	f := vc.sending[id]
	give := f != nil && f.retries >= maxRetries
	n := 0
	if f != nil && !give {
		f.retries++
		n = f.retries
	}
	vc.mu.Unlock()
	switch {
	case f == nil:
		return
	case give:
		w.rec.Add(vc.target, "chat.given_up", 1)
		return
	}
	w.rec.Add(vc.target, "chat.retries", 1)
	time.AfterFunc(time.Duration(n)*200*time.Millisecond, func() { vc.send(f.frame) })
}

// chatContent is what a bunnyload chat message says: run, sender, number
// and send time.
type chatContent struct {
	run  string
	from int
	n    int64
	sent time.Time
}

func parseContent(s string) (chatContent, bool) {
	parts := strings.Split(s, "|")
	if len(parts) != 5 || parts[0] != "bl" {
		return chatContent{}, false
	}
	from, err1 := strconv.Atoi(parts[2])
	n, err2 := strconv.ParseInt(parts[3], 10, 64)
	ts, err3 := strconv.ParseInt(parts[4], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || n < 1 {
		return chatContent{}, false
	}
	return chatContent{parts[1], from, n, time.Unix(0, ts)}, true
}

// messageFrame is a chat.message or chat.ack frame, as far as bunnyload
// reads it.
type messageFrame struct {
	ID      json.RawMessage `json:"id"`
	Message wireMessage     `json:"message"`
}

// wireMessage is the part of a chat message that bunnyload checks; leaving
// out the rest (its time, above all) halves the cost of decoding it.
type wireMessage struct {
	Seq         int64  `json:"seq"`
	ChatGroupID string `json:"chatGroupId"`
	Content     string `json:"content"`
}

func wireOf(m bunnybook.ChatMessage) wireMessage {
	return wireMessage{Seq: m.Seq, ChatGroupID: m.ChatGroupID, Content: m.Content}
}

// onChatAck records the ack latency of a message this connection sent.
func (w *Worker) onChatAck(vc *vconn, f client.Frame, now time.Time) {
	var m messageFrame
	if f.Decode(&m) != nil {
		return
	}
	c, ok := parseContent(m.Message.Content)
	ours := ok && c.run == w.runID
	var id string
	json.Unmarshal(m.ID, &id)
	vc.mu.Lock()
	if v := vc.chats[m.Message.ChatGroupID]; v != nil {
		v.high = max(v.high, m.Message.Seq)
	}
	_, pending := vc.sending[id]
	delete(vc.sending, id)
	if ours && pending {
		vc.acked.add(c.n)
	}
	vc.mu.Unlock()
	if !ours || !pending {
		return // not this run's, or a second ack of a resent message
	}
	w.rec.Add(vc.target, "chat.acked", 1)
	w.rec.Observe(vc.target, "chat.ack", now.Sub(c.sent))
}

// onChatMessage handles a chat.message: live, or replayed after a resume
// (between resume and resume.done).
func (w *Worker) onChatMessage(vc *vconn, f client.Frame, now time.Time) {
	var m messageFrame
	if f.Decode(&m) != nil {
		return
	}
	vc.mu.Lock()
	live := !vc.resuming
	vc.mu.Unlock()
	w.show(vc, m.Message, live, now)
}

// show checks that each message of this run is shown to its recipient
// exactly once and in seq order, and records the delivery latency of live
// ones (sender's send to recipient's read, on the same machine's clock).
// Every chat message, this run's or not, moves the chat's resume point.
func (w *Worker) show(vc *vconn, m wireMessage, live bool, now time.Time) {
	c, ok := parseContent(m.Content)
	ours := ok && c.run == w.runID && c.from != vc.idx // not the user's own, from a resume
	vc.mu.Lock()
	v := vc.chats[m.ChatGroupID]
	if v == nil {
		v = &chatView{}
		vc.chats[m.ChatGroupID] = v
	}
	if !ours {
		v.high = max(v.high, m.Seq)
		vc.mu.Unlock()
		return
	}
	nums := vc.numbers[c.from]
	if nums == nil {
		nums = &numSet{}
		vc.numbers[c.from] = nums
	}
	newNumber := nums.add(c.n)
	fresh, inverted := v.show(m.Seq, live)
	vc.mu.Unlock()
	switch {
	case !fresh || !newNumber: // the same seq again, or the same message stored twice
		w.rec.Add(vc.target, "chat.duplicates", 1)
		return
	case inverted:
		w.rec.Add(vc.target, "chat.inversions", 1)
	}
	w.rec.Add(vc.target, "chat.received", 1)
	if live {
		w.rec.Observe(vc.target, "chat.delivery", now.Sub(c.sent))
		if w.o.ReadRatio > 0 && rand.Float64() < w.o.ReadRatio {
			w.markRead(vc, m.ChatGroupID, m.Seq)
		}
	} else {
		w.rec.Add(vc.target, "chat.replayed", 1)
	}
}

// readIDPrefix starts the ids of bunnyload's chat.read frames, which an
// error frame echoes.
const readIDPrefix = "read-"

// readSent is a chat.read frame waiting for its chat.seen.
type readSent struct {
	seq int64
	at  time.Time
}

// markRead sends chat.read for seq, as a client with the chat open does
// when the message arrives. The server answers only errors; when the
// pointer moves, every connection of the chat's members gets chat.seen,
// this one too, which is when the mark is stored.
func (w *Worker) markRead(vc *vconn, group string, seq int64) {
	frame := fmt.Sprintf(`{"type":"chat.read","id":"%s%d","chatGroupId":%q,"seq":%d}`, readIDPrefix, seq, group, seq)
	vc.mu.Lock()
	if vc.reads == nil {
		vc.reads = map[string][]readSent{}
	}
	vc.reads[group] = append(vc.reads[group], readSent{seq, time.Now()})
	vc.mu.Unlock()
	w.rec.Add(vc.target, "chat.read.sent", 1)
	if err := vc.send([]byte(frame)); err != nil {
		w.rec.Add(vc.target, "chat.read.unsent", 1)
	}
}

// onSeen records how long this connection's own read mark took to come
// back as chat.seen. Marks of that chat at or below the seq are settled:
// a mark that did not move the pointer (the user's own message after it
// had moved it further) is never seen.
func (w *Worker) onSeen(vc *vconn, f client.Frame, now time.Time) {
	var s struct {
		ChatGroupID string `json:"chatGroupId"`
		ProfileID   string `json:"profileId"`
		Seq         int64  `json:"seq"`
	}
	if f.Decode(&s) != nil || s.ProfileID != vc.user.ID {
		return
	}
	vc.mu.Lock()
	var sent time.Time
	pending := vc.reads[s.ChatGroupID]
	if len(pending) == 0 {
		vc.mu.Unlock()
		return
	}
	k := 0
	for _, r := range pending {
		switch {
		case r.seq == s.Seq:
			sent = r.at
		case r.seq > s.Seq:
			pending[k] = r
			k++
		}
	}
	vc.reads[s.ChatGroupID] = pending[:k]
	vc.mu.Unlock()
	if !sent.IsZero() {
		w.rec.Add(vc.target, "chat.read.seen", 1)
		w.rec.Observe(vc.target, "chat.read", now.Sub(sent))
	}
}

// ledger returns what this worker's users were acked and shown of a chat
// scenario.
func (w *Worker) ledger() *Ledger {
	l := &Ledger{Acked: map[int]numSet{}, Shown: map[int]map[int]numSet{}, Expect: map[int][]int{}}
	for _, vc := range w.mine() {
		if len(vc.peers) == 0 {
			continue
		}
		vc.mu.Lock()
		if len(vc.acked) > 0 {
			l.Acked[vc.idx] = slices.Clone(vc.acked)
		}
		l.Expect[vc.idx] = vc.peers
		shown := map[int]numSet{}
		for _, s := range vc.peers {
			if nums := vc.numbers[s]; nums != nil {
				shown[s] = slices.Clone(*nums)
			}
		}
		l.Shown[vc.idx] = shown
		vc.mu.Unlock()
	}
	return l
}

// presencePlan is the schedule of the presence scenario, the same in every
// worker: event k takes user Users[k] offline OffLead before At[k] and
// back online at At[k].
type presencePlan struct {
	At     []time.Time
	Users  []int
	byUser map[int][]time.Time
}

// presenceOffLead is how long a user stays away before coming back: more
// than the server's 2 s offline grace, so friends see it go and come.
const presenceOffLead = 4 * time.Second

// planPresence schedules events at rate per second, users going offline
// from p.Go to p.End, over users with friends, never reusing a user within 2×OffLead.
func (w *Worker) planPresence(p Phases, rate float64) {
	var candidates []int
	for i, fs := range w.friends {
		if len(fs) > 0 {
			candidates = append(candidates, i)
		}
	}
	plan := presencePlan{byUser: map[int][]time.Time{}}
	if rate <= 0 || len(candidates) == 0 {
		w.presence.Store(&plan)
		return
	}
	perm := rand.New(rand.NewPCG(w.o.Seed, 7)).Perm(len(candidates))
	interval := time.Duration(float64(time.Second) / rate)
	for k, at := 0, p.Go.Add(presenceOffLead); at.Before(p.End.Add(presenceOffLead)); k, at = k+1, at.Add(interval) {
		u := candidates[perm[k%len(candidates)]]
		if prev := plan.byUser[u]; len(prev) > 0 && at.Sub(prev[len(prev)-1]) < 2*presenceOffLead {
			w.rec.Add(w.o.Targets[0], "presence.skipped", 1)
			continue
		}
		plan.At = append(plan.At, at)
		plan.Users = append(plan.Users, u)
		plan.byUser[u] = append(plan.byUser[u], at)
	}
	w.presence.Store(&plan)
}

// churn runs the presence plan for this worker's users: hang up, then
// reconnect on time.
func (w *Worker) churn(p Phases, rate float64) {
	var wg sync.WaitGroup
	plan := w.presence.Load()
	for k, u := range plan.Users {
		vc := w.conns[u]
		if vc == nil {
			continue
		}
		at := plan.At[k]
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Until(at.Add(-presenceOffLead)))
			vc.hangUp()
			time.Sleep(time.Until(at))
			w.rec.Add(vc.target, "presence.events", 1)
			w.rec.Add(vc.target, "presence.expected", int64(len(w.friends[u])))
			w.dial(vc)
		}()
	}
	wg.Wait()
}

// onPresence records how long after a friend started connecting this
// connection heard it come online.
func (w *Worker) onPresence(vc *vconn, f client.Frame, now time.Time) {
	var pf struct {
		ProfileID string `json:"profileId"`
		Online    bool   `json:"online"`
	}
	if f.Decode(&pf) != nil || !pf.Online {
		return
	}
	u, ok := w.byID[pf.ProfileID]
	if !ok {
		return
	}
	plan := w.presence.Load()
	if plan == nil {
		return
	}
	times := plan.byUser[u]
	i := sort.Search(len(times), func(i int) bool { return times[i].After(now) }) - 1
	if i < 0 || now.Sub(times[i]) > presenceOffLead {
		return // an initial connection, not a planned event
	}
	w.rec.Add(vc.target, "presence.seen", 1)
	w.rec.Observe(vc.target, "presence.online", now.Sub(times[i]))
}

// rest reads friends' walls (4 of 5 requests) and posts on the user's own
// wall at rate requests per second in total.
func (w *Worker) rest(p Phases, rate float64) {
	mine := w.mine()
	if len(mine) == 0 {
		time.Sleep(time.Until(p.End))
		return
	}
	share := rate * float64(len(mine)) / float64(w.o.Connections)
	sem := make(chan struct{}, 512)
	var wg sync.WaitGroup
	pace(share, p.End, func(i int) {
		vc := mine[i%len(mine)]
		wall := vc.user.ID
		if fs := w.friends[vc.idx]; len(fs) > 0 {
			wall = w.users[fs[i%len(fs)]].ID
		}
		select {
		case sem <- struct{}{}:
		default:
			w.rec.Add(vc.target, "rest.skipped", 1)
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			name := "rest.read"
			t0 := time.Now()
			var err error
			if i%5 == 4 {
				name = "rest.post"
				_, err = vc.http.CreatePost(w.ctx, "", fmt.Sprintf("bunnyload %s post %d", w.runID, i), bunnybook.Public)
			} else {
				_, err = vc.http.Wall(w.ctx, wall, 10)
			}
			if err != nil {
				w.rec.Add(vc.target, name+".failed", 1)
				w.rec.Add(vc.target, "errors."+errKind(err), 1)
				return
			}
			w.rec.Observe(vc.target, name, time.Since(t0))
			w.rec.Add(vc.target, name+".ok", 1)
		}()
	})
	wg.Wait()
}
