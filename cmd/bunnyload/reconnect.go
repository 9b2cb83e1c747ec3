package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/bunnybook/bunnybook/client"
)

// This file is what a virtual user does when its connection drops, as a
// client following docs/protocol.md: come back with a jittered exponential
// backoff, to the next target first (a dead node is skipped), resume every
// chat after the highest seq it has seen, and resend the chat.send frames
// not acked yet with the same ids.

// dropped handles the end of c, vc's connection to node Targets[node]:
// unless the user hung up, the run is over or the server said not to come
// back, it starts reconnecting.
func (w *Worker) dropped(vc *vconn, c *client.Conn, node int, err error) {
	at := time.Now()
	target := w.o.Targets[node]
	vc.mu.Lock()
	deliberate := vc.closing || vc.c != c
	if vc.c == c {
		vc.c = nil
	}
	vc.mu.Unlock()
	w.rec.Gauge(target, "connections.open", -1)
	if deliberate || w.ctx.Err() != nil {
		return
	}
	w.rec.Add(target, "connections.dropped", 1)
	w.rec.Add(target, "errors."+errKind(err), 1)
	w.comeBack(vc, node, at, err)
}

// comeBack starts reconnecting vc in the background after its connection
// to node ended (or could not be set up) at at, unless reconnecting is off,
// err says not to come back, or the run is stopping.
func (w *Worker) comeBack(vc *vconn, node int, at time.Time, err error) {
	if !w.o.Reconnect || final(err) {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopping {
		return
	}
	w.rwg.Add(1)
	go func() { defer w.rwg.Done(); w.reconnect(vc, node, at) }()
}

// final reports whether err means that a client must not reconnect on its
// own: too many connections for the profile (4029), logged out (4001), or
// a token the server refuses (401, 403).
func final(err error) bool {
	var ce *client.CloseError
	if errors.As(err, &ce) {
		return ce.Code == 4029 || ce.Code == 4001
	}
	s := client.StatusOf(err)
	return s == 401 || s == 403
}

// backoff is the pause before reconnect attempt n (0, 1, …): full jitter,
// a random duration up to min(ceiling, base·2ⁿ).
func backoff(base, ceiling time.Duration, n int) time.Duration {
	d := ceiling
	if n < 30 && base<<n < ceiling {
		d = base << n
	}
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(d)) + 1)
}

// reconnect brings vc back after its connection to node from dropped at
// dropped, trying the targets round-robin from the next one, until it is
// back, the server says not to come back, or the run ends.
func (w *Worker) reconnect(vc *vconn, from int, dropped time.Time) {
	var wait time.Duration
	for attempt := 0; ; attempt++ {
		if wait <= 0 {
			wait = backoff(w.o.ReconnectBase, w.o.ReconnectCap, attempt)
		}
		sleepCtx(w.ctx, wait)
		wait = 0
		if w.ctx.Err() != nil {
			w.rec.Add(w.o.Targets[from], "ws.reconnect_given_up", 1)
			return
		}
		node := (from + 1 + attempt) % len(w.o.Targets)
		target := w.o.Targets[node]
		chats := w.resumePoint(vc, target)
		c, err := w.open(vc, node)
		var busy *client.Error
		switch {
		case err == nil:
			w.rec.Add(target, "ws.reconnects", 1)
			w.rec.Observe(target, "ws.rehello", time.Since(dropped))
			w.attach(vc, c, node)
			w.resume(vc, c, chats)
			return
		case w.ctx.Err() != nil:
			continue // counted as given up above
		case errors.As(err, &busy) && busy.RetryAfter > 0:
			w.rec.Add(target, "connect.busy", 1)
			wait = busy.RetryAfter + time.Duration(rand.Int64N(int64(busy.RetryAfter)))
			continue
		}
		w.rec.Add(target, "ws.reconnect_failed", 1)
		w.rec.Add(target, "errors."+errKind(err), 1)
		if final(err) {
			w.rec.Add(target, "ws.reconnect_given_up", 1)
			return
		}
	}
}

// resumePoint returns, per chat vc knows, the highest seq it has seen: the
// resume to send after the next hello. It is taken before the connection
// is up, since live messages may come between hello and resume and the
// replay must still bring those below them. A chat whose seq vc does not
// know yet (it saw nothing of it) is read from the REST history of target
// first, as the protocol suggests, so that the replay starts after what
// was there before this run instead of at the chat's first message.
func (w *Worker) resumePoint(vc *vconn, target string) map[string]int64 {
	vc.mu.Lock()
	chats := make(map[string]int64, len(vc.chats))
	var unknown []string
	for g, v := range vc.chats {
		chats[g] = v.high
		if v.high == 0 {
			unknown = append(unknown, g)
		}
	}
	vc.mu.Unlock()
	for _, g := range unknown {
		chats[g] = w.readHistory(vc, target, g)
	}
	return chats
}

// historyPage is how many of a chat's newest messages readHistory reads.
const historyPage = 20 // the API's largest page

// readHistory shows vc the newest page of chat g's history, read from
// target, and returns its highest seq (0 if it could not be read).
func (w *Worker) readHistory(vc *vconn, target, g string) int64 {
	ctx, cancel := context.WithTimeout(w.ctx, 5*time.Second)
	defer cancel()
	cl := &client.Client{BaseURL: target, HTTP: vc.http.HTTP, Token: vc.user.AccessToken}
	msgs, err := cl.ChatMessages(ctx, g, historyPage)
	if err != nil {
		w.rec.Add(target, "errors."+errKind(err), 1)
		return 0
	}
	now := time.Now()
	for i := len(msgs) - 1; i >= 0; i-- { // newest first
		w.show(vc, wireOf(msgs[i]), false, now)
	}
	vc.mu.Lock()
	defer vc.mu.Unlock()
	if v := vc.chats[g]; v != nil {
		return v.high
	}
	return 0
}

// resume sends the resume for chats on c, vc's new connection, then every
// chat.send still waiting for its ack, with the same ids (the server
// acknowledges a message it already stored again instead of storing it
// twice).
func (w *Worker) resume(vc *vconn, c *client.Conn, chats map[string]int64) {
	if len(chats) > 0 {
		vc.mu.Lock()
		vc.resuming = true
		vc.mu.Unlock()
		b, _ := json.Marshal(map[string]any{"type": "resume", "chats": chats})
		if c.SendRaw(b) != nil {
			return // the reader sees the drop and starts again
		}
	}
	vc.mu.Lock()
	pending := make([]*inflight, 0, len(vc.sending))
	for _, f := range vc.sending {
		pending = append(pending, f)
	}
	vc.mu.Unlock()
	slices.SortFunc(pending, func(a, b *inflight) int { return cmp.Compare(a.n, b.n) }) // as the user typed them
	for _, f := range pending {
		if c.SendRaw(f.frame) != nil {
			return
		}
		w.rec.Add(vc.target, "chat.resent", 1)
	}
}
