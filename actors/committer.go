package actors

import (
	"context"
	"sync"
	"time"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/metrics"
)

// roundMax is the most messages and read marks one commit round writes.
const roundMax = 1000

// committer writes the chat messages and read marks of all the node's
// conversations. Whatever batches and marks wait when a transaction ends
// go together in the next one: group commit across conversations, so that
// thousands of quiet conversations share transactions (and, on SQLite,
// fsyncs) instead of paying one each. Requests are written in the order
// they came, so a conversation's mark sees the messages it handed over
// before. Like a connection's writer, its goroutine runs only while there
// is work.
type committer struct {
	chat    bunnybook.ChatStore
	timeout time.Duration
	metrics *metrics.Set

	mu      sync.Mutex // guards waiting and running
	waiting []commitReq
	running bool
}

// commitReq is one conversation's batch, or one read mark, and who to
// tell how it went.
type commitReq struct {
	msgs []bunnybook.ChatMessage
	done func(error) // called on the committer's goroutine

	mark   bunnybook.ReadMark
	marked func(moved bool, err error) // set for a read mark; called like done
}

// size is how much of a round r takes.
func (r commitReq) size() int {
	if r.marked != nil {
		return 1
	}
	return len(r.msgs)
}

func newCommitter(store bunnybook.ChatStore, timeout time.Duration, m *metrics.Set) *committer {
	return &committer{chat: store, timeout: timeout, metrics: m}
}

// commit stores msgs (numbered by their conversation) in the next round
// and then calls done with the outcome: nil once they are durable.
func (c *committer) commit(msgs []bunnybook.ChatMessage, done func(error)) {
	c.add(commitReq{msgs: msgs, done: done})
}

// markRead moves a read pointer in the next round and then calls marked
// with the outcome: whether it moved, once that is durable.
func (c *committer) markRead(m bunnybook.ReadMark, marked func(moved bool, err error)) {
	c.add(commitReq{mark: m, marked: marked})
}

func (c *committer) add(r commitReq) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waiting = append(c.waiting, r)
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

// take removes the next round from the waiting requests (whole batches, up
// to roundMax messages and marks unless the first is larger), or ends the
// run.
func (c *committer) take() []commitReq {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, size := 0, 0
	for n < len(c.waiting) && (n == 0 || size+c.waiting[n].size() <= roundMax) {
		size += c.waiting[n].size()
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

// write stores a round in one transaction. When it fails, one request may
// be to blame (a closed chat, a resent client id): each is then written
// alone, so that a failure fails only its own messages or mark.
func (c *committer) write(round []commitReq) {
	if err := c.writeRound(round); err == nil || len(round) == 1 {
		return
	}
	for _, r := range round {
		c.writeRound([]commitReq{r})
	}
}

// writeRound stores round in one transaction and, unless it failed and
// there are others to try alone, tells its requests.
func (c *committer) writeRound(round []commitReq) error {
	var msgs []bunnybook.ChatMessage
	var marks []bunnybook.ReadMark
	for _, r := range round {
		msgs = append(msgs, r.msgs...)
		if r.marked != nil {
			marks = append(marks, r.mark)
		}
	}
	moved, err := c.store(msgs, marks)
	if err != nil && len(round) > 1 {
		return err
	}
	i := 0
	for _, r := range round {
		if r.marked == nil {
			r.done(err)
			continue
		}
		r.marked(err == nil && moved[i], err)
		i++
	}
	return err
}

// append stores msgs alone, at once.
func (c *committer) append(msgs []bunnybook.ChatMessage) error {
	_, err := c.store(msgs, nil)
	return err
}

// store writes msgs and marks in one transaction.
func (c *committer) store(msgs []bunnybook.ChatMessage, marks []bunnybook.ReadMark) ([]bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	start := time.Now()
	moved, err := c.chat.CommitChat(ctx, msgs, marks)
	c.metrics.BatchLatency.Observe(time.Since(start).Seconds())
	if len(msgs) > 0 {
		c.metrics.BatchSize.Observe(float64(len(msgs)))
	}
	if len(marks) > 0 {
		c.metrics.ReadMarkBatchSize.Observe(float64(len(marks)))
	}
	return moved, err
}
