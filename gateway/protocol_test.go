package gateway

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/bunnybook/bunnybook/jsoncheck/jsonchecktest"
)

func TestDecodeFrame(t *testing.T) {
	const gid = "7c0b2c9e-4d0e-4f6e-9a8e-1f2b3c4d5e6f"
	tests := []struct {
		name    string
		in      string
		wantErr string // the error kind, "" for success
		wantID  string
		check   func(*clientFrame) bool // more to check on success
	}{
		{"ping", `{"type":"ping"}`, "", "", nil},
		{"send", `{"type":"chat.send","id":"a1","chatGroupId":"` + gid + `","content":"hi"}`, "", "a1", nil},
		{"numeric id", `{"type":"chat.send","id":7,"chatGroupId":"` + gid + `","content":"hi"}`, "", "7", nil},
		{"float id", `{"type":"chat.send","id":7.5,"chatGroupId":"` + gid + `","content":"hi"}`, "invalid", "", nil},
		{"long id", `{"type":"chat.send","id":"` + strings.Repeat("i", 65) + `"}`, "invalid", "", nil},
		{"typing", `{"type":"chat.typing","chatGroupId":"` + gid + `"}`, "", "", nil},
		{"read", `{"type":"chat.read","chatGroupId":"` + gid + `","seq":3}`, "", "", nil},
		{"read seq 0", `{"type":"chat.read","chatGroupId":"` + gid + `","seq":0}`, "invalid", "", nil},
		{"resume", `{"type":"resume","chats":{"` + gid + `":0}}`, "", "", nil},
		{"resume bad id", `{"type":"resume","chats":{"x":0}}`, "invalid", "", nil},
		{"resume negative", `{"type":"resume","chats":{"` + gid + `":-1}}`, "invalid", "", nil},
		{"unknown", `{"type":"nope","id":"z"}`, "invalid", "z", nil},
		{"trailing data", `{"type":"ping"} {}`, "invalid", "", nil},
		{"array", `[]`, "invalid", "", nil},
		{"empty", ``, "invalid", "", nil},
		{"content too long", `{"type":"chat.send","id":"1","chatGroupId":"` + gid + `","content":"` + strings.Repeat("a", 5000) + `"}`, "invalid", "1", nil},
		{"trailing brace", `{"type":"ping"}}`, "invalid", "", nil},
		{"trailing bracket", `{"type":"ping"}]`, "invalid", "", nil},
		{"duplicate type", `{"type":"ping","type":"chat.typing","chatGroupId":"` + gid + `"}`, "invalid", "", nil},
		{"duplicate resume chat", `{"type":"resume","chats":{"` + gid + `":0,"` + gid + `":5}}`, "invalid", "", nil},
		{"lone surrogate", `{"type":"chat.send","id":"1","chatGroupId":"` + gid + `","content":"\ud800"}`, "invalid", "", nil},
		{"upper-case group id", `{"type":"chat.send","id":"1","chatGroupId":"` + strings.ToUpper(gid) + `","content":"hi"}`, "", "1",
			func(f *clientFrame) bool { return f.ChatGroupID == gid }},
		{"upper-case read", `{"type":"chat.read","chatGroupId":"` + strings.ToUpper(gid) + `","seq":1}`, "", "",
			func(f *clientFrame) bool { return f.ChatGroupID == gid }},
		{"upper-case resume", `{"type":"resume","chats":{"` + strings.ToUpper(gid) + `":3}}`, "", "",
			func(f *clientFrame) bool { return len(f.Chats) == 1 && f.Chats[gid] == 3 }},
		{"resume names a chat twice", `{"type":"resume","chats":{"` + strings.ToUpper(gid) + `":3,"` + gid + `":1}}`, "invalid", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := decodeFrame([]byte(tt.in))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if f.clientID != tt.wantID {
					t.Fatalf("got id %q, want %q", f.clientID, tt.wantID)
				}
				if tt.check != nil && !tt.check(f) {
					t.Fatalf("got %+v", f)
				}
				return
			}
			var fe *frameError
			if !errors.As(err, &fe) || fe.kind != tt.wantErr {
				t.Fatalf("got %v, want a %s frame error", err, tt.wantErr)
			}
			if fe.id != tt.wantID {
				t.Fatalf("error id %q, want %q", fe.id, tt.wantID)
			}
		})
	}
}

// FuzzDecodeFrame: any input yields a valid frame or a frameError, never a
// panic; accepted frames satisfy the invariants handle relies on, and are
// strict JSON (checked here without jsoncheck): valid UTF-8, one value with
// nothing after it, no repeated member names; their ids are lower case.
func FuzzDecodeFrame(f *testing.F) {
	for _, s := range []string{
		`{"type":"ping"}`,
		`{"type":"chat.send","id":"a","chatGroupId":"7c0b2c9e-4d0e-4f6e-9a8e-1f2b3c4d5e6f","content":"x"}`,
		`{"type":"resume","chats":{"7C0B2C9E-4d0e-4f6e-9a8e-1f2b3c4d5e6f":2}}`,
		`{"type":"chat.read","chatGroupId":"7c0b2c9e-4d0e-4f6e-9a8e-1f2b3c4d5e6f","seq":1}`,
		`{"type":"chat.react","chatGroupId":"7c0b2c9e-4d0e-4f6e-9a8e-1f2b3c4d5e6f","messageId":"7C0B2C9E-4d0e-4f6e-9a8e-1f2b3c4d5e6f","emoji":"🐰"}`,
		"\xff", `{"id":1e400}`, `{"type":"chat.send","id":-0}`,
		`{"type":"ping"}}`, `{"type":"ping","type":"ping"}`, `{"type":"ping","x":"\udc00"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := decodeFrame(b)
		if err != nil {
			var fe *frameError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T is not a frameError", err)
			}
			return
		}
		if !utf8.Valid(b) || !json.Valid(b) {
			t.Fatalf("accepted a frame that is not one valid JSON value: %q", b)
		}
		if name, dup := jsonchecktest.RepeatedName(b); dup {
			t.Fatalf("accepted a frame that repeats member %q: %q", name, b)
		}
		if len(fr.clientID) > maxClientIDLen {
			t.Fatalf("accepted id of %d bytes", len(fr.clientID))
		}
		if fr.Type == typeSend && (fr.clientID == "" || fr.Content == "") {
			t.Fatalf("accepted chat.send without id or content: %q", b)
		}
		if fr.ChatGroupID != strings.ToLower(fr.ChatGroupID) {
			t.Fatalf("accepted chatGroupId %q not lower-cased", fr.ChatGroupID)
		}
		if fr.Type == typeReact && (fr.MessageID != strings.ToLower(fr.MessageID) || checkEmoji(fr.Emoji) != nil || !norm.NFC.IsNormalString(fr.Emoji)) {
			t.Fatalf("accepted chat.react with messageId %q, emoji %q", fr.MessageID, fr.Emoji)
		}
		for gid := range fr.Chats {
			if gid != strings.ToLower(gid) {
				t.Fatalf("accepted resume chat %q not lower-cased", gid)
			}
		}
	})
}
