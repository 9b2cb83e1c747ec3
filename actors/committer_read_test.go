package actors

import (
	"fmt"
	"slices"
	"testing"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/metrics"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

// members returns a group's members: batch sends as the first, the second
// reads.
func members(tb testing.TB, s bunnybook.Store, group string) (sender, reader string) {
	tb.Helper()
	g, err := s.ChatGroup(tb.Context(), group)
	if err != nil {
		tb.Fatal(err)
	}
	return g.Members[0], g.Members[1]
}

func readMark(profile, group string, seq int64) bunnybook.ReadMark {
	return bunnybook.ReadMark{ProfileID: profile, ChatGroupID: group, Seq: seq, At: bunnybook.Now()}
}

// wantUnread fails unless the profile's unread conversations are want.
func wantUnread(tb testing.TB, s bunnybook.Store, profile string, want ...string) {
	tb.Helper()
	got, err := s.UnreadConversations(tb.Context(), profile)
	if err != nil {
		tb.Fatal(err)
	}
	if !slices.Equal(got, want) {
		tb.Errorf("unread conversations of %s: got %v, want %v", profile, got, want)
	}
}

// TestCommitterWritesMarksWithMessages: read marks waiting with message
// batches go in the same transaction, after the messages: a mark of the
// newest message of its round sees it.
func TestCommitterWritesMarksWithMessages(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := st.open(t)
			m := metrics.Discard()
			c := newCommitter(s, storeTimeout, m)
			groups := conversations(t, s, 2)
			_, r0 := members(t, s, groups[0])
			_, r1 := members(t, s, groups[1])
			errs, moved := runMixedRound(c,
				map[string][]bunnybook.ChatMessage{groups[0]: batch(t, s, groups[0], 0, 2), groups[1]: batch(t, s, groups[1], 0, 2)},
				[]namedMark{
					{"newest", readMark(r0, groups[0], 2)}, // the newest message of this round
					{"older", readMark(r1, groups[1], 1)},  // not the newest: still unread
					{"behind", readMark(r0, groups[0], 1)}, // behind the mark before it
				})
			for name, err := range errs {
				if err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
			want := map[string]bool{"newest": true, "older": true, "behind": false}
			for name, w := range want {
				if moved[name] != w {
					t.Errorf("mark %s moved %v, want %v", name, moved[name], w)
				}
			}
			if n, _ := histogramOf(t, m.BatchLatency); n != 1 {
				t.Errorf("%d transactions, want 1", n)
			}
			if n, sum := histogramOf(t, m.BatchSize); n != 1 || sum != 4 {
				t.Errorf("%d transactions of %v messages, want 1 of 4", n, sum)
			}
			if n, sum := histogramOf(t, m.ReadMarkBatchSize); n != 1 || sum != 3 {
				t.Errorf("%d transactions of %v read marks, want 1 of 3", n, sum)
			}
			wantUnread(t, s, r0)
			wantUnread(t, s, r1, groups[1])
		})
	}
}

// TestCommitterIsolatesMarkFailures: a read mark that cannot be stored
// fails alone, and so does a batch that cannot: the other marks and
// batches of their round are stored and acknowledged.
func TestCommitterIsolatesMarkFailures(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := st.open(t)
			c := newCommitter(s, storeTimeout, metrics.Discard())
			groups := conversations(t, s, 3)
			good, closed, other := groups[0], groups[1], groups[2]
			if err := s.AppendMessages(t.Context(), batch(t, s, other, 0, 1)); err != nil {
				t.Fatal(err)
			}
			_, reader := members(t, s, other)
			a, b := members(t, s, closed)
			storetest.MustUnfriend(t, s, a, b)

			errs, moved := runMixedRound(c,
				map[string][]bunnybook.ChatMessage{good: batch(t, s, good, 0, 2), closed: batch(t, s, closed, 0, 1)},
				[]namedMark{
					{"stranger", readMark(bunnybook.NewID(), other, 1)}, // no such profile
					{"reader", readMark(reader, other, 1)},
				})
			if errs[good] != nil {
				t.Errorf("good conversation: %v, want stored", errs[good])
			}
			if bunnybook.ErrorKind(errs[closed]) != bunnybook.EForbidden {
				t.Errorf("closed chat: %v, want forbidden", errs[closed])
			}
			if errs["stranger"] == nil || moved["stranger"] {
				t.Errorf("mark of an unknown profile: moved %v, error %v; want an error", moved["stranger"], errs["stranger"])
			}
			if errs["reader"] != nil || !moved["reader"] {
				t.Errorf("reader's mark: moved %v, error %v; want moved", moved["reader"], errs["reader"])
			}
			if got, _ := s.MessagesAfter(t.Context(), good, 0, 10); len(got) != 2 {
				t.Errorf("good conversation holds %d messages, want 2", len(got))
			}
			wantUnread(t, s, reader)
		})
	}
}

// BenchmarkCommitterReadMarks writes rounds of one message and one read
// mark (of the message before, by the other member) from each of N
// conversations: grouped, the marks go in the round's transaction; alone,
// each mark is a transaction of its own, as when the conversation wrote
// its marks itself. Messages and marks per second, on each store.
func BenchmarkCommitterReadMarks(b *testing.B) {
	for _, st := range stores {
		for _, size := range []int{1, 10, 100} {
			for _, mode := range []string{"grouped", "alone"} {
				b.Run(fmt.Sprintf("%s/conversations=%d/%s", st.name, size, mode), func(b *testing.B) {
					s := st.open(b)
					c := newCommitter(s, storeTimeout, metrics.Discard())
					groups := conversations(b, s, size)
					from, reader := map[string]string{}, map[string]string{}
					for _, g := range groups {
						from[g], reader[g] = members(b, s, g)
					}
					var seq int64
					for b.Loop() {
						seq++
						batches := map[string][]bunnybook.ChatMessage{}
						var marks []namedMark
						for _, g := range groups {
							batches[g] = []bunnybook.ChatMessage{storetest.NewMessage(g, from[g], seq, bunnybook.Now())}
							if seq > 1 {
								marks = append(marks, namedMark{g, readMark(reader[g], g, seq-1)})
							}
						}
						if mode == "alone" {
							benchAlone(b, c, batches, marks)
							continue
						}
						errs, _ := runMixedRound(c, batches, marks)
						for name, err := range errs {
							if err != nil {
								b.Fatalf("%s: %v", name, err)
							}
						}
					}
					b.ReportMetric(float64(b.N*size*2)/b.Elapsed().Seconds(), "writes/s")
				})
			}
		}
	}
}

// benchAlone writes the batches as one round and then each mark in a
// transaction of its own.
func benchAlone(b *testing.B, c *committer, batches map[string][]bunnybook.ChatMessage, marks []namedMark) {
	for g, err := range runRound(c, batches) {
		if err != nil {
			b.Fatalf("%s: %v", g, err)
		}
	}
	for _, m := range marks {
		if _, err := c.store(nil, []bunnybook.ReadMark{m.mark}); err != nil {
			b.Fatalf("mark %s: %v", m.name, err)
		}
	}
}
