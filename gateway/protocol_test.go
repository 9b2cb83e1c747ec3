package gateway

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeFrame(t *testing.T) {
	const gid = "7c0b2c9e-4d0e-4f6e-9a8e-1f2b3c4d5e6f"
	tests := []struct {
		name    string
		in      string
		wantErr string // the error kind, "" for success
		wantID  string
	}{
		{"ping", `{"type":"ping"}`, "", ""},
		{"send", `{"type":"chat.send","id":"a1","chatGroupId":"` + gid + `","content":"hi"}`, "", "a1"},
		{"numeric id", `{"type":"chat.send","id":7,"chatGroupId":"` + gid + `","content":"hi"}`, "", "7"},
		{"float id", `{"type":"chat.send","id":7.5,"chatGroupId":"` + gid + `","content":"hi"}`, "invalid", ""},
		{"long id", `{"type":"chat.send","id":"` + strings.Repeat("i", 65) + `"}`, "invalid", ""},
		{"typing", `{"type":"chat.typing","chatGroupId":"` + gid + `"}`, "", ""},
		{"read", `{"type":"chat.read","chatGroupId":"` + gid + `","seq":3}`, "", ""},
		{"read seq 0", `{"type":"chat.read","chatGroupId":"` + gid + `","seq":0}`, "invalid", ""},
		{"resume", `{"type":"resume","chats":{"` + gid + `":0}}`, "", ""},
		{"resume bad id", `{"type":"resume","chats":{"x":0}}`, "invalid", ""},
		{"resume negative", `{"type":"resume","chats":{"` + gid + `":-1}}`, "invalid", ""},
		{"unknown", `{"type":"nope","id":"z"}`, "invalid", "z"},
		{"trailing data", `{"type":"ping"} {}`, "invalid", ""},
		{"array", `[]`, "invalid", ""},
		{"empty", ``, "invalid", ""},
		{"content too long", `{"type":"chat.send","id":"1","chatGroupId":"` + gid + `","content":"` + strings.Repeat("a", 5000) + `"}`, "invalid", "1"},
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
// panic; accepted frames satisfy the invariants handle relies on.
func FuzzDecodeFrame(f *testing.F) {
	for _, s := range []string{
		`{"type":"ping"}`,
		`{"type":"chat.send","id":"a","chatGroupId":"7c0b2c9e-4d0e-4f6e-9a8e-1f2b3c4d5e6f","content":"x"}`,
		`{"type":"resume","chats":{"7c0b2c9e-4d0e-4f6e-9a8e-1f2b3c4d5e6f":2}}`,
		`{"type":"chat.read","chatGroupId":"7c0b2c9e-4d0e-4f6e-9a8e-1f2b3c4d5e6f","seq":1}`,
		"\xff", `{"id":1e400}`, `{"type":"chat.send","id":-0}`,
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
		if len(fr.clientID) > maxClientIDLen {
			t.Fatalf("accepted id of %d bytes", len(fr.clientID))
		}
		if fr.Type == typeSend && (fr.clientID == "" || fr.Content == "") {
			t.Fatalf("accepted chat.send without id or content: %q", b)
		}
	})
}
