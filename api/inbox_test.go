package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/bunnybook/bunnybook"
)

type notification struct {
	ID        string `json:"id"`
	CreatedAt string `json:"createdAt"`
	ProfileID string `json:"profileId"`
	Data      struct {
		Event   string            `json:"event"`
		Payload map[string]string `json:"payload"`
	} `json:"data"`
	Read    bool `json:"read"`
	Visited bool `json:"visited"`
}

func (c *client) notifications(query string) []notification {
	c.t.Helper()
	var ns []notification
	c.get(c.path("/notifications" + query)).want(http.StatusOK).decode(&ns)
	return ns
}

func TestNotifications(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		ben, daisy := registerAndLogin(t, srv), registerAndLogin(t, srv)
		becomeFriends(t, ben, daisy)                                                            // ben: NEW_FRIENDSHIP_REQUEST; daisy: NEW_FRIEND
		p := daisy.createPost(ben.ID, "", "a post on ben's wall that is long enough to be cut") // ben: NEW_POST_ON_WALL

		notes := ben.notifications("")
		if len(notes) != 2 {
			t.Fatalf("got %d notifications, want 2: %+v", len(notes), notes)
		}
		wall, req := notes[0], notes[1]
		if wall.Data.Event != bunnybook.EventNewPostOnWall || wall.ProfileID != ben.ID || wall.Read || wall.Visited ||
			wall.Data.Payload["postId"] != p.ID || wall.Data.Payload["byUsername"] != daisy.Username ||
			wall.Data.Payload["postPreview"] != "a post on ben's wall that is lon..." {
			t.Errorf("newest: got %+v", wall)
		}
		if req.Data.Event != bunnybook.EventNewFriendshipRequest || req.Data.Payload["byId"] != daisy.ID {
			t.Errorf("oldest: got %+v", req)
		}
		if got := ben.notifications("?limit=1"); len(got) != 1 || got[0].ID != wall.ID {
			t.Errorf("limit=1: got %+v", got)
		}
		if got := ben.notifications("?limit=5&older_than=" + wall.CreatedAt + "&before_id=" + wall.ID); len(got) != 1 || got[0].ID != req.ID {
			t.Errorf("after the newest: got %+v", got)
		}

		// PATCH: body = ids, flags in the query.
		var marked []notification
		ben.patch(ben.path("/notifications?read=true"), []string{wall.ID, req.ID}).want(http.StatusOK).decode(&marked)
		if len(marked) != 2 || !marked[0].Read || !marked[1].Read || marked[0].Visited || marked[1].Visited {
			t.Errorf("read=true: got %+v", marked)
		}
		ben.patch(ben.path("/notifications?visited=1&read=false"), []string{wall.ID}).want(http.StatusOK).decode(&marked)
		if len(marked) != 1 || marked[0].Read || !marked[0].Visited {
			t.Errorf("visited=1&read=false: got %+v", marked)
		}

		// Ownership: anonymous 401, another user 403 (the original had no check at all).
		daisyNote := daisy.notifications("")[0]
		anon := srv.anonymous(t)
		anon.get(ben.path("/notifications")).wantDetail(http.StatusUnauthorized)
		anon.patch(ben.path("/notifications?read=true"), []string{wall.ID}).wantDetail(http.StatusUnauthorized)
		daisy.get(ben.path("/notifications")).wantDetail(http.StatusForbidden)
		daisy.patch(ben.path("/notifications?read=true"), []string{wall.ID}).wantDetail(http.StatusForbidden)
		ben.patch(ben.path("/notifications?read=true"), []string{daisyNote.ID}).wantDetail(http.StatusForbidden) // her id, his path
		ben.patch(ben.path("/notifications?read=true"), []string{newID()}).wantDetail(http.StatusNotFound)

		bad := []struct {
			query string
			body  any
			loc   []any
		}{
			{"", []string{wall.ID}, []any{"query", "read"}},
			{"?read=maybe", []string{wall.ID}, []any{"query", "read"}},
			{"?read=true", []string{}, []any{"body"}},
			{"?read=true", []string{"nope"}, []any{"body", 0}},
			{"?read=true", map[string]any{"ids": []string{wall.ID}}, []any{"body"}},
			{"?read=true", `["` + wall.ID + `"] []`, []any{"body"}},
			{"?read=true", nil, []any{"body"}},
		}
		for _, b := range bad {
			ben.patch(ben.path("/notifications"+b.query), b.body).want422(b.loc...)
		}
		ben.get(ben.path("/notifications?limit=21")).want422("query", "limit")
	})
}

func TestChatHistory(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		ben, daisy, sumba := registerAndLogin(t, srv), registerAndLogin(t, srv), registerAndLogin(t, srv)
		becomeFriends(t, ben, daisy)
		ctx := context.Background()
		chats, err := srv.store.PrivateChats(ctx, ben.ID)
		if err != nil || len(chats) != 1 {
			t.Fatalf("private chats of ben: %v, %v", chats, err)
		}
		group := chats[0].ChatGroupID
		// Messages arrive over the websocket; here they go straight to the store.
		var msgs []bunnybook.ChatMessage
		base := bunnybook.Now().UnixMilli()
		for i := range 3 {
			from := []string{ben.ID, daisy.ID}[i%2]
			msgs = append(msgs, bunnybook.ChatMessage{ID: newID(), Seq: int64(i + 1), CreatedAt: bunnybook.UnixMilli(base + int64(i)),
				FromProfileID: from, ChatGroupID: group, Content: fmt.Sprint("m", i), ClientID: newID()})
		}
		if err := srv.store.AppendMessages(ctx, msgs); err != nil {
			t.Fatal(err)
		}

		type message struct {
			ID, CreatedAt, FromProfileID, ChatGroupID, Content string
			Seq                                                int64
		}
		var got []message
		ben.get("/web/chat/" + group + "/messages").want(http.StatusOK).decode(&got)
		if len(got) != 3 || got[0].Content != "m2" || got[0].Seq != 3 || got[2].Content != "m0" || got[0].ChatGroupID != group {
			t.Errorf("got %+v, want m2, m1, m0", got)
		}
		var page []message
		daisy.get("/web/chat/" + group + "/messages?limit=1&older_than=" + got[0].CreatedAt + "&before_id=" + got[0].ID).
			want(http.StatusOK).decode(&page)
		if len(page) != 1 || page[0].ID != got[1].ID {
			t.Errorf("page after the newest: got %+v, want %s", page, got[1].ID)
		}

		type conversation struct {
			FromProfileID, FromProfileUsername, Content, CreatedAt, ChatGroupID, ChatGroupName string
			ReadAt                                                                             *string
		}
		var convs []conversation
		daisy.get(daisy.path("/conversations")).want(http.StatusOK).decode(&convs)
		if len(convs) != 1 || convs[0].Content != "m2" || convs[0].ChatGroupName != ben.Username || convs[0].FromProfileID != ben.ID {
			t.Errorf("daisy's conversations: got %+v", convs)
		}

		// Only members may read; former friends still may.
		sumba.get("/web/chat/" + group + "/messages").wantDetail(http.StatusForbidden)
		srv.anonymous(t).get("/web/chat/" + group + "/messages").wantDetail(http.StatusUnauthorized)
		ben.get("/web/chat/" + newID() + "/messages").wantDetail(http.StatusNotFound)
		ben.get("/web/chat/42/messages").want422("path", "chat_group_id")
		ben.get("/web/chat/"+group+"/messages?limit=21").want422("query", "limit")
		unfriend(t, ben, daisy)
		daisy.get("/web/chat/" + group + "/messages").want(http.StatusOK)
		daisy.get(daisy.path("/conversations")).want(http.StatusOK).decode(&convs)
		if len(convs) != 0 {
			t.Errorf("conversations of an inactive chat: %+v", convs)
		}
	})
}
