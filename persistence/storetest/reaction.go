package storetest

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/bunnybook/bunnybook"
)

var reactionTests = []test{
	{"Toggle", testToggleReaction},
	{"Limit", testReactionLimit},
	{"ForeignMessage", testReactionForeignMessage},
	{"ConcurrentLimit", testConcurrentReactionLimit},
	{"ConcurrentToggle", testConcurrentToggle},
}

// manyEmoji are more distinct emoji than a message may carry.
var manyEmoji = []string{"😀", "😂", "😍", "🥕", "🐰", "👍", "🎉", "❤️", "🔥", "🙏", "👀", "😢", "😮", "🤔", "💯", "🌈"}

// toggle toggles a reaction and fails unless it ends on as want.
func toggle(tb testing.TB, s bunnybook.Store, group, msg, profile, emoji string, ms int, want bool) {
	tb.Helper()
	on, err := s.ToggleReaction(tb.Context(), group, msg, profile, emoji, at(ms))
	must(tb, "ToggleReaction "+emoji, err)
	if on != want {
		tb.Fatalf("ToggleReaction %s by %s: on = %v, want %v", emoji, profile, on, want)
	}
}

// wantReactions fails unless the messages' reactions are want.
func wantReactions(tb testing.TB, s bunnybook.Store, ids []string, want map[string]bunnybook.Reactions) {
	tb.Helper()
	got, err := s.MessageReactions(tb.Context(), ids)
	must(tb, "MessageReactions", err)
	if fmt.Sprint(got) != fmt.Sprint(want) { // fmt sorts map keys
		tb.Fatalf("reactions: got %v, want %v", got, want)
	}
}

func testToggleReaction(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ben, daisy, group := pair(t, s)
	m1, m2 := NewMessage(group, ben.ID, 1, at(0)), NewMessage(group, daisy.ID, 2, at(1))
	MustAppend(t, s, m1, m2)
	wantReactions(t, s, nil, map[string]bunnybook.Reactions{})

	toggle(t, s, group, m1.ID, daisy.ID, "🐰", 10, true)
	toggle(t, s, group, m1.ID, ben.ID, "🐰", 11, true) // later: listed after daisy
	toggle(t, s, group, m1.ID, ben.ID, "👍🏽", 12, true)
	// A page of history (newest first) and the reactions of its messages.
	page, err := s.ChatMessages(t.Context(), group, bunnybook.TimePage{Limit: 20})
	must(t, "ChatMessages", err)
	ids := []string{page[0].ID, page[1].ID}
	wantReactions(t, s, ids, map[string]bunnybook.Reactions{m1.ID: {"🐰": {daisy.ID, ben.ID}, "👍🏽": {ben.ID}}})

	toggle(t, s, group, m1.ID, daisy.ID, "🐰", 13, false)
	toggle(t, s, group, m2.ID, daisy.ID, "🐰", 14, true)
	wantReactions(t, s, ids, map[string]bunnybook.Reactions{
		m1.ID: {"🐰": {ben.ID}, "👍🏽": {ben.ID}},
		m2.ID: {"🐰": {daisy.ID}},
	})
	toggle(t, s, group, m1.ID, ben.ID, "🐰", 15, false)
	toggle(t, s, group, m1.ID, ben.ID, "👍🏽", 16, false)
	wantReactions(t, s, ids, map[string]bunnybook.Reactions{m2.ID: {"🐰": {daisy.ID}}})
}

// testReactionLimit: a 9th distinct emoji is refused and nothing is
// written; more members may join an emoji that is there, and removing one
// makes room.
func testReactionLimit(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ben, daisy, group := pair(t, s)
	m := NewMessage(group, ben.ID, 1, at(0))
	MustAppend(t, s, m)
	want := bunnybook.Reactions{}
	for i, e := range manyEmoji[:bunnybook.ReactionsPerMessageMax] {
		toggle(t, s, group, m.ID, ben.ID, e, i, true)
		want[e] = []string{ben.ID}
	}
	ninth := manyEmoji[bunnybook.ReactionsPerMessageMax]
	_, err := s.ToggleReaction(t.Context(), group, m.ID, daisy.ID, ninth, at(20))
	wantKind(t, "a 9th distinct emoji", err, bunnybook.EInvalid)
	wantReactions(t, s, []string{m.ID}, map[string]bunnybook.Reactions{m.ID: want})

	toggle(t, s, group, m.ID, daisy.ID, manyEmoji[0], 21, true) // joins an emoji that is there
	toggle(t, s, group, m.ID, ben.ID, manyEmoji[1], 22, false)  // off always works
	toggle(t, s, group, m.ID, daisy.ID, ninth, 23, true)        // now there is room
	_, err = s.ToggleReaction(t.Context(), group, m.ID, daisy.ID, manyEmoji[1], at(24))
	wantKind(t, "a 9th distinct emoji again", err, bunnybook.EInvalid)
}

// testReactionForeignMessage: a message of another conversation, or no
// message, is ENotFound, and nothing is written.
func testReactionForeignMessage(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ben, daisy, group := pair(t, s)
	eve := MustCreateAccount(t, s, "eve")
	other := MustBefriend(t, s, ben.ID, eve.ID)
	foreign := NewMessage(other, eve.ID, 1, at(0))
	MustAppend(t, s, foreign)
	_, err := s.ToggleReaction(t.Context(), group, foreign.ID, daisy.ID, "🐰", at(1))
	wantKind(t, "a message of another conversation", err, bunnybook.ENotFound)
	_, err = s.ToggleReaction(t.Context(), group, bunnybook.NewID(), daisy.ID, "🐰", at(2))
	wantKind(t, "no such message", err, bunnybook.ENotFound)
	wantReactions(t, s, []string{foreign.ID}, map[string]bunnybook.Reactions{})
}

// testConcurrentReactionLimit races toggles of 16 distinct emoji on one
// message: exactly 8 are stored, the others refused.
func testConcurrentReactionLimit(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ben, daisy, group := pair(t, s)
	for seq := int64(1); seq <= 3; seq++ {
		m := NewMessage(group, ben.ID, seq, at(int(seq)))
		MustAppend(t, s, m)
		var fns []func() error
		for i, e := range manyEmoji {
			who := []string{ben.ID, daisy.ID}[i%2]
			fns = append(fns, func() error {
				_, err := s.ToggleReaction(t.Context(), group, m.ID, who, e, at(i))
				return err
			})
		}
		stored := 0
		for _, err := range race(fns...) {
			if err == nil {
				stored++
			} else {
				wantKind(t, "a refused toggle", err, bunnybook.EInvalid)
			}
		}
		got, err := s.MessageReactions(t.Context(), []string{m.ID})
		must(t, "MessageReactions", err)
		if n := len(got[m.ID]); stored != bunnybook.ReactionsPerMessageMax || n != stored {
			t.Fatalf("message %d: %d toggles succeeded, %d emoji stored (%v); want %d",
				seq, stored, n, slices.Sorted(maps.Keys(got[m.ID])), bunnybook.ReactionsPerMessageMax)
		}
	}
}

// testConcurrentToggle races two toggles of one reaction: they take turns,
// so one adds it and the other removes it.
func testConcurrentToggle(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ben, _, group := pair(t, s)
	m := NewMessage(group, ben.ID, 1, at(0))
	MustAppend(t, s, m)
	for i := range 20 {
		ons := make([]bool, 2)
		fn := func(j int) func() error {
			return func() error {
				var err error
				ons[j], err = s.ToggleReaction(t.Context(), group, m.ID, ben.ID, "🐰", at(i))
				return err
			}
		}
		for _, err := range race(fn(0), fn(1)) {
			must(t, "ToggleReaction", err)
		}
		if ons[0] == ons[1] {
			t.Fatalf("round %d: both toggles ended on = %v, want one on and one off", i, ons[0])
		}
		wantReactions(t, s, []string{m.ID}, map[string]bunnybook.Reactions{})
	}
}
