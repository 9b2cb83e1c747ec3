package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	"github.com/bunnybook/bunnybook"
)

var pagingTests = []test{
	{"WallPosts", testPageWall},
	{"Comments", testPageComments},
	{"Notifications", testPageNotifications},
	{"ChatMessages", testPageMessages},
	{"Conversations", testPageConversations},
}

// key is what a newest-first list is ordered by.
type key struct {
	at bunnybook.Time
	id string
}

// pagingTimes returns n timestamps for keyset tests: most share one
// millisecond (at(0)), a few are just newer or older.
func pagingTimes(n int) []bunnybook.Time {
	out := make([]bunnybook.Time, n)
	for i := range out {
		switch {
		case i%10 == 3:
			out[i] = at(1)
		case i%10 == 7:
			out[i] = at(-1)
		default:
			out[i] = at(0)
		}
	}
	return out
}

// newestFirst returns keys sorted by (at, id) descending.
func newestFirst(keys []key) []key {
	return slices.SortedFunc(slices.Values(keys), func(a, b key) int {
		if c := a.at.Compare(b.at.Time); c != 0 {
			return -c
		}
		return -cmp.Compare(a.id, b.id)
	})
}

func keyIDs(keys []key) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.id
	}
	return out
}

// wantKeyset pages through fetch with several limits, each page starting
// after the last item of the one before, and fails unless every item of
// want comes exactly once, newest first. It also checks the cursor forms
// "zero Before" and "Before without BeforeID".
func wantKeyset(t *testing.T, want []key, fetch func(bunnybook.TimePage) ([]key, error)) {
	t.Helper()
	want = newestFirst(want)
	for _, limit := range []int{1, 7, len(want), len(want) + 5} {
		var got []key
		page := bunnybook.TimePage{Limit: limit}
		for range len(want) + 2 {
			ks, err := fetch(page)
			must(t, "fetch page", err)
			if len(ks) > limit {
				t.Fatalf("limit %d: page has %d items", limit, len(ks))
			}
			got = append(got, ks...)
			if len(ks) < limit {
				break
			}
			last := ks[len(ks)-1]
			page.Before, page.BeforeID = last.at, last.id
		}
		wantIDs(t, fmt.Sprintf("ids paged by %d", limit), keyIDs(got), keyIDs(want))
		for i := range got {
			if !got[i].at.Equal(want[i].at.Time) {
				t.Fatalf("limit %d: item %d created at %v, want %v", limit, i, got[i].at, want[i].at)
			}
		}
	}

	// Before without BeforeID: strictly older than Before.
	var older []key
	for _, k := range want {
		if k.at.Before(at(0).Time) {
			older = append(older, k)
		}
	}
	got, err := fetch(bunnybook.TimePage{Before: at(0), Limit: len(want) + 5})
	must(t, "fetch older than at(0)", err)
	wantIDs(t, "items older than at(0)", keyIDs(got), keyIDs(older))

	// Before with BeforeID inside the shared millisecond.
	mid := len(want) / 2
	got, err = fetch(bunnybook.TimePage{Before: want[mid].at, BeforeID: want[mid].id, Limit: len(want) + 5})
	must(t, "fetch from the middle", err)
	wantIDs(t, "items after the middle one", keyIDs(got), keyIDs(want[mid+1:]))
}

const pagingCount = 30

func testPageWall(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "ben", "daisy")
	ben := acc[0].ID
	var want []key
	for i, ts := range pagingTimes(pagingCount) {
		privacy := bunnybook.Public
		if i%4 == 1 {
			privacy = bunnybook.Friends
		}
		p := MustCreatePost(t, s, ben, ben, privacy, ts)
		want = append(want, key{p.CreatedAt, p.ID})
	}
	MustCreatePost(t, s, acc[1].ID, acc[1].ID, bunnybook.Public, at(0)) // another wall
	wantKeyset(t, want, func(page bunnybook.TimePage) ([]key, error) {
		ps, err := s.WallPosts(ctx, ben, true, page)
		out := make([]key, len(ps))
		for i, p := range ps {
			out[i] = key{p.CreatedAt, p.ID}
		}
		return out, err
	})
}

func testPageComments(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "ben", "daisy")
	p := MustCreatePost(t, s, acc[0].ID, acc[0].ID, bunnybook.Public, at(-10))
	other := MustCreatePost(t, s, acc[0].ID, acc[0].ID, bunnybook.Public, at(-10))
	var want []key
	for i, ts := range pagingTimes(pagingCount) {
		c := MustCreateComment(t, s, acc[i%2].ID, p.ID, ts)
		want = append(want, key{c.CreatedAt, c.ID})
	}
	MustCreateComment(t, s, acc[0].ID, other.ID, at(0))
	wantKeyset(t, want, func(page bunnybook.TimePage) ([]key, error) {
		cs, err := s.Comments(ctx, p.ID, page)
		out := make([]key, len(cs))
		for i, c := range cs {
			out[i] = key{c.CreatedAt, c.ID}
		}
		return out, err
	})
}

func testPageNotifications(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "ben", "daisy")
	ben := acc[0].ID
	var notes []bunnybook.Notification
	var want []key
	for _, ts := range pagingTimes(pagingCount) {
		n := NewNotification(ben, bunnybook.EventNewCommentOnPost, ts)
		notes = append(notes, n)
		want = append(want, key{n.CreatedAt, n.ID})
	}
	notes = append(notes, NewNotification(acc[1].ID, bunnybook.EventNewFriend, at(0)))
	mustStoreNotes(t, s, ben, notes...)
	if n := mustUnread(t, s, ben); n != pagingCount {
		t.Fatalf("UnreadNotificationCount: got %d, want %d", n, pagingCount)
	}
	wantKeyset(t, want, func(page bunnybook.TimePage) ([]key, error) {
		ns, err := s.Notifications(ctx, ben, page)
		out := make([]key, len(ns))
		for i, n := range ns {
			out[i] = key{n.CreatedAt, n.ID}
		}
		return out, err
	})
}

func testPageMessages(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	ben, daisy, group := pair(t, s)
	var msgs []bunnybook.ChatMessage
	var want []key
	for i, ts := range pagingTimes(pagingCount) {
		from := ben.ID
		if i%3 == 0 {
			from = daisy.ID
		}
		m := NewMessage(group, from, int64(i+1), ts)
		msgs = append(msgs, m)
		want = append(want, key{m.CreatedAt, m.ID})
	}
	MustAppend(t, s, msgs[:10]...)
	MustAppend(t, s, msgs[10:]...)
	wantKeyset(t, want, func(page bunnybook.TimePage) ([]key, error) {
		ms, err := s.ChatMessages(ctx, group, page)
		out := make([]key, len(ms))
		for i, m := range ms {
			out[i] = key{m.CreatedAt, m.ID}
		}
		return out, err
	})
	// MessagesAfter pages by seq, oldest first.
	var got []string
	for after := int64(0); ; {
		ms := mustAfter(t, s, group, after, 7)
		got = append(got, messageIDs(ms)...)
		if len(ms) < 7 {
			break
		}
		after = ms[len(ms)-1].Seq
	}
	wantIDs(t, "MessagesAfter paged by 7", got, messageIDs(msgs))
}

func testPageConversations(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	me := MustCreateAccount(t, s, "me")
	const friends = 12
	var want []key
	for i, ts := range pagingTimes(friends) {
		f := MustCreateAccount(t, s, fmt.Sprintf("friend%02d", i))
		group := MustBefriend(t, s, me.ID, f.ID)
		MustAppend(t, s, NewMessage(group, f.ID, 1, at(-100)))
		last := NewMessage(group, f.ID, 2, ts)
		MustAppend(t, s, last)
		want = append(want, key{last.CreatedAt, group})
	}
	wantKeyset(t, want, func(page bunnybook.TimePage) ([]key, error) {
		cs, err := s.Conversations(ctx, me.ID, page)
		out := make([]key, len(cs))
		for i, c := range cs {
			out[i] = key{c.CreatedAt, c.ChatGroupID}
		}
		return out, err
	})
}
