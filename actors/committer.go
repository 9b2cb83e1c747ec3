package actors

import (
	"context"
	"sync"
	"time"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/metrics"
)

// roundMax is the most messages one commit round writes.
const roundMax = 1000

// committer writes the chat messages of all the node's conversations.
// Whatever batches wait when a transaction ends go together in the next
// one: group commit across conversations, so that thousands of quiet
// conversations share transactions (and, on SQLite, fsyncs) instead of
// paying one each. Like a connection's writer, its goroutine runs only
// while there is work.
type committer struct {
	store   bunnybook.ChatStore
	timeout time.Duration
	metrics *metrics.Set

	mu      sync.Mutex // guards waiting and running
	waiting []commitReq
	running bool
}

// commitReq is one conversation's batch and who to tell how it went.
type commitReq struct {
	msgs []bunnybook.ChatMessage
	done func(error) // called on the committer's goroutine
}

func newCommitter(store bunnybook.ChatStore, timeout time.Duration, m *metrics.Set) *committer {
	return &committer{store: store, timeout: timeout, metrics: m}
}

// commit stores msgs (numbered by their conversation) in the next round
// and then calls done with the outcome: nil once they are durable.
func (c *committer) commit(msgs []bunnybook.ChatMessage, done func(error)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waiting = append(c.waiting, commitReq{msgs, done})
	if !c.running {
		c.running = true
		go c.run()
	}
}

// run writes rounds until nothing waits.
func (c *committer) run() {
	for {
		round := c.take()
		if len(round) == 0 {
			return
		}
		c.write(round)
	}
}

// take removes the next round from the waiting batches (whole batches, up
// to roundMax messages unless the first is larger), or ends the run.
func (c *committer) take() []commitReq {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, size := 0, 0
	for n < len(c.waiting) && (n == 0 || size+len(c.waiting[n].msgs) <= roundMax) {
		size += len(c.waiting[n].msgs)
		n++
	}
	if n == 0 {
		c.running = false
		return nil
	}
	round := c.waiting[:n:n]
	c.waiting = c.waiting[n:]
	return round
}

// write stores a round in one transaction. When it fails, one batch may
// be to blame (a closed chat, a resent client id): each batch is then
// written alone, so that a failure fails only its own messages.
func (c *committer) write(round []commitReq) {
	var all []bunnybook.ChatMessage
	for _, r := range round {
		all = append(all, r.msgs...)
	}
	err := c.append(all)
	if err == nil || len(round) == 1 {
		for _, r := range round {
			r.done(err)
		}
		return
	}
	for _, r := range round {
		r.done(c.append(r.msgs))
	}
}

func (c *committer) append(msgs []bunnybook.ChatMessage) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	start := time.Now()
	err := c.store.AppendMessages(ctx, msgs)
	c.metrics.BatchLatency.Observe(time.Since(start).Seconds())
	c.metrics.BatchSize.Observe(float64(len(msgs)))
	return err
}
