package actors

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/metrics"
	"github.com/bunnybook/bunnybook/persistence/postgres/postgrestest"
	"github.com/bunnybook/bunnybook/persistence/sqlite/sqlitetest"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

const storeTimeout = 5 * time.Second

// stores are the relational backends the committer is tested on.
var stores = []struct {
	name string
	open func(testing.TB) bunnybook.Store
}{
	{"sqlite", func(tb testing.TB) bunnybook.Store { return sqlitetest.MustOpen(tb) }},
	{"postgres", func(tb testing.TB) bunnybook.Store { return postgrestest.MustOpen(tb) }},
}

// outcomes collects what a round's done callbacks say, by conversation
// (or by mark).
type outcomes struct {
	mu    sync.Mutex
	errs  map[string]error
	moved map[string]bool
	wg    sync.WaitGroup
}

func (o *outcomes) done(group string) func(error) {
	o.wg.Add(1)
	return func(err error) {
		o.mu.Lock()
		defer o.mu.Unlock()
		o.errs[group] = err
		o.wg.Done()
	}
}

func (o *outcomes) marked(name string) func(bool, error) {
	o.wg.Add(1)
	return func(moved bool, err error) {
		o.mu.Lock()
		defer o.mu.Unlock()
		o.errs[name], o.moved[name] = err, moved
		o.wg.Done()
	}
}

// runRound writes the batches as one round: they are all waiting before
// the committer starts, as when they arrive during a transaction.
func runRound(c *committer, batches map[string][]bunnybook.ChatMessage) map[string]error {
	errs, _ := runMixedRound(c, batches, nil)
	return errs
}

// namedMark is a read mark with a name for its outcome.
type namedMark struct {
	name string
	mark bunnybook.ReadMark
}

// runMixedRound writes the batches (by conversation, sorted) and then the
// marks (in order) as one round, and returns the errors by conversation or
// mark name, and whether each mark moved.
func runMixedRound(c *committer, batches map[string][]bunnybook.ChatMessage, marks []namedMark) (map[string]error, map[string]bool) {
	o := &outcomes{errs: map[string]error{}, moved: map[string]bool{}}
	c.mu.Lock()
	for _, group := range slices.Sorted(maps.Keys(batches)) {
		c.waiting = append(c.waiting, commitReq{msgs: batches[group], done: o.done(group)})
	}
	for _, m := range marks {
		c.waiting = append(c.waiting, commitReq{mark: m.mark, marked: o.marked(m.name)})
	}
	c.running = true
	c.mu.Unlock()
	go c.run()
	o.wg.Wait()
	return o.errs, o.moved
}

// conversations creates n pairs of friends and returns their chat groups.
func conversations(tb testing.TB, s bunnybook.Store, n int) []string {
	var groups []string
	for i := range n {
		acc := storetest.MustCreateAccounts(tb, s, fmt.Sprintf("a%d", i), fmt.Sprintf("b%d", i))
		groups = append(groups, storetest.MustBefriend(tb, s, acc[0].ID, acc[1].ID))
	}
	return groups
}

// batch returns n messages of group from its first member, seqs after last.
func batch(tb testing.TB, s bunnybook.Store, group string, last int64, n int) []bunnybook.ChatMessage {
	from, _ := members(tb, s, group)
	var out []bunnybook.ChatMessage
	for i := range n {
		out = append(out, storetest.NewMessage(group, from, last+int64(i)+1, bunnybook.Now()))
	}
	return out
}

func histogramOf(tb testing.TB, h prometheus.Histogram) (uint64, float64) {
	var m dto.Metric
	if err := h.Write(&m); err != nil {
		tb.Fatal(err)
	}
	return m.GetHistogram().GetSampleCount(), m.GetHistogram().GetSampleSum()
}

// TestCommitterWritesRoundsTogether: the batches of several conversations
// waiting at once go in one transaction, each stored with its seqs.
func TestCommitterWritesRoundsTogether(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := st.open(t)
			m := metrics.Discard()
			c := newCommitter(s, storeTimeout, m)
			groups := conversations(t, s, 3)
			batches := map[string][]bunnybook.ChatMessage{}
			for _, g := range groups {
				batches[g] = batch(t, s, g, 0, 2)
			}
			for g, err := range runRound(c, batches) {
				if err != nil {
					t.Errorf("conversation %s: %v", g, err)
				}
			}
			if n, sum := histogramOf(t, m.BatchSize); n != 1 || sum != 6 {
				t.Errorf("%d transactions of %v messages, want 1 of 6", n, sum)
			}
			for _, g := range groups {
				got, err := s.MessagesAfter(t.Context(), g, 0, 10)
				if err != nil || len(got) != 2 || got[0].Seq != 1 || got[1].Seq != 2 {
					t.Errorf("conversation %s stored %+v, %v; want seqs 1 and 2", g, got, err)
				}
			}
		})
	}
}

// TestCommitterIsolatesFailures: a batch that cannot be stored (a closed
// chat, a resent client id) fails alone; the other batches of its round
// are stored and acknowledged.
func TestCommitterIsolatesFailures(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := st.open(t)
			c := newCommitter(s, storeTimeout, metrics.Discard())
			groups := conversations(t, s, 3)
			good, closed, resent := groups[0], groups[1], groups[2]
			first := batch(t, s, resent, 0, 1)
			if err := s.AppendMessages(t.Context(), first); err != nil {
				t.Fatal(err)
			}
			g, _ := s.ChatGroup(t.Context(), closed)
			storetest.MustUnfriend(t, s, g.Members[0], g.Members[1])
			again := batch(t, s, resent, 1, 1)
			again[0].ClientID = first[0].ClientID

			errs := runRound(c, map[string][]bunnybook.ChatMessage{
				good: batch(t, s, good, 0, 2), closed: batch(t, s, closed, 0, 2), resent: again,
			})
			if errs[good] != nil {
				t.Errorf("good conversation: %v, want stored", errs[good])
			}
			if bunnybook.ErrorKind(errs[closed]) != bunnybook.EForbidden {
				t.Errorf("closed chat: %v, want forbidden", errs[closed])
			}
			if bunnybook.ErrorKind(errs[resent]) != bunnybook.EConflict {
				t.Errorf("resent client id: %v, want conflict", errs[resent])
			}
			for group, want := range map[string]int{good: 2, closed: 0, resent: 1} {
				if got, _ := s.MessagesAfter(t.Context(), group, 0, 10); len(got) != want {
					t.Errorf("conversation %s holds %d messages, want %d", group, len(got), want)
				}
			}
		})
	}
}

// BenchmarkCommitter writes rounds of one message from each of N
// conversations, the pair's members taking turns as in a chat: messages
// per second by round size, on each store.
func BenchmarkCommitter(b *testing.B) {
	for _, st := range stores {
		for _, size := range []int{1, 10, 100, 1000} {
			b.Run(fmt.Sprintf("%s/conversations=%d", st.name, size), func(b *testing.B) {
				s := st.open(b)
				c := newCommitter(s, storeTimeout, metrics.Discard())
				groups := conversations(b, s, size)
				pair := map[string][2]string{}
				for _, g := range groups {
					a, z := members(b, s, g)
					pair[g] = [2]string{a, z}
				}
				var seq int64
				for b.Loop() {
					seq++
					batches := map[string][]bunnybook.ChatMessage{}
					for _, g := range groups {
						from := pair[g][seq%2]
						batches[g] = []bunnybook.ChatMessage{storetest.NewMessage(g, from, seq, bunnybook.Now())}
					}
					for g, err := range runRound(c, batches) {
						if err != nil {
							b.Fatalf("%s: %v", g, err)
						}
					}
				}
				b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "msgs/s")
			})
		}
	}
}
