package actors

import (
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"
	"google.golang.org/protobuf/proto"
)

// TestWireMessagesSerialize round-trips every message that crosses nodes
// through the remote serializer: a type that is not protobuf would only
// fail between nodes. (The two-node end-to-end tests exercise them live.)
func TestWireMessagesSerialize(t *testing.T) {
	pid := actor.NewPID("127.0.0.1:1234", "gateway")
	msgs := []proto.Message{
		&Connect{Gateway: pid, ConnId: "c", SessionId: "s"},
		&Disconnect{ConnId: "c"},
		&EndSession{SessionId: "s"},
		&CloseConnection{Reason: CloseReason_LOGGED_OUT, ConnId: "c"},
		&Hello{PrivateChats: []*PrivateChat{{ChatGroupId: "g", ProfileId: "p", Username: "u"}}, OnlineFriends: []string{"p"}, Grain: pid},
		&Push{Event: &Push_Message{Message: &ChatMessage{Id: "m", Seq: 3, ChatGroupId: "g"}}, OriginConns: []string{"c"}, ConnIds: []string{"c", "d"}},
		&Push{Event: &Push_Typing{Typing: &TypingEvent{ChatGroupId: "g", ProfileId: "p", Username: "u"}}},
		&Push{Event: &Push_Presence{Presence: &PresenceChanged{ProfileId: "p", Online: true}}},
		&Push{Event: &Push_Notification{Notification: &NotificationPush{Notification: []byte(`{}`), UnreadCount: 2}}},
		&Push{Event: &Push_FriendAdded{FriendAdded: &PrivateChat{ChatGroupId: "g"}}},
		&Push{Event: &Push_FriendRemoved{FriendRemoved: &FriendRemoved{ProfileId: "p"}}},
		&Deliver{Push: &Push{Event: &Push_Presence{Presence: &PresenceChanged{ProfileId: "p"}}}},
		&PresenceChanged{ProfileId: "p", Online: true},
		&NotificationCreated{Notification: []byte(`{}`)},
		&FriendAdded{Chat: &PrivateChat{ChatGroupId: "g"}},
		&FriendRemoved{ProfileId: "p"},
		&SendMessage{FromProfileId: "p", ClientId: "1", Content: "hi", OriginConn: "c"},
		&GroupChanged{},
		&MessageAck{Message: &ChatMessage{Id: "m", Seq: 1}},
		&Typing{ProfileId: "p", Username: "u"},
		&MarkRead{ProfileId: "p", Seq: 2},
		&Ack{ErrorKind: "forbidden"},
	}
	for _, m := range msgs {
		b, typeName, err := remote.Serialize(m, 0)
		if err != nil {
			t.Fatalf("serialize %T: %v", m, err)
		}
		back, err := remote.Deserialize(b, typeName, 0)
		if err != nil {
			t.Fatalf("deserialize %T: %v", m, err)
		}
		if !proto.Equal(m, back.(proto.Message)) {
			t.Errorf("%T: got %v back, want %v", m, back, m)
		}
	}
}
