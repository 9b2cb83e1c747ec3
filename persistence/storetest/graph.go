package storetest

import (
	"fmt"
	"testing"

	"github.com/bunnybook/bunnybook"
)

var graphTests = []test{
	{"FriendsPaging", testFriendsPaging},
	{"FriendRequestsPaging", testFriendRequestsPaging},
	{"MutualFriends", testMutualFriends},
	{"MutualFriendsPaging", testMutualFriendsPaging},
	{"Suggestions", testSuggestions},
	{"SuggestionsRanking", testSuggestionsRanking},
	{"UnknownProfiles", testGraphUnknown},
}

// pageNames pages through a list ordered by username, limit at a time, and
// returns every username seen and the size of each page.
func pageNames(tb testing.TB, limit int, fetch func(bunnybook.NamePage) ([]bunnybook.Profile, error)) (names []string, sizes []int) {
	tb.Helper()
	page := bunnybook.NamePage{Limit: limit}
	for range 100 {
		ps, err := fetch(page)
		must(tb, "fetch page", err)
		names = append(names, usernames(ps)...)
		sizes = append(sizes, len(ps))
		if len(ps) > limit {
			tb.Fatalf("page after %q has %d items, limit %d", page.After, len(ps), limit)
		}
		if len(ps) < limit {
			return names, sizes
		}
		page.After = ps[len(ps)-1].Username
	}
	tb.Fatalf("paging did not end after 100 pages")
	return nil, nil
}

// wantPaged fails unless paging through fetch by limit yields want.
func wantPaged(tb testing.TB, what string, limit int, want []string, fetch func(bunnybook.NamePage) ([]bunnybook.Profile, error)) {
	tb.Helper()
	got, _ := pageNames(tb, limit, fetch)
	wantIDs(tb, what, got, want)
}

func testFriendsPaging(t *testing.T, s bunnybook.Store, g bunnybook.Graph) {
	ctx := t.Context()
	// Lower-case letters and digits only: the order is the same in every collation.
	acc := MustCreateAccounts(t, s, "hub", "fg", "fa", "fe", "fc", "fb", "ff", "fd", "stranger", "asked", "asking")
	hub := acc[0]
	for _, f := range acc[1:8] {
		MustBefriend(t, s, f.ID, hub.ID)
	}
	MustBefriend(t, s, acc[8].ID, acc[1].ID) // a friend of a friend
	must(t, "send", s.SendFriendRequest(ctx, hub.ID, acc[9].ID, NewNotification(acc[9].ID, bunnybook.EventNewFriendshipRequest, at(0))))
	must(t, "send", s.SendFriendRequest(ctx, acc[10].ID, hub.ID, NewNotification(hub.ID, bunnybook.EventNewFriendshipRequest, at(0))))

	want := []string{"fa", "fb", "fc", "fd", "fe", "ff", "fg"}
	fetch := func(p bunnybook.NamePage) ([]bunnybook.Profile, error) { return g.Friends(ctx, hub.ID, p) }
	for _, limit := range []int{1, 3, 7, 50} {
		wantPaged(t, fmt.Sprintf("Friends by %d", limit), limit, want, fetch)
	}
	got, err := g.Friends(ctx, hub.ID, bunnybook.NamePage{After: "fc", Limit: 2})
	must(t, "Friends", err)
	if len(got) != 2 || got[0] != acc[7].Profile || got[1] != acc[3].Profile {
		t.Fatalf("Friends after fc: got %+v, want fd and fe with their ids", got)
	}
	got, err = g.Friends(ctx, hub.ID, bunnybook.NamePage{After: "fcz", Limit: 1})
	must(t, "Friends", err)
	wantIDs(t, "Friends after a name between two friends", usernames(got), []string{"fd"})
}

func testFriendRequestsPaging(t *testing.T, s bunnybook.Store, g bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "me", "in3", "in1", "in2", "in5", "in4", "out2", "out1", "out3", "pal", "other")
	me := acc[0].ID
	for _, a := range acc[1:6] {
		must(t, "send", s.SendFriendRequest(ctx, a.ID, me, NewNotification(me, bunnybook.EventNewFriendshipRequest, at(0))))
	}
	for _, a := range acc[6:9] {
		must(t, "send", s.SendFriendRequest(ctx, me, a.ID, NewNotification(a.ID, bunnybook.EventNewFriendshipRequest, at(0))))
	}
	MustBefriend(t, s, acc[9].ID, me)
	must(t, "send", s.SendFriendRequest(ctx, acc[10].ID, acc[9].ID, NewNotification(acc[9].ID, bunnybook.EventNewFriendshipRequest, at(0))))

	for _, limit := range []int{2, 10} {
		wantPaged(t, "incoming requests", limit, []string{"in1", "in2", "in3", "in4", "in5"}, func(p bunnybook.NamePage) ([]bunnybook.Profile, error) {
			return g.FriendRequests(ctx, me, true, p)
		})
		wantPaged(t, "outgoing requests", limit, []string{"out1", "out2", "out3"}, func(p bunnybook.NamePage) ([]bunnybook.Profile, error) {
			return g.FriendRequests(ctx, me, false, p)
		})
	}
	got, err := g.FriendRequests(ctx, me, true, bunnybook.NamePage{Limit: 1})
	must(t, "FriendRequests", err)
	if len(got) != 1 || got[0] != acc[2].Profile {
		t.Fatalf("first incoming request: got %+v, want %+v", got, acc[2].Profile)
	}
	// Accepting or rejecting removes the request from both lists.
	_, err = s.AcceptFriendRequest(ctx, acc[2].ID, me, NewNotification(acc[2].ID, bunnybook.EventNewFriend, at(0)))
	must(t, "accept", err)
	must(t, "reject", s.DeleteFriendRequest(ctx, acc[3].ID, me))
	must(t, "cancel", s.DeleteFriendRequest(ctx, me, acc[7].ID))
	wantPaged(t, "incoming requests after accept and reject", 10, []string{"in3", "in4", "in5"}, func(p bunnybook.NamePage) ([]bunnybook.Profile, error) {
		return g.FriendRequests(ctx, me, true, p)
	})
	wantPaged(t, "outgoing requests after cancel", 10, []string{"out2", "out3"}, func(p bunnybook.NamePage) ([]bunnybook.Profile, error) {
		return g.FriendRequests(ctx, me, false, p)
	})
}

// mutualNames returns all the usernames of a's and b's mutual friends.
func mutualNames(tb testing.TB, g bunnybook.Graph, a, b string) []string {
	tb.Helper()
	ps, err := g.MutualFriends(tb.Context(), a, b, bunnybook.NamePage{Limit: 50})
	must(tb, "MutualFriends", err)
	return usernames(ps)
}

// testMutualFriends is the original's test_mutual_friends (spec §13.2).
func testMutualFriends(t *testing.T, s bunnybook.Store, g bunnybook.Graph) {
	acc := MustCreateAccounts(t, s, "ben", "daisy", "sumba", "pumba", "exempel")
	ben, daisy, sumba, pumba, exempel := acc[0].ID, acc[1].ID, acc[2].ID, acc[3].ID, acc[4].ID
	MustBefriend(t, s, daisy, ben)
	wantIDs(t, "mutual friends of new friends", mutualNames(t, g, ben, daisy), []string{})
	MustBefriend(t, s, sumba, ben)
	MustBefriend(t, s, sumba, daisy)
	wantIDs(t, "mutual friends", mutualNames(t, g, ben, daisy), []string{"sumba"})
	for _, p := range []string{pumba, exempel} {
		MustBefriend(t, s, p, ben)
		MustBefriend(t, s, daisy, p)
	}
	wantIDs(t, "mutual friends(ben, daisy)", mutualNames(t, g, ben, daisy), []string{"exempel", "pumba", "sumba"})
	wantIDs(t, "mutual friends(daisy, ben)", mutualNames(t, g, daisy, ben), []string{"exempel", "pumba", "sumba"})
	wantIDs(t, "mutual friends(ben, sumba)", mutualNames(t, g, ben, sumba), []string{"daisy"})
}

func testMutualFriendsPaging(t *testing.T, s bunnybook.Store, g bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "ann", "bob", "m4", "m2", "m5", "m1", "m3", "onlyann", "onlybob")
	ann, bob := acc[0].ID, acc[1].ID
	for _, m := range acc[2:7] {
		MustBefriend(t, s, ann, m.ID)
		MustBefriend(t, s, m.ID, bob)
	}
	MustBefriend(t, s, ann, acc[7].ID)
	MustBefriend(t, s, acc[8].ID, bob)
	for _, limit := range []int{2, 5} {
		wantPaged(t, "mutual friends", limit, []string{"m1", "m2", "m3", "m4", "m5"}, func(p bunnybook.NamePage) ([]bunnybook.Profile, error) {
			return g.MutualFriends(ctx, ann, bob, p)
		})
	}
}

// suggestionNames returns all of the profile's suggestions as "name:count".
func suggestionNames(tb testing.TB, g bunnybook.Graph, id string) []string {
	tb.Helper()
	ss, err := g.Suggestions(tb.Context(), id, bunnybook.SuggestionPage{Limit: 50})
	must(tb, "Suggestions", err)
	return suggestionStrings(ss)
}

func suggestionStrings(ss []bunnybook.Suggestion) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%s:%d", s.Username, s.MutualFriendsCount)
	}
	return out
}

// testSuggestions is the original's test_friend_suggestions (spec §13.2),
// with mutual friend counts.
func testSuggestions(t *testing.T, s bunnybook.Store, g bunnybook.Graph) {
	acc := MustCreateAccounts(t, s, "ben", "daisy", "sumba", "pumba", "exempel")
	ben, daisy, sumba, pumba, exempel := acc[0].ID, acc[1].ID, acc[2].ID, acc[3].ID, acc[4].ID
	wantIDs(t, "suggestions without friends", suggestionNames(t, g, ben), []string{})
	MustBefriend(t, s, daisy, ben)
	wantIDs(t, "suggestions with one friend", suggestionNames(t, g, ben), []string{})
	MustBefriend(t, s, sumba, daisy)
	wantIDs(t, "suggestions via daisy", suggestionNames(t, g, ben), []string{"sumba:1"})
	MustBefriend(t, s, pumba, daisy)
	MustBefriend(t, s, exempel, daisy)
	wantIDs(t, "suggestions via daisy", suggestionNames(t, g, ben), []string{"exempel:1", "pumba:1", "sumba:1"})
	MustBefriend(t, s, sumba, ben)
	wantIDs(t, "suggestions after befriending sumba", suggestionNames(t, g, ben), []string{"exempel:1", "pumba:1"})
	MustUnfriend(t, s, ben, daisy)
	wantIDs(t, "suggestions after removing daisy", suggestionNames(t, g, ben), []string{"daisy:1"})
	MustUnfriend(t, s, ben, sumba)
	wantIDs(t, "suggestions after removing sumba", suggestionNames(t, g, ben), []string{})
}

func testSuggestionsRanking(t *testing.T, s bunnybook.Store, g bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "me", "f1", "f2", "f3", "xena", "yuri", "zoe", "walt", "vera", "umar", "tina", "sam")
	id := map[string]string{}
	for _, a := range acc {
		id[a.Username] = a.ID
	}
	for _, f := range []string{"f1", "f2", "f3"} {
		MustBefriend(t, s, id["me"], id[f])
	}
	for _, e := range [][2]string{
		{"xena", "f1"}, {"xena", "f2"}, {"xena", "f3"}, // 3 mutual
		{"zoe", "f1"}, {"zoe", "f2"}, // 2 mutual
		{"yuri", "f1"}, {"walt", "f2"}, {"sam", "f3"}, // 1 mutual
		{"vera", "f1"}, {"umar", "f2"}, // pending requests: excluded
		{"f1", "f2"}, // friends of mine are never suggested
	} {
		MustBefriend(t, s, id[e[0]], id[e[1]])
	}
	must(t, "send", s.SendFriendRequest(ctx, id["me"], id["vera"], NewNotification(id["vera"], bunnybook.EventNewFriendshipRequest, at(0))))
	must(t, "send", s.SendFriendRequest(ctx, id["umar"], id["me"], NewNotification(id["me"], bunnybook.EventNewFriendshipRequest, at(0))))
	MustBefriend(t, s, id["tina"], id["xena"]) // friend of a friend of a friend: not suggested

	want := []string{"xena:3", "zoe:2", "sam:1", "walt:1", "yuri:1"}
	wantIDs(t, "ranked suggestions", suggestionNames(t, g, id["me"]), want)
	for _, limit := range []int{1, 2, 3, 5} {
		var got []string
		page := bunnybook.SuggestionPage{Limit: limit}
		for range 10 {
			ss, err := g.Suggestions(ctx, id["me"], page)
			must(t, "Suggestions", err)
			if len(ss) > limit {
				t.Fatalf("Suggestions page has %d items, limit %d", len(ss), limit)
			}
			got = append(got, suggestionStrings(ss)...)
			if len(ss) < limit {
				break
			}
			last := ss[len(ss)-1]
			page.AfterCount, page.AfterName = last.MutualFriendsCount, last.Username
		}
		wantIDs(t, fmt.Sprintf("suggestions paged by %d", limit), got, want)
	}
	ss, err := g.Suggestions(ctx, id["me"], bunnybook.SuggestionPage{Limit: 1})
	must(t, "Suggestions", err)
	if len(ss) != 1 || ss[0].Profile != acc[4].Profile {
		t.Fatalf("first suggestion: got %+v, want %+v", ss, acc[4].Profile)
	}
	ss, err = g.Suggestions(ctx, id["me"], bunnybook.SuggestionPage{AfterCount: 2, AfterName: "a", Limit: 10})
	must(t, "Suggestions", err)
	wantIDs(t, "suggestions after (2, a)", suggestionStrings(ss), []string{"zoe:2", "sam:1", "walt:1", "yuri:1"})
}

func testGraphUnknown(t *testing.T, s bunnybook.Store, g bunnybook.Graph) {
	ctx := t.Context()
	ben := MustCreateAccount(t, s, "ben")
	ghost := bunnybook.NewID()
	rel, err := g.Relationship(ctx, ben.ID, ghost)
	must(t, "Relationship", err)
	if rel != bunnybook.RelNone {
		t.Fatalf("Relationship with an unknown profile: got %s, want NONE", rel)
	}
	page := bunnybook.NamePage{Limit: 10}
	for name, fetch := range map[string]func() ([]bunnybook.Profile, error){
		"Friends":        func() ([]bunnybook.Profile, error) { return g.Friends(ctx, ghost, page) },
		"FriendRequests": func() ([]bunnybook.Profile, error) { return g.FriendRequests(ctx, ghost, true, page) },
		"MutualFriends":  func() ([]bunnybook.Profile, error) { return g.MutualFriends(ctx, ben.ID, ghost, page) },
	} {
		ps, err := fetch()
		must(t, name, err)
		wantIDs(t, name+"(unknown)", usernames(ps), []string{})
	}
	ss, err := g.Suggestions(ctx, ghost, bunnybook.SuggestionPage{Limit: 10})
	must(t, "Suggestions", err)
	wantIDs(t, "Suggestions(unknown)", suggestionStrings(ss), []string{})
}
