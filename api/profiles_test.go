package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
)

type profile struct{ ID, Username string }

type suggestion struct {
	ID                 string `json:"id"`
	Username           string `json:"username"`
	MutualFriendsCount int    `json:"mutualFriendsCount"`
}

// relationship returns how a relates to b, asked by a.
func relationship(t *testing.T, srv *testServer, a, b *client) string {
	t.Helper()
	var rel string
	a.get(fmt.Sprintf("/web/profiles/%s/relationships/%s", a.ID, b.ID)).want(http.StatusOK).decode(&rel)
	return rel
}

// friendsOf lists a profile's friends, anonymously.
func friendsOf(t *testing.T, srv *testServer, c *client) []profile {
	t.Helper()
	var ps []profile
	srv.anonymous(t).get("/web/profiles/" + c.ID + "/friends").want(http.StatusOK).decode(&ps)
	return ps
}

func usernames(ps []profile) []string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Username
	}
	return names
}

// path returns a path under the client's profile: /web/profiles/<id><parts...>.
func (c *client) path(parts ...string) string {
	return "/web/profiles/" + c.ID + strings.Join(parts, "")
}

func TestProfiles(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		prefix := "srch" + rand8()
		alice := registerAs(t, srv, prefix+"alice")
		registerAs(t, srv, "x"+prefix+"bob")
		anon := srv.anonymous(t)

		var p profile
		anon.get("/web/profiles/" + alice.ID).want(http.StatusOK).decode(&p)
		if p.ID != alice.ID || p.Username != alice.Username {
			t.Errorf("got %+v", p)
		}
		anon.get("/web/profiles/" + strings.ToUpper(alice.ID)).want(http.StatusOK) // UUIDs in any case
		anon.get("/web/profiles/" + newID()).wantDetail(http.StatusNotFound)       // not 200 null
		anon.get("/web/profiles/123").want422("path", "profile_id")

		var found []profile
		anon.get("/web/profiles?username_query=" + strings.ToUpper(prefix)).want(http.StatusOK).decode(&found)
		if got := usernames(found); !slices.Equal(got, []string{prefix + "alice", "x" + prefix + "bob"}) {
			t.Errorf("search: got %v, prefix matches first", got)
		}
		anon.get("/web/profiles?username_query=" + "%25").want(http.StatusOK) // % is literal
		anon.get("/web/profiles").want422("query", "username_query")
		anon.get("/web/profiles?username_query=").want422("query", "username_query")
		anon.get("/web/profiles?username_query="+strings.Repeat("a", 33)).want422("query", "username_query")
	})
}

// Ported from test_profiles.py: the friendship state machine.
func TestFriendshipFlows(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		rels := func(a, b *client) [2]string {
			return [2]string{relationship(t, srv, a, b), relationship(t, srv, b, a)}
		}
		t.Run("accepted", func(t *testing.T) {
			ben, daisy := registerAndLogin(t, srv), registerAndLogin(t, srv)
			if got := rels(ben, daisy); got != [2]string{"NONE", "NONE"} {
				t.Errorf("initially %v", got)
			}
			if len(friendsOf(t, srv, ben))+len(friendsOf(t, srv, daisy)) != 0 {
				t.Error("friends before any request")
			}
			if r := ben.post(ben.path("/outgoing_friend_requests/", daisy.ID), nil).want(http.StatusCreated); len(r.body) != 0 {
				t.Errorf("201 with body %q (the original sent null)", r.body)
			}
			if got := rels(ben, daisy); got != [2]string{"OUTGOING_FRIEND_REQUEST", "INCOMING_FRIEND_REQUEST"} {
				t.Errorf("after request %v", got)
			}
			if len(friendsOf(t, srv, ben))+len(friendsOf(t, srv, daisy)) != 0 {
				t.Error("friends before accepting")
			}
			daisy.post(daisy.path("/friends/", ben.ID), nil).want(http.StatusCreated)
			if got := rels(ben, daisy); got != [2]string{"FRIEND", "FRIEND"} {
				t.Errorf("after accepting %v", got)
			}
			if len(friendsOf(t, srv, ben)) != 1 || len(friendsOf(t, srv, daisy)) != 1 {
				t.Error("want exactly one friend each")
			}
			if got := relationship(t, srv, ben, ben); got != "SELF" {
				t.Errorf("self: %s", got)
			}
		})
		t.Run("rejected", func(t *testing.T) {
			ben, daisy := registerAndLogin(t, srv), registerAndLogin(t, srv)
			ben.post(ben.path("/outgoing_friend_requests/", daisy.ID), nil).want(http.StatusCreated)
			daisy.delete(daisy.path("/incoming_friend_requests/", ben.ID)).want(http.StatusNoContent)
			if got := rels(ben, daisy); got != [2]string{"NONE", "NONE"} {
				t.Errorf("after rejecting %v", got)
			}
		})
		t.Run("removed", func(t *testing.T) {
			ben, daisy := registerAndLogin(t, srv), registerAndLogin(t, srv)
			becomeFriends(t, ben, daisy)
			unfriend(t, daisy, ben)
			if got := rels(ben, daisy); got != [2]string{"NONE", "NONE"} {
				t.Errorf("after removing %v", got)
			}
		})
		t.Run("cancelled", func(t *testing.T) {
			ben, daisy := registerAndLogin(t, srv), registerAndLogin(t, srv)
			ben.post(ben.path("/outgoing_friend_requests/", daisy.ID), nil).want(http.StatusCreated)
			ben.delete(ben.path("/outgoing_friend_requests/", daisy.ID)).want(http.StatusNoContent)
			if got := rels(ben, daisy); got != [2]string{"NONE", "NONE"} {
				t.Errorf("after cancelling %v", got)
			}
		})
		t.Run("unexpected states", func(t *testing.T) {
			ben, daisy := registerAndLogin(t, srv), registerAndLogin(t, srv)
			unexpected := func(r *response) {
				t.Helper()
				if e := r.wantDetail(http.StatusBadRequest); e.Message != "UnexpectedRelationshipState" {
					t.Errorf("%s: message %q", r.req, e.Message)
				}
			}
			unexpected(ben.post(ben.path("/friends/", daisy.ID), nil))               // accept without a request
			unexpected(ben.delete(ben.path("/friends/", daisy.ID)))                  // unfriend a stranger
			unexpected(ben.delete(ben.path("/outgoing_friend_requests/", daisy.ID))) // cancel nothing
			unexpected(ben.delete(ben.path("/incoming_friend_requests/", daisy.ID))) // reject nothing
			ben.post(ben.path("/outgoing_friend_requests/", daisy.ID), nil).want(http.StatusCreated)
			unexpected(ben.post(ben.path("/outgoing_friend_requests/", daisy.ID), nil))   // twice
			unexpected(daisy.post(daisy.path("/outgoing_friend_requests/", ben.ID), nil)) // must accept instead
			unexpected(ben.post(ben.path("/friends/", daisy.ID), nil))                    // accept own request
			e := ben.post(ben.path("/outgoing_friend_requests/", ben.ID), nil).wantDetail(http.StatusBadRequest)
			if e.Message == "UnexpectedRelationshipState" {
				t.Error("a request to oneself should say so")
			}
		})
		t.Run("auth and ids", func(t *testing.T) {
			ben, daisy := registerAndLogin(t, srv), registerAndLogin(t, srv)
			anon := srv.anonymous(t)
			ghost := newID()
			type call struct{ method, path, param string }
			self := []call{
				{"POST", "/outgoing_friend_requests/%s", "target_profile_id"},
				{"DELETE", "/outgoing_friend_requests/%s", "target_profile_id"},
				{"DELETE", "/incoming_friend_requests/%s", "requester_profile_id"},
				{"POST", "/friends/%s", "requester_profile_id"},
				{"DELETE", "/friends/%s", "friend_profile_id"},
				{"GET", "/friends/%s/mutual_friends", "friend_profile_id"},
			}
			for _, c := range self {
				p := fmt.Sprintf(c.path, daisy.ID)
				anon.do(c.method, ben.path(p), nil).wantDetail(http.StatusUnauthorized)
				daisy.do(c.method, ben.path(p), nil).wantDetail(http.StatusForbidden)                       // another's profile id
				ben.do(c.method, ben.path(fmt.Sprintf(c.path, ghost)), nil).wantDetail(http.StatusNotFound) // unknown other
				ben.do(c.method, ben.path(fmt.Sprintf(c.path, "not-a-uuid")), nil).want422("path", c.param)
				ben.do(c.method, "/web/profiles/not-a-uuid"+p, nil).want422("path", "profile_id")
			}
			for _, p := range []string{"/friend_requests", "/friend_suggestions", "/notifications", "/conversations"} {
				anon.get(ben.path(p)).wantDetail(http.StatusUnauthorized)
				daisy.get(ben.path(p)).wantDetail(http.StatusForbidden)
				ben.get("/web/profiles/not-a-uuid"+p).want422("path", "profile_id")
			}
			// A friend request to a profile that does not exist is 404 (the original said 201).
			ben.post(ben.path("/outgoing_friend_requests/", ghost), nil).wantDetail(http.StatusNotFound)
			anon.get("/web/profiles/" + ghost + "/friends").wantDetail(http.StatusNotFound)
			ben.get(fmt.Sprintf("/web/profiles/%s/relationships/%s", ben.ID, ghost)).wantDetail(http.StatusNotFound)
			ben.get(fmt.Sprintf("/web/profiles/%s/relationships/x", ben.ID)).want422("path", "other_profile_id")
		})
	})
}

// A relationship (pending requests included) is for its two profiles
// only: anonymous callers are 401, anyone else 403 (security review,
// issue 10).
func TestRelationshipIsPrivate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		ben, daisy, eve := registerAndLogin(t, srv), registerAndLogin(t, srv), registerAndLogin(t, srv)
		ben.post(ben.path("/outgoing_friend_requests/", daisy.ID), nil).want(http.StatusCreated)
		rel := func(a, b string) string { return fmt.Sprintf("/web/profiles/%s/relationships/%s", a, b) }
		cases := []struct {
			name   string
			caller *client
			path   string
			status int
			want   string
		}{
			{"anonymous", srv.anonymous(t), rel(ben.ID, daisy.ID), http.StatusUnauthorized, ""},
			{"a third profile", eve, rel(ben.ID, daisy.ID), http.StatusForbidden, ""},
			{"a third profile, other order", eve, rel(daisy.ID, ben.ID), http.StatusForbidden, ""},
			{"the sender", ben, rel(ben.ID, daisy.ID), http.StatusOK, "OUTGOING_FRIEND_REQUEST"},
			{"the target, from the sender's side", daisy, rel(ben.ID, daisy.ID), http.StatusOK, "OUTGOING_FRIEND_REQUEST"},
			{"the target, upper-case ids", daisy, rel(strings.ToUpper(daisy.ID), strings.ToUpper(ben.ID)), http.StatusOK, "INCOMING_FRIEND_REQUEST"},
			{"the sender, by cookie", ben.cookieClient(), rel(daisy.ID, ben.ID), http.StatusOK, "INCOMING_FRIEND_REQUEST"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				resp := tc.caller.get(tc.path)
				if tc.status != http.StatusOK {
					resp.wantDetail(tc.status)
					return
				}
				var got string
				resp.want(http.StatusOK).decode(&got)
				if got != tc.want {
					t.Errorf("got %s, want %s", got, tc.want)
				}
			})
		}
	})
}

func TestFriendRequestLists(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		ben := registerAndLogin(t, srv)
		var senders, targets []string
		for range 3 {
			c := registerAndLogin(t, srv)
			c.post(c.path("/outgoing_friend_requests/", ben.ID), nil).want(http.StatusCreated)
			senders = append(senders, c.Username)
			d := registerAndLogin(t, srv)
			ben.post(ben.path("/outgoing_friend_requests/", d.ID), nil).want(http.StatusCreated)
			targets = append(targets, d.Username)
		}
		sort.Strings(senders)
		sort.Strings(targets)
		list := func(query string) []string {
			var ps []profile
			ben.get(ben.path("/friend_requests" + query)).want(http.StatusOK).decode(&ps)
			return usernames(ps)
		}
		cases := []struct {
			query string
			want  []string
		}{
			{"", targets}, // outgoing by default
			{"?direction=outgoing", targets},
			{"?direction=incoming", senders},
			{"?direction=incoming&limit=2", senders[:2]},
			{"?direction=incoming&username_gt=" + senders[0], senders[1:]},
		}
		for _, tc := range cases {
			if got := list(tc.query); !slices.Equal(got, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.query, got, tc.want)
			}
		}
		ben.get(ben.path("/friend_requests?direction=sideways")).want422("query", "direction")
		ben.get(ben.path("/friend_requests?limit=51")).want422("query", "limit")
		ben.get(ben.path("/friend_requests?username_gt="+strings.Repeat("z", 33))).want422("query", "username_gt")
	})
}

// Ported from test_profiles.py: test_mutual_friends.
func TestMutualFriends(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		ben, daisy := registerAndLogin(t, srv), registerAndLogin(t, srv)
		mutual := func() []string {
			var ps []profile
			ben.get(ben.path("/friends/", daisy.ID, "/mutual_friends")).want(http.StatusOK).decode(&ps)
			return usernames(ps)
		}
		becomeFriends(t, ben, daisy)
		if got := mutual(); len(got) != 0 {
			t.Errorf("got %v, want none", got)
		}
		sumba := registerAndLogin(t, srv)
		becomeFriends(t, ben, sumba)
		becomeFriends(t, daisy, sumba)
		if got := mutual(); !slices.Equal(got, []string{sumba.Username}) {
			t.Errorf("got %v, want [%s]", got, sumba.Username)
		}
		for range 2 {
			c := registerAndLogin(t, srv)
			becomeFriends(t, ben, c)
			becomeFriends(t, daisy, c)
		}
		got := mutual()
		// ben's friends, by username and paged: daisy, sumba and the other two.
		var first, rest []profile
		srv.anonymous(t).get("/web/profiles/" + ben.ID + "/friends?limit=2").want(http.StatusOK).decode(&first)
		srv.anonymous(t).get("/web/profiles/" + ben.ID + "/friends?username_gt=" + first[1].Username).want(http.StatusOK).decode(&rest)
		if all := usernames(append(first, rest...)); len(all) != 4 || !slices.IsSorted(all) {
			t.Errorf("ben's friends paged: %v", all)
		}
		if len(got) != 3 || !slices.IsSorted(got) {
			t.Errorf("got %v, want 3 in ascending order", got)
		}
		var page []profile
		ben.get(ben.path("/friends/", daisy.ID, "/mutual_friends?limit=1&username_gt=", got[0])).want(http.StatusOK).decode(&page)
		if !slices.Equal(usernames(page), got[1:2]) {
			t.Errorf("page after %s: got %v, want %v", got[0], usernames(page), got[1:2])
		}
	})
}

// Ported from test_profiles.py: test_friend_suggestions, adapted to the
// fixes: suggestions are ranked by mutual friends and exclude pending requests.
func TestFriendSuggestions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		ben, daisy := registerAndLogin(t, srv), registerAndLogin(t, srv)
		suggest := func(query string) []suggestion {
			var ss []suggestion
			ben.get(ben.path("/friend_suggestions" + query)).want(http.StatusOK).decode(&ss)
			return ss
		}
		names := func(ss []suggestion) []string {
			out := make([]string, len(ss))
			for i, s := range ss {
				out[i] = s.Username
			}
			return out
		}
		if got := suggest(""); len(got) != 0 {
			t.Errorf("no friends: got %v", got)
		}
		becomeFriends(t, ben, daisy)
		if got := suggest(""); len(got) != 0 {
			t.Errorf("ben–daisy: got %v", got)
		}
		sumba := registerAndLogin(t, srv)
		becomeFriends(t, daisy, sumba)
		if got := names(suggest("")); !slices.Equal(got, []string{sumba.Username}) {
			t.Errorf("daisy–sumba: got %v", got)
		}
		pumba, exempel := registerAndLogin(t, srv), registerAndLogin(t, srv)
		becomeFriends(t, daisy, pumba)
		becomeFriends(t, daisy, exempel)
		got := suggest("")
		if len(got) != 3 || !slices.IsSorted(names(got)) || got[0].MutualFriendsCount != 1 {
			t.Errorf("three friends of daisy: got %+v, want 3 by username with 1 mutual friend", got)
		}

		// Ranking: pumba shares two friends with ben once ben befriends a
		// friend of pumba's.
		bigcocoapuff := registerAndLogin(t, srv)
		becomeFriends(t, ben, bigcocoapuff)
		becomeFriends(t, bigcocoapuff, pumba)
		got = suggest("")
		if len(got) != 3 || got[0].Username != pumba.Username || got[0].MutualFriendsCount != 2 {
			t.Fatalf("got %+v, want pumba first with 2 mutual friends", got)
		}
		// Paging with the (mutual_count, username_gt) cursor.
		page2 := suggest(fmt.Sprintf("?limit=1&mutual_count=%d&username_gt=%s", got[0].MutualFriendsCount, got[0].Username))
		if len(page2) != 1 || page2[0] != got[1] {
			t.Errorf("second page: got %+v, want %+v", page2, got[1])
		}
		// A pending request removes a suggestion.
		ben.post(ben.path("/outgoing_friend_requests/", exempel.ID), nil).want(http.StatusCreated)
		if got := names(suggest("")); slices.Contains(got, exempel.Username) {
			t.Errorf("pending request still suggested: %v", got)
		}
		ben.delete(ben.path("/outgoing_friend_requests/", exempel.ID)).want(http.StatusNoContent)

		// The original's tail: befriending sumba, then removing daisy, then sumba.
		becomeFriends(t, ben, sumba)
		if got := names(suggest("")); len(got) != 2 {
			t.Errorf("ben–sumba: got %v, want 2 (pumba, exempel)", got)
		}
		unfriend(t, ben, daisy)
		if got := names(suggest("")); !slices.Contains(got, daisy.Username) {
			t.Errorf("after removing daisy: got %v, want daisy (a friend of sumba)", got)
		}
		unfriend(t, ben, sumba)
		unfriend(t, ben, bigcocoapuff)
		if got := suggest(""); len(got) != 0 {
			t.Errorf("no friends left: got %v", got)
		}

		for _, q := range []string{"?mutual_count=1", "?username_gt=a", "?mutual_count=-1&username_gt=a", "?mutual_count=x&username_gt=a"} {
			ben.get(ben.path("/friend_suggestions"+q)).want422("query", "mutual_count")
		}
	})
}
