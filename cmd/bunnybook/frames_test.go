package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/bunnybook/bunnybook/client"
	"github.com/bunnybook/bunnybook/internal/testwait"
)

// writeRawFrame writes one masked client frame with header h (its Length
// and mask are set here) and payload, as is: no check of what h says.
func writeRawFrame(c *client.Conn, h ws.Header, payload []byte) error {
	h.Masked, h.Mask, h.Length = true, ws.NewMask(), int64(len(payload))
	p := bytes.Clone(payload)
	ws.Cipher(p, h.Mask, 0)
	if err := ws.WriteHeader(c.NetConn(), h); err != nil {
		return err
	}
	_, err := c.NetConn().Write(p)
	return err
}

// closeBody is a close frame payload: code (2 bytes) and reason, unchecked.
func closeBody(code uint16, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, code), reason...)
}

// mustClosedWith waits for the server's close frame and checks its code.
func mustClosedWith(t *testing.T, c *client.Conn, name string, code int) {
	t.Helper()
	_, err := c.Await(wait, func(client.Frame) bool { return false })
	var ce *client.CloseError
	if !errors.As(err, &ce) || ce.Code != code {
		t.Errorf("%s: got %v, want close code %d", name, err, code)
	}
}

// TestFrameRules: RFC 6455 frame rules (§5.2, §5.5, §7.4): control frames
// over 125 bytes or fragmented, reserved bits or opcodes, and close codes
// that may not be sent are protocol errors (1002); a valid close is echoed.
func TestFrameRules(t *testing.T) {
	m := MustRunMain(t, nil)
	u := MustUser(t, m.URL())
	long := bytes.Repeat([]byte("p"), 126)
	cases := []struct {
		name    string
		h       ws.Header
		payload []byte
		code    int
	}{
		{"ping of 126 bytes", ws.Header{Fin: true, OpCode: ws.OpPing}, long, 1002},
		{"pong of 126 bytes", ws.Header{Fin: true, OpCode: ws.OpPong}, long, 1002},
		{"close of 126 bytes", ws.Header{Fin: true, OpCode: ws.OpClose}, append(closeBody(1000, ""), long[:124]...), 1002},
		{"fragmented ping", ws.Header{OpCode: ws.OpPing}, []byte("p"), 1002},
		{"fragmented close", ws.Header{OpCode: ws.OpClose}, closeBody(1000, ""), 1002},
		{"RSV1 on text", ws.Header{Fin: true, Rsv: ws.Rsv(true, false, false), OpCode: ws.OpText}, []byte(`{"type":"ping"}`), 1002},
		{"RSV2 on ping", ws.Header{Fin: true, Rsv: ws.Rsv(false, true, false), OpCode: ws.OpPing}, nil, 1002},
		{"RSV3 on close", ws.Header{Fin: true, Rsv: ws.Rsv(false, false, true), OpCode: ws.OpClose}, closeBody(1000, ""), 1002},
		{"reserved data opcode", ws.Header{Fin: true, OpCode: 0x3}, nil, 1002},
		{"reserved control opcode", ws.Header{Fin: true, OpCode: 0xB}, nil, 1002},
		{"close 999", ws.Header{Fin: true, OpCode: ws.OpClose}, closeBody(999, ""), 1002},
		{"close 1004", ws.Header{Fin: true, OpCode: ws.OpClose}, closeBody(1004, ""), 1002},
		{"close 1005", ws.Header{Fin: true, OpCode: ws.OpClose}, closeBody(1005, ""), 1002},
		{"close 1006", ws.Header{Fin: true, OpCode: ws.OpClose}, closeBody(1006, ""), 1002},
		{"close 1015", ws.Header{Fin: true, OpCode: ws.OpClose}, closeBody(1015, ""), 1002},
		{"close 1016", ws.Header{Fin: true, OpCode: ws.OpClose}, closeBody(1016, ""), 1002},
		{"close 2999", ws.Header{Fin: true, OpCode: ws.OpClose}, closeBody(2999, ""), 1002},
		{"close 5000", ws.Header{Fin: true, OpCode: ws.OpClose}, closeBody(5000, ""), 1002},
		{"close 65535", ws.Header{Fin: true, OpCode: ws.OpClose}, closeBody(65535, ""), 1002},
		{"close with a 1-byte body", ws.Header{Fin: true, OpCode: ws.OpClose}, []byte{0x03}, 1002},
		{"close reason not UTF-8", ws.Header{Fin: true, OpCode: ws.OpClose}, closeBody(1000, "bye \xff"), 1002},
		{"close without a body", ws.Header{Fin: true, OpCode: ws.OpClose}, nil, 1000},
		{"close 1000", ws.Header{Fin: true, OpCode: ws.OpClose}, closeBody(1000, "bye"), 1000},
		{"close 1001", ws.Header{Fin: true, OpCode: ws.OpClose}, closeBody(1001, ""), 1001},
		{"close 1011", ws.Header{Fin: true, OpCode: ws.OpClose}, closeBody(1011, ""), 1011},
		{"close 3000", ws.Header{Fin: true, OpCode: ws.OpClose}, closeBody(3000, ""), 3000},
		{"close 4999", ws.Header{Fin: true, OpCode: ws.OpClose}, closeBody(4999, "ünïcode"), 4999},
		{"ping of 125 bytes", ws.Header{Fin: true, OpCode: ws.OpPing}, long[:125], 0},
	}
	for _, tc := range cases {
		c, _ := MustDial(t, m.URL(), u)
		if err := writeRawFrame(c, tc.h, tc.payload); err != nil {
			t.Fatalf("%s: write: %v", tc.name, err)
		}
		if tc.code != 0 {
			mustClosedWith(t, c, tc.name, tc.code)
			continue
		}
		// Still open: it answers a JSON ping.
		c.Send(map[string]string{"type": "ping"})
		if _, err := c.AwaitType(wait, "pong"); err != nil {
			t.Errorf("%s: %v, want the connection to stay open", tc.name, err)
		}
	}
}

// TestFramePingsCountTowardRate: websocket pings and JSON pings are frames
// like any other: past the rate they go unanswered (JSON pings get
// rate_limited errors) and a flood of them closes the connection (4008).
func TestFramePingsCountTowardRate(t *testing.T) {
	m := MustRunMain(t, nil)
	u := MustUser(t, m.URL())

	c, _ := MustDial(t, m.URL(), u)
	for i := 0; i < 5000; i++ {
		if err := writeRawFrame(c, ws.Header{Fin: true, OpCode: ws.OpPing}, []byte("p")); err != nil {
			break // closed under us: fine
		}
	}
	mustClosedWith(t, c, "5000 websocket pings", 4008)

	// Under the flood limit, JSON pings past the burst get rate_limited.
	c, _ = MustDial(t, m.URL(), u)
	const sent = 60 // burst 40 + 20 over: fewer than the 50 that close
	for i := 0; i < sent; i++ {
		c.SendRaw([]byte(`{"type":"ping"}`))
	}
	pongs, limited := 0, 0
	for pongs+limited < sent {
		f, err := c.Read(wait)
		if err != nil {
			t.Fatalf("after %d pongs and %d rate_limited errors: %v", pongs, limited, err)
		}
		switch {
		case f.Type == "pong":
			pongs++
		case f.Type == "error" && strings.Contains(string(f.Raw), `"code":"rate_limited"`):
			limited++
		}
	}
	if pongs >= sent || limited == 0 {
		t.Errorf("%d JSON pings answered with %d pongs and %d rate_limited errors, want some refused", sent, pongs, limited)
	}
}

// TestFrameIDsCaseNormalised: an upper-case chatGroupId (or resume key)
// reaches the same conversation as its lower-case form, as in REST.
func TestFrameIDsCaseNormalised(t *testing.T) {
	m := MustRunMain(t, nil)
	_, b, ca, cb, group := chatPair(t, m.URL(), m.URL())
	upper := strings.ToUpper(group)

	ca.Send(map[string]any{"type": "chat.send", "id": "u1", "chatGroupId": upper, "content": "shouting"})
	var ack messageFrame
	mustFrame(t, ca, "chat.ack", &ack)
	if ack.Message.ChatGroupID != group || ack.Message.Seq != 1 {
		t.Fatalf("ack %+v, want seq 1 of chat %s", ack.Message, group)
	}
	ca.Send(map[string]any{"type": "chat.send", "id": "l2", "chatGroupId": group, "content": "whispering"})
	mustFrame(t, ca, "chat.ack", &ack)
	if ack.Message.Seq != 2 {
		t.Fatalf("lower-case send got seq %d, want 2 (the same conversation)", ack.Message.Seq)
	}
	for want := int64(1); want <= 2; want++ {
		var f messageFrame
		mustFrame(t, cb, "chat.message", &f)
		if f.Message.Seq != want || f.Message.ChatGroupID != group {
			t.Fatalf("b got %+v, want seq %d of chat %s", f.Message, want, group)
		}
	}

	cb.Send(map[string]any{"type": "chat.typing", "chatGroupId": upper})
	if f, err := ca.AwaitType(wait, "chat.typing"); err != nil || !strings.Contains(string(f.Raw), group) {
		t.Errorf("typing with an upper-case id: got %s, %v", f.Raw, err)
	}
	cb.Send(map[string]any{"type": "chat.read", "id": "r", "chatGroupId": upper, "seq": 2})

	cb2, _ := MustDial(t, m.URL(), b)
	cb2.Send(map[string]any{"type": "resume", "chats": map[string]int64{upper: 1}})
	var f messageFrame
	mustFrame(t, cb2, "chat.message", &f)
	if f.Message.Seq != 2 || f.Message.ChatGroupID != group {
		t.Fatalf("resume with an upper-case id replayed %+v, want seq 2 of chat %s", f.Message, group)
	}
	if _, err := cb2.AwaitType(wait, "resume.done"); err != nil {
		t.Fatal(err)
	}
	// The read pointer moved for the conversation (chat.read has no answer:
	// poll): b's next connection has nothing unread.
	testwait.Until(t, wait, 100*time.Millisecond, func() error {
		c, h := MustDial(t, m.URL(), b)
		defer c.Close()
		for _, id := range h.UnreadConversationIDs {
			if strings.EqualFold(id, group) {
				return fmt.Errorf("chat.read with an upper-case id left chat %s unread", group)
			}
		}
		return nil
	})
	// No error frame answered any of b's frames.
	if f, err := cb.Await(500*time.Millisecond, func(f client.Frame) bool { return f.Type == "error" }); err == nil {
		t.Errorf("b got %s", f.Raw)
	}
}
