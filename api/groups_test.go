package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bunnybook/bunnybook"
)

type groupChat struct {
	ChatGroupID string                  `json:"chatGroupId"`
	Name        string                  `json:"name"`
	CreatedBy   string                  `json:"createdBy"`
	CreatedAt   string                  `json:"createdAt"`
	Members     []bunnybook.GroupMember `json:"members"`
}

func groupPath(id string, parts ...string) string {
	return "/web/chat/groups/" + id + strings.Join(parts, "")
}

func TestGroupChats(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		ben, daisy, sumba, kim, eve := registerAndLogin(t, srv), registerAndLogin(t, srv), registerAndLogin(t, srv),
			registerAndLogin(t, srv), registerAndLogin(t, srv)
		for _, f := range []*client{daisy, sumba, kim} {
			becomeFriends(t, ben, f)
		}
		becomeFriends(t, daisy, eve)

		// Create: trimmed name, duplicates collapsed, the creator a member.
		var g groupChat
		ben.post("/web/chat/groups", map[string]any{"name": "  Burrow ", "memberIds": []string{daisy.ID, sumba.ID, strings.ToUpper(daisy.ID)}}).
			want(http.StatusCreated).decode(&g)
		if g.Name != "Burrow" || g.CreatedBy != ben.ID || len(g.Members) != 3 || g.CreatedAt == "" {
			t.Fatalf("created group: %+v", g)
		}
		many := make([]string, bunnybook.GroupOthersMax+1)
		for i := range many {
			many[i] = newID()
		}
		for _, body := range []map[string]any{
			{"name": "", "memberIds": []string{daisy.ID, sumba.ID}},
			{"name": "   ", "memberIds": []string{daisy.ID, sumba.ID}},
			{"name": strings.Repeat("é", bunnybook.GroupNameMax+1), "memberIds": []string{daisy.ID, sumba.ID}},
			{"name": "x", "memberIds": []string{daisy.ID}},
			{"name": "x", "memberIds": []string{daisy.ID, daisy.ID}},
			{"name": "x", "memberIds": []string{ben.ID, daisy.ID, sumba.ID}},
			{"name": "x", "memberIds": many},
		} {
			ben.post("/web/chat/groups", body).wantDetail(http.StatusBadRequest)
		}
		ben.post("/web/chat/groups", map[string]any{"name": "x", "memberIds": []string{daisy.ID, eve.ID}}).wantDetail(http.StatusForbidden)
		ben.post("/web/chat/groups", map[string]any{"name": "x", "memberIds": []string{daisy.ID, newID()}}).wantDetail(http.StatusNotFound)
		ben.post("/web/chat/groups", map[string]any{"name": "x", "memberIds": []string{daisy.ID, "nope"}}).want422("body", "memberIds", 1)
		ben.post("/web/chat/groups", map[string]any{"memberIds": []string{daisy.ID, sumba.ID}}).want422("body", "name")
		ben.post("/web/chat/groups", map[string]any{"name": "x", "memberIds": []string{daisy.ID, sumba.ID}, "private": true}).want422("body", "private")
		ben.post("/web/chat/groups", `{"name": "x"`).want422("body")
		srv.anonymous(t).post("/web/chat/groups", map[string]any{"name": "x", "memberIds": []string{daisy.ID, sumba.ID}}).wantDetail(http.StatusUnauthorized)
		var convs []bunnybook.Conversation
		ben.get(ben.path("/conversations")).want(http.StatusOK).decode(&convs)
		if len(convs) != 1 || convs[0].ChatGroupID != g.ChatGroupID || convs[0].Kind != "group" || convs[0].ChatGroupName != "Burrow" {
			t.Fatalf("conversations after one group was created (and others refused): %+v", convs)
		}

		// Read: members only; a private chat is no group chat.
		var got groupChat
		daisy.get(groupPath(g.ChatGroupID)).want(http.StatusOK).decode(&got)
		if got.ChatGroupID != g.ChatGroupID || len(got.Members) != 3 {
			t.Fatalf("GET group: %+v", got)
		}
		eve.get(groupPath(g.ChatGroupID)).wantDetail(http.StatusForbidden)
		ben.get(groupPath(newID())).wantDetail(http.StatusNotFound)
		private, err := srv.store.PrivateChats(t.Context(), ben.ID)
		if err != nil || len(private) == 0 {
			t.Fatal(err)
		}
		ben.get(groupPath(private[0].ChatGroupID)).wantDetail(http.StatusNotFound)
		ben.get(groupPath("42")).want422("path", "chat_group_id")

		// Rename: any member.
		sumba.patch(groupPath(g.ChatGroupID), map[string]any{"name": "Warren"}).want(http.StatusOK).decode(&got)
		if got.Name != "Warren" {
			t.Fatalf("renamed: %+v", got)
		}
		eve.patch(groupPath(g.ChatGroupID), map[string]any{"name": "Mine"}).wantDetail(http.StatusForbidden)
		sumba.patch(groupPath(g.ChatGroupID), map[string]any{"name": strings.Repeat("x", 65)}).wantDetail(http.StatusBadRequest)
		sumba.patch(groupPath(newID()), map[string]any{"name": "Mine"}).wantDetail(http.StatusNotFound)
		sumba.patch(groupPath(g.ChatGroupID), map[string]any{"title": "Mine"}).want422("body", "title")

		// Add: a member adds one of their own friends.
		daisy.post(groupPath(g.ChatGroupID, "/members"), map[string]any{"profileId": eve.ID}).want(http.StatusCreated).decode(&got)
		if len(got.Members) != 4 {
			t.Fatalf("after adding eve: %+v", got)
		}
		var conflict struct{ Code string }
		ben.post(groupPath(g.ChatGroupID, "/members"), map[string]any{"profileId": eve.ID}).want(http.StatusConflict).decode(&conflict)
		if conflict.Code != "AlreadyGroupMember" {
			t.Errorf("conflict code %q, want AlreadyGroupMember", conflict.Code)
		}
		ben.post(groupPath(g.ChatGroupID, "/members"), map[string]any{"profileId": ben.ID}).want(http.StatusConflict)
		sumba.post(groupPath(g.ChatGroupID, "/members"), map[string]any{"profileId": kim.ID}).wantDetail(http.StatusForbidden) // ben's friend, not sumba's
		kim.post(groupPath(g.ChatGroupID, "/members"), map[string]any{"profileId": ben.ID}).wantDetail(http.StatusForbidden)   // not a member
		ben.post(groupPath(newID(), "/members"), map[string]any{"profileId": kim.ID}).wantDetail(http.StatusNotFound)
		ben.post(groupPath(g.ChatGroupID, "/members"), map[string]any{"profileId": "kim"}).want422("body", "profileId")

		// Remove: leave, or the creator removes; nobody else.
		daisy.delete(groupPath(g.ChatGroupID, "/members/", sumba.ID)).wantDetail(http.StatusForbidden)
		ben.delete(groupPath(g.ChatGroupID, "/members/", sumba.ID)).want(http.StatusNoContent)
		sumba.delete(groupPath(g.ChatGroupID, "/members/", sumba.ID)).wantDetail(http.StatusForbidden) // not a member any more
		eve.delete(groupPath(g.ChatGroupID, "/members/", eve.ID)).want(http.StatusNoContent)
		ben.delete(groupPath(g.ChatGroupID, "/members/", kim.ID)).wantDetail(http.StatusNotFound)
		ben.delete(groupPath(g.ChatGroupID, "/members/", "kim")).want422("path", "profile_id")
		sumba.get(groupPath(g.ChatGroupID)).wantDetail(http.StatusForbidden)
		sumba.get("/web/chat/" + g.ChatGroupID + "/messages").want(http.StatusOK) // what was sent before they left
		kim.get("/web/chat/" + g.ChatGroupID + "/messages").wantDetail(http.StatusForbidden)
		ben.get(groupPath(g.ChatGroupID)).want(http.StatusOK).decode(&got)
		if len(got.Members) != 2 {
			t.Fatalf("after two left: %+v", got)
		}
	})
}
