package gateway

import (
	"encoding/json"
	"testing"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/actors"
)

func groupPush(kind actors.GroupEventKind) *actors.Push {
	return &actors.Push{Event: &actors.Push_Group{Group: &actors.GroupEvent{Kind: kind, ChatGroupId: group, Name: "Burrow",
		Members: []*actors.GroupMember{{ProfileId: ben.ID, Username: ben.Username}}}}}
}

// TestGroupFrames: hello lists the group chats; group events become
// group.added, group.updated and group.removed frames.
func TestGroupFrames(t *testing.T) {
	h := newHarness(t, Config{})
	h.grains.connect = func(*actors.Connect) (*actors.Hello, error) {
		return &actors.Hello{Grain: h.grains.grain,
			GroupChats: []*actors.GroupChatInfo{{ChatGroupId: group, Name: "Burrow", MemberIds: []string{ben.ID}}}}, nil
	}
	c := h.dial()
	id := h.connID(0)
	var hello helloFrame
	if err := json.Unmarshal(read(t, c).body, &hello); err != nil || len(hello.GroupChats) != 1 ||
		hello.GroupChats[0].ChatGroupID != group || hello.GroupChats[0].Name != "Burrow" || len(hello.GroupChats[0].MemberIDs) != 1 {
		t.Fatalf("hello group chats: %+v, %v", hello.GroupChats, err)
	}
	for kind, want := range map[actors.GroupEventKind]string{
		actors.GroupEventKind_GROUP_ADDED:   `{"type":"group.added","chatGroupId":"` + group + `","name":"Burrow","members":[{"profileId":"` + ben.ID + `","username":"ben"}]}`,
		actors.GroupEventKind_GROUP_UPDATED: `{"type":"group.updated","chatGroupId":"` + group + `","name":"Burrow","members":[{"profileId":"` + ben.ID + `","username":"ben"}]}`,
		actors.GroupEventKind_GROUP_REMOVED: `{"type":"group.removed","chatGroupId":"` + group + `"}`,
	} {
		h.push(groupPush(kind), id)
		if got := string(read(t, c).body); got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}

// TestLeftGroupIsNotCaughtUp: after group.removed, a re-attach does not
// replay the group's newer messages (the gateway forgets the chat).
func TestLeftGroupIsNotCaughtUp(t *testing.T) {
	h := newHarness(t, Config{})
	c := h.dial()
	id := h.connID(0)
	read(t, c) // hello
	h.push(messagePush(1, "ann"), id)
	read(t, c)
	h.push(groupPush(actors.GroupEventKind_GROUP_REMOVED), id)
	if f := read(t, c); f.typ() != "group.removed" {
		t.Fatalf("got %s, want group.removed", f.body)
	}
	for seq := int64(1); seq <= 3; seq++ {
		h.history.msgs = append(h.history.msgs, bunnybook.ChatMessage{ID: bunnybook.NewID(), Seq: seq, ChatGroupID: group, Content: "after"})
	}
	old := h.grains.grain
	h.grains.replaceGrain(h.s.system.Root.Spawn(actor.PropsFromFunc(func(actor.Context) {})))
	h.stopGrain(old)
	if f := read(t, c); f.typ() != "hello" {
		t.Fatalf("got %s, want a new hello", f.body)
	}
	send(t, c, map[string]string{"type": "ping"})
	if f := read(t, c); f.typ() != "pong" {
		t.Fatalf("got %s, want only pong (nothing of the group left)", f.body)
	}
}
