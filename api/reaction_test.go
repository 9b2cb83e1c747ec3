package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/bunnybook/bunnybook"
)

// TestChatHistoryReactions: history messages always carry reactions ({}
// when none), each emoji with its reacters in the order they reacted.
func TestChatHistoryReactions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		ben, daisy := registerAndLogin(t, srv), registerAndLogin(t, srv)
		becomeFriends(t, ben, daisy)
		ctx := context.Background()
		chats, err := srv.store.PrivateChats(ctx, ben.ID)
		if err != nil || len(chats) != 1 {
			t.Fatalf("private chats of ben: %v, %v", chats, err)
		}
		group := chats[0].ChatGroupID
		// Messages and reactions arrive over the websocket; here they go
		// straight to the store.
		now := bunnybook.Now()
		m1 := bunnybook.ChatMessage{ID: newID(), Seq: 1, CreatedAt: now, FromProfileID: ben.ID, ChatGroupID: group, Content: "carrots?", ClientID: newID()}
		m2 := bunnybook.ChatMessage{ID: newID(), Seq: 2, CreatedAt: now, FromProfileID: daisy.ID, ChatGroupID: group, Content: "yes", ClientID: newID()}
		if err := srv.store.AppendMessages(ctx, []bunnybook.ChatMessage{m1, m2}); err != nil {
			t.Fatal(err)
		}
		for i, r := range []struct{ who, emoji string }{{daisy.ID, "🥕"}, {ben.ID, "🥕"}, {ben.ID, "🐰"}} {
			if _, err := srv.store.ToggleReaction(ctx, group, m1.ID, r.who, r.emoji, bunnybook.UnixMilli(now.UnixMilli()+int64(i))); err != nil {
				t.Fatal(err)
			}
		}

		var got []map[string]json.RawMessage
		daisy.get("/web/chat/" + group + "/messages").want(http.StatusOK).decode(&got)
		want := map[string]string{
			m1.ID: `{"🐰":["` + ben.ID + `"],"🥕":["` + daisy.ID + `","` + ben.ID + `"]}`,
			m2.ID: `{}`,
		}
		if len(got) != 2 {
			t.Fatalf("got %d messages, want 2", len(got))
		}
		for _, m := range got {
			var id string
			json.Unmarshal(m["id"], &id)
			if string(m["reactions"]) != want[id] {
				t.Errorf("message %s: reactions %s, want %s", id, m["reactions"], want[id])
			}
		}
	})
}
