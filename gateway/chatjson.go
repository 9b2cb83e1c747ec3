package gateway

import (
	"strconv"
	"unicode/utf8"

	"github.com/bunnybook/bunnybook"
)

// The chat.message and chat.ack frames are most of what the gateway
// writes; encoding/json's reflection was a tenth of the cost of pushing a
// message. These append exactly the bytes json.Marshal gives for
// chatMessageFrame and ackFrame (protocol_test checks it), for a message
// without reactions (live and acknowledged messages carry none); the
// others go through json.Marshal.

// chatMessage is the chat.message frame of m.
func chatMessage(m bunnybook.ChatMessage) []byte {
	if m.Reactions != nil {
		return mustJSON(chatMessageFrame{"chat.message", m})
	}
	b := make([]byte, 0, 256+len(m.Content))
	b = append(b, `{"type":"chat.message","message":`...)
	b = appendMessage(b, m)
	return append(b, '}')
}

// ackFrameOf is the chat.ack frame of m, sent with the client's id.
func ackFrameOf(id string, m bunnybook.ChatMessage) []byte {
	if m.Reactions != nil {
		return mustJSON(ackFrame{Type: "chat.ack", ID: id, Message: m})
	}
	b := make([]byte, 0, 256+len(id)+len(m.Content))
	b = append(b, `{"type":"chat.ack","id":`...)
	b = appendString(b, id)
	b = append(b, `,"message":`...)
	b = appendMessage(b, m)
	return append(b, '}')
}

// appendMessage appends m (without reactions) as bunnybook.ChatMessage's
// JSON.
func appendMessage(b []byte, m bunnybook.ChatMessage) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, m.ID)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, m.Seq, 10)
	b = append(b, `,"createdAt":"`...)
	b = m.CreatedAt.UTC().AppendFormat(b, bunnybook.TimeLayout)
	b = append(b, `","fromProfileId":`...)
	b = appendString(b, m.FromProfileID)
	b = append(b, `,"chatGroupId":`...)
	b = appendString(b, m.ChatGroupID)
	b = append(b, `,"content":`...)
	b = appendString(b, m.Content)
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string the way encoding/json writes
// it: HTML-safe (<, >, & escaped), U+2028 and U+2029 escaped, invalid
// UTF-8 replaced by U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
