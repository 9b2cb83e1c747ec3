package gateway

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/rivo/uniseg"
	"golang.org/x/text/unicode/norm"

	"github.com/bunnybook/bunnybook"
)

// decodeReact checks a chat.react frame's fields, lower-cases its ids and
// puts its emoji in NFC, so that one character is one reaction however the
// client composed it (é as one code point or as e and an accent).
func decodeReact(f *clientFrame) error {
	var err error
	if f.ChatGroupID, err = bunnybook.ParseID("chatGroupId", f.ChatGroupID); err != nil {
		return errors.New("chatGroupId must be a UUID")
	}
	if f.MessageID, err = bunnybook.ParseID("messageId", f.MessageID); err != nil {
		return errors.New("messageId must be a UUID")
	}
	f.Emoji = norm.NFC.String(f.Emoji)
	return checkEmoji(f.Emoji)
}

// checkEmoji accepts one grapheme cluster (what a reader sees as one
// character: an emoji with its skin tone, a flag, a ZWJ family) of at most
// bunnybook.ReactionEmojiMax bytes, neither blank nor a control character.
// It is not restricted to emoji: any one visible character is a reaction.
func checkEmoji(s string) error {
	switch {
	case len(s) > bunnybook.ReactionEmojiMax:
		return fmt.Errorf("emoji must be at most %d bytes", bunnybook.ReactionEmojiMax)
	case strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) }) == "":
		return errors.New("emoji must not be blank")
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return errors.New("emoji must not hold control characters")
	case uniseg.GraphemeClusterCount(s) != 1:
		return errors.New("emoji must be exactly one character (grapheme cluster)")
	}
	return nil
}

type reactionFrame struct {
	Type        string `json:"type"` // "chat.reaction"
	ChatGroupID string `json:"chatGroupId"`
	MessageID   string `json:"messageId"`
	ProfileID   string `json:"profileId"`
	Emoji       string `json:"emoji"`
	On          bool   `json:"on"`
}

type seenFrame struct {
	Type        string `json:"type"` // "chat.seen"
	ChatGroupID string `json:"chatGroupId"`
	ProfileID   string `json:"profileId"`
	Seq         int64  `json:"seq"`
}
