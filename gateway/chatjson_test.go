package gateway

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/bunnybook/bunnybook"
)

func TestChatFramesMatchEncodingJSON(t *testing.T) {
	contents := []string{
		"", "hello", `quote " backslash \ slash /`, "<b>&amp;</b>", "tab\tnew\nline\rcr\bbs\fff",
		"\x00\x01\x1f\x7f", "emoji 🐰 and é", "line\u2028para\u2029", "bad \xff utf-8 \xc3", "日本語",
	}
	for _, content := range contents {
		m := bunnybook.ChatMessage{ID: bunnybook.NewID(), Seq: 42, CreatedAt: bunnybook.Now(), FromProfileID: bunnybook.NewID(),
			ChatGroupID: bunnybook.NewID(), Content: content, ClientID: "c-1"}
		if got, want := chatMessage(m), mustJSON(chatMessageFrame{"chat.message", m}); !bytes.Equal(got, want) {
			t.Errorf("chat.message of %q:\n got %s\nwant %s", content, got, want)
		}
		for _, id := range []string{"1", content} {
			if got, want := ackFrameOf(id, m), mustJSON(ackFrame{Type: "chat.ack", ID: id, Message: m}); !bytes.Equal(got, want) {
				t.Errorf("chat.ack %q of %q:\n got %s\nwant %s", id, content, got, want)
			}
		}
	}
	m := bunnybook.ChatMessage{ID: "x", Seq: 1, Reactions: bunnybook.Reactions{}}
	if got, want := chatMessage(m), mustJSON(chatMessageFrame{"chat.message", m}); !bytes.Equal(got, want) {
		t.Errorf("chat.message with reactions:\n got %s\nwant %s", got, want)
	}
	if !json.Valid(chatMessage(bunnybook.ChatMessage{Content: "\xff"})) {
		t.Error("chat.message of invalid UTF-8 is not valid JSON")
	}
}

var benchMessage = bunnybook.ChatMessage{ID: bunnybook.NewID(), Seq: 1234, CreatedAt: bunnybook.Now(), FromProfileID: bunnybook.NewID(),
	ChatGroupID: bunnybook.NewID(), Content: "bl|lx3k2|1042|17|1733140000000000000"}

// BenchmarkChatMessageFrame encodes a pushed message, by hand and with
// encoding/json.
func BenchmarkChatMessageFrame(b *testing.B) {
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			chatMessage(benchMessage)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			mustJSON(chatMessageFrame{"chat.message", benchMessage})
		}
	})
}
