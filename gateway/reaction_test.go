package gateway

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeReact(t *testing.T) {
	const gid, mid = "7c0b2c9e-4d0e-4f6e-9a8e-1f2b3c4d5e6f", "0b8e6c1a-2d3f-4a5b-8c9d-0e1f2a3b4c5d"
	react := func(emoji string) string {
		return `{"type":"chat.react","id":"r","chatGroupId":"` + gid + `","messageId":"` + mid + `","emoji":"` + emoji + `"}`
	}
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"emoji", react("🐰"), true},
		{"skin tone", react("👍🏽"), true},
		{"flag", react("🇫🇷"), true},
		{"variation selector", react("❤️"), true},
		{"ZWJ sequence within 16 bytes", react("🏳️‍🌈"), true},
		{"a letter", react("a"), true},
		{"a letter and a combining accent", react("e\u0301"), true},
		{"upper-case ids", `{"type":"chat.react","chatGroupId":"` + strings.ToUpper(gid) + `","messageId":"` + strings.ToUpper(mid) + `","emoji":"🐰"}`, true},
		{"two emoji", react("🐰🐰"), false},
		{"two letters", react("ab"), false},
		{"over 16 bytes", react("👨‍👩‍👧‍👦"), false},
		{"empty", react(""), false},
		{"space", react(" "), false},
		{"no-break space", react("\u00a0"), false},
		{"zero-width joiner alone", react("\u200d"), false},
		{"control", react(`\u0007`), false},
		{"no emoji", `{"type":"chat.react","chatGroupId":"` + gid + `","messageId":"` + mid + `"}`, false},
		{"no message id", `{"type":"chat.react","chatGroupId":"` + gid + `","emoji":"🐰"}`, false},
		{"bad message id", `{"type":"chat.react","chatGroupId":"` + gid + `","messageId":"42","emoji":"🐰"}`, false},
		{"bad group id", `{"type":"chat.react","chatGroupId":"x","messageId":"` + mid + `","emoji":"🐰"}`, false},
		{"emoji not a string", `{"type":"chat.react","chatGroupId":"` + gid + `","messageId":"` + mid + `","emoji":["🐰"]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := decodeFrame([]byte(tt.in))
			if tt.ok {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if f.ChatGroupID != gid || f.MessageID != mid {
					t.Fatalf("got ids %q, %q; want them lower-cased", f.ChatGroupID, f.MessageID)
				}
				if strings.Contains(tt.in, "\u0301") && f.Emoji != "é" {
					t.Fatalf("got emoji %q, want it composed (NFC)", f.Emoji)
				}
				return
			}
			var fe *frameError
			if !errors.As(err, &fe) || fe.kind != "invalid" {
				t.Fatalf("got %v, want an invalid frame error", err)
			}
		})
	}
}
