package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/asynkron/protoactor-go/cluster/clusterproviders/test"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/client"
	"github.com/bunnybook/bunnybook/persistence/postgres/postgrestest"
	"github.com/bunnybook/bunnybook/persistence/redis/redistest"
)

// onTwoNodes runs test on two cluster members sharing embedded SQLite and
// in-memory presence, then sharing PostgreSQL and Redis.
func onTwoNodes(t *testing.T, fn func(t *testing.T, m1, m2 *Main)) {
	t.Run("sqlite", func(t *testing.T) {
		m1, m2 := twoNodes(t)
		fn(t, m1, m2)
	})
	t.Run("postgres+redis", func(t *testing.T) {
		db, srv, agent := postgrestest.MustOpen(t), redistest.StartServer(t), test.NewInMemAgent()
		shared := func(m *Main) { m.Config.RedisURL, m.Store, m.clusterAgent = srv.URL(), db, agent }
		fn(t, MustRunMain(t, shared), MustRunMain(t, shared))
	})
}

type seenFrame struct {
	ChatGroupID string `json:"chatGroupId"`
	ProfileID   string `json:"profileId"`
	Seq         int64  `json:"seq"`
}

type reactionFrame struct {
	ChatGroupID string `json:"chatGroupId"`
	MessageID   string `json:"messageId"`
	ProfileID   string `json:"profileId"`
	Emoji       string `json:"emoji"`
	On          bool   `json:"on"`
}

// mustSend sends a chat message from c and returns it as acknowledged.
func mustSend(t *testing.T, c *client.Conn, group, id, content string) bunnybook.ChatMessage {
	t.Helper()
	c.Send(map[string]any{"type": "chat.send", "id": id, "chatGroupId": group, "content": content})
	var ack messageFrame
	mustFrame(t, c, "chat.ack", &ack)
	return ack.Message
}

// wantError waits for an error frame with that code.
func wantError(t *testing.T, c *client.Conn, what, code string) {
	t.Helper()
	f, err := c.AwaitType(wait, "error")
	if err != nil || !bytes.Contains(f.Raw, []byte(`"code":"`+code+`"`)) {
		t.Errorf("%s: got %s, %v; want error code %s", what, f.Raw, err, code)
	}
}

// TestReadReceipts: when b's read pointer moves, every connection of the
// chat's members hears chat.seen, across nodes (b's own other tab too); a
// read at or below the pointer sends nothing.
func TestReadReceipts(t *testing.T) { onTwoNodes(t, testReadReceipts) }

func testReadReceipts(t *testing.T, m1, m2 *Main) {
	_, b, ca, cb, group := chatPair(t, m1.URL(), m2.URL())
	cb2, _ := MustDial(t, m1.URL(), b) // b's second tab, on the other node
	mustSend(t, ca, group, "1", "one")
	mustSend(t, ca, group, "2", "two")
	mustSend(t, ca, group, "3", "three")

	read := func(seq int64) { cb.Send(map[string]any{"type": "chat.read", "chatGroupId": group, "seq": seq}) }
	wantSeen := func(c *client.Conn, who string, seq int64) {
		t.Helper()
		var f seenFrame
		mustFrame(t, c, "chat.seen", &f)
		if f != (seenFrame{group, b.Profile.ID, seq}) {
			t.Fatalf("%s got %+v, want b seen up to %d", who, f, seq)
		}
	}
	read(1)
	for _, c := range []*client.Conn{ca, cb, cb2} {
		wantSeen(c, "connection", 1)
	}
	// Not moved (the same seq, then a lower one): no frame. The next one
	// each connection gets is the move to 3, which the grain pushes
	// after anything it would have pushed for those.
	read(1)
	read(3)
	read(2)
	read(3)
	wantSeen(ca, "a", 3)
	wantSeen(cb2, "b's other tab", 3)
	ca.Send(map[string]any{"type": "ping"})
	f, err := ca.Read(wait)
	for err == nil && f.Type != "pong" {
		if f.Type == "chat.seen" {
			t.Fatalf("a got %s for a read that did not move the pointer", f.Raw)
		}
		f, err = ca.Read(wait)
	}
	if err != nil {
		t.Fatalf("a: %v", err)
	}
}

// TestReactions: a toggle reaches every member's connections (the
// reacter's own as its confirmation), across nodes, and history carries
// the reactions.
func TestReactions(t *testing.T) { onTwoNodes(t, testReactions) }

func testReactions(t *testing.T, m1, m2 *Main) {
	a, b, ca, cb, group := chatPair(t, m1.URL(), m2.URL())
	msg := mustSend(t, ca, group, "1", "carrots?")
	react := func(c *client.Conn, emoji string) {
		c.Send(map[string]any{"type": "chat.react", "chatGroupId": group, "messageId": msg.ID, "emoji": emoji})
	}
	wantReaction := func(c *client.Conn, who string, from *client.Client, emoji string, on bool) {
		t.Helper()
		var f reactionFrame
		mustFrame(t, c, "chat.reaction", &f)
		if want := (reactionFrame{group, msg.ID, from.Profile.ID, emoji, on}); f != want {
			t.Fatalf("%s got %+v, want %+v", who, f, want)
		}
	}

	cb2, _ := MustDial(t, m1.URL(), b) // b's other tab, on the other node
	react(cb, "🐰")
	wantReaction(ca, "a", b, "🐰", true)
	wantReaction(cb, "b (confirmation)", b, "🐰", true)
	wantReaction(cb2, "b's other tab", b, "🐰", true)
	react(ca, "👍🏽")
	wantReaction(ca, "a", a, "👍🏽", true)
	wantReaction(cb, "b", a, "👍🏽", true)
	react(ca, "🐰")
	wantReaction(ca, "a (confirmation)", a, "🐰", true)
	wantReaction(cb, "b", a, "🐰", true)
	wantHistoryReactions(t, a, group, msg.ID, bunnybook.Reactions{"🐰": {b.Profile.ID, a.Profile.ID}, "👍🏽": {a.Profile.ID}})

	react(cb, "🐰") // off again
	wantReaction(ca, "a", b, "🐰", false)
	wantHistoryReactions(t, b, group, msg.ID, bunnybook.Reactions{"🐰": {a.Profile.ID}, "👍🏽": {a.Profile.ID}})
}

// wantHistoryReactions checks a message's reactions in REST history.
func wantHistoryReactions(t *testing.T, c *client.Client, group, msgID string, want bunnybook.Reactions) {
	t.Helper()
	var raw []map[string]any
	if err := c.Do(context.Background(), "GET", "/web/chat/"+group+"/messages", nil, &raw); err != nil {
		t.Fatal(err)
	}
	for _, m := range raw {
		if _, ok := m["reactions"]; !ok {
			t.Errorf("history message %v has no reactions", m["id"])
		}
	}
	history, err := c.ChatMessages(context.Background(), group, 20)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(history, func(m bunnybook.ChatMessage) bool { return m.ID == msgID })
	if i < 0 {
		t.Fatalf("message %s not in history", msgID)
	}
	if got := fmt.Sprint(history[i].Reactions); got != fmt.Sprint(want) {
		t.Fatalf("history reactions = %s, want %s", got, fmt.Sprint(want))
	}
}

// TestReactionRefusals: too many distinct emoji, bad fields, unknown and
// foreign messages, non-members and closed chats are refused with a clear
// error frame, and change nothing.
func TestReactionRefusals(t *testing.T) {
	m := MustRunMain(t, nil)
	a, b, ca, _, group := chatPair(t, m.URL(), m.URL())
	msg := mustSend(t, ca, group, "1", "react to me")
	frame := func(group, msgID, emoji string) map[string]any {
		return map[string]any{"type": "chat.react", "id": "r", "chatGroupId": group, "messageId": msgID, "emoji": emoji}
	}

	// At most 8 distinct emoji: the 9th is refused, toggling one off works.
	emoji := []string{"😀", "😂", "😍", "🥕", "🐰", "👍", "🎉", "❤️", "🔥"}
	for _, e := range emoji[:8] {
		ca.Send(frame(group, msg.ID, e))
		mustFrame(t, ca, "chat.reaction", new(reactionFrame))
	}
	ca.Send(frame(group, msg.ID, emoji[8]))
	wantError(t, ca, "a 9th distinct emoji", "invalid")
	ca.Send(frame(group, msg.ID, emoji[0]))
	var off reactionFrame
	mustFrame(t, ca, "chat.reaction", &off)
	if off.On || off.Emoji != emoji[0] {
		t.Fatalf("toggle off at the limit: got %+v", off)
	}

	// Bad fields.
	for _, tc := range []struct{ name, frame string }{
		{"bad message id", `{"type":"chat.react","chatGroupId":"` + group + `","messageId":"x","emoji":"🐰"}`},
		{"no message id", `{"type":"chat.react","chatGroupId":"` + group + `","emoji":"🐰"}`},
		{"bad group id", `{"type":"chat.react","chatGroupId":"x","messageId":"` + msg.ID + `","emoji":"🐰"}`},
		{"no emoji", `{"type":"chat.react","chatGroupId":"` + group + `","messageId":"` + msg.ID + `"}`},
		{"two graphemes", `{"type":"chat.react","chatGroupId":"` + group + `","messageId":"` + msg.ID + `","emoji":"🐰🐰"}`},
		{"blank", `{"type":"chat.react","chatGroupId":"` + group + `","messageId":"` + msg.ID + `","emoji":" "}`},
		{"control", `{"type":"chat.react","chatGroupId":"` + group + `","messageId":"` + msg.ID + `","emoji":"\u0007"}`},
		{"over 16 bytes", `{"type":"chat.react","chatGroupId":"` + group + `","messageId":"` + msg.ID + `","emoji":"👨‍👩‍👧‍👦"}`},
		{"emoji not a string", `{"type":"chat.react","chatGroupId":"` + group + `","messageId":"` + msg.ID + `","emoji":1}`},
	} {
		ca.SendRaw([]byte(tc.frame))
		wantError(t, ca, tc.name, "invalid")
	}

	// A message of another conversation, or none: not_found, and the other
	// conversation's message stays without reactions.
	c := MustUser(t, m.URL())
	MustBefriend(t, a, c)
	cc, hc := MustDial(t, m.URL(), c)
	other := hc.PrivateChats[0].ChatGroupID
	foreign := mustSend(t, cc, other, "1", "not yours")
	ca.Send(frame(group, foreign.ID, "🐰"))
	wantError(t, ca, "a message of another conversation", "not_found")
	ca.Send(frame(group, bunnybook.NewID(), "🐰"))
	wantError(t, ca, "an unknown message", "not_found")
	wantHistoryReactions(t, c, other, foreign.ID, bunnybook.Reactions{})

	// Not a member, unknown chat, closed chat.
	eve := MustUser(t, m.URL())
	ce, _ := MustDial(t, m.URL(), eve)
	ce.Send(frame(group, msg.ID, "🐰"))
	wantError(t, ce, "a non-member", "forbidden")
	ca.Send(frame(bunnybook.NewID(), msg.ID, "🐰"))
	wantError(t, ca, "an unknown chat", "not_found")
	if err := b.Unfriend(context.Background(), a.Profile.ID); err != nil {
		t.Fatal(err)
	}
	ca.AwaitType(wait, "friend.removed")
	ca.Send(frame(group, msg.ID, emoji[1]))
	wantError(t, ca, "a closed chat", "forbidden")
	wantHistoryReactions(t, a, group, msg.ID, bunnybook.Reactions{
		"😂": {a.Profile.ID}, "😍": {a.Profile.ID}, "🥕": {a.Profile.ID}, "🐰": {a.Profile.ID},
		"👍": {a.Profile.ID}, "🎉": {a.Profile.ID}, "❤️": {a.Profile.ID}})
}
