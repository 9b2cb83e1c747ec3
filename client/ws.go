package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// Conn is a websocket connection to /ws.
type Conn struct {
	nc   net.Conn
	r    *bufio.Reader // nc, after any bytes the handshake read past its response; owned by the reader
	wmu  sync.Mutex
	wbuf []byte // a frame being written (header and masked payload, one write); guarded by wmu
}

// readBuffer is the size of a connection's read buffer: one read takes in
// the frames that arrived together (a load generator holds thousands of
// connections, and a read system call per frame header and payload cost
// more than the frames' handling).
const readBuffer = 4 << 10

// DialOptions tune Dial.
type DialOptions struct {
	// LocalAddr is the source IP to dial from (e.g. 127.0.0.2), to spread
	// many connections over several source addresses.
	LocalAddr string
	// Origin is sent as the Origin header (browsers always send one).
	Origin string
	// Cookie authenticates with the access-token cookie instead of Bearer.
	Cookie bool
}

// Dial opens a websocket to the server at baseURL (http:// or https://)
// authenticated by token.
func Dial(ctx context.Context, baseURL, token string, o DialOptions) (*Conn, error) {
	u := "ws" + strings.TrimPrefix(strings.TrimRight(baseURL, "/"), "http") + "/ws"
	h := http.Header{}
	if o.Cookie {
		h.Set("Cookie", "access_token="+token)
	} else if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	if o.Origin != "" {
		h.Set("Origin", o.Origin)
	}
	refusal := &Error{Body: "websocket upgrade refused"}
	d := ws.Dialer{Header: ws.HandshakeHeaderHTTP(h), Timeout: 10 * time.Second,
		OnStatusError: func(status int, _ []byte, resp io.Reader) { readRefusal(refusal, resp) }}
	if o.LocalAddr != "" {
		nd := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(o.LocalAddr)}, Timeout: 10 * time.Second}
		d.NetDial = nd.DialContext
	}
	nc, br, _, err := d.Dial(ctx, u)
	if err != nil {
		var se ws.StatusError
		if errors.As(err, &se) {
			refusal.Status = int(se)
			return nil, refusal
		}
		return nil, err
	}
	var r io.Reader = nc
	if br != nil {
		r = io.MultiReader(br, nc)
	}
	return &Conn{nc: nc, r: bufio.NewReaderSize(r, readBuffer)}, nil
}

// readRefusal reads the body and Retry-After of a refused upgrade's answer.
func readRefusal(e *Error, resp io.Reader) {
	res, err := http.ReadResponse(bufio.NewReader(resp), nil)
	if err != nil {
		return
	}
	defer res.Body.Close()
	if b, err := io.ReadAll(io.LimitReader(res.Body, 4<<10)); err == nil && len(b) > 0 {
		e.Body = string(b)
	}
	if secs, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil {
		e.RetryAfter = time.Duration(secs) * time.Second
	}
}

// Send writes v as a JSON text frame.
func (c *Conn) Send(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.SendRaw(b)
}

// SendRaw writes b as one text frame, as is, in one write.
func (c *Conn) SendRaw(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	c.wbuf = appendClientFrame(c.wbuf[:0], ws.OpText, b)
	_, err := c.nc.Write(c.wbuf)
	if cap(c.wbuf) > readBuffer {
		c.wbuf = nil // a large frame's buffer is not kept
	}
	return err
}

// appendClientFrame appends a final, masked frame (RFC 6455 §5.2) of op
// carrying payload to b.
func appendClientFrame(b []byte, op ws.OpCode, payload []byte) []byte {
	mask := ws.NewMask()
	n := len(payload)
	b = append(b, 0x80|byte(op))
	switch {
	case n < 126:
		b = append(b, 0x80|byte(n))
	case n <= 0xffff:
		b = append(b, 0x80|126, byte(n>>8), byte(n))
	default:
		b = append(b, 0x80|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	b = append(b, mask[:]...)
	start := len(b)
	b = append(b, payload...)
	ws.Cipher(b[start:], mask, 0)
	return b
}

// Frame is one server frame.
type Frame struct {
	Type string
	Raw  json.RawMessage
}

// Decode unmarshals the frame into v.
func (f Frame) Decode(v any) error { return json.Unmarshal(f.Raw, v) }

// CloseError is how the server closed the connection.
type CloseError struct {
	Code   int
	Reason string
}

func (e *CloseError) Error() string { return fmt.Sprintf("websocket closed: %d %s", e.Code, e.Reason) }

// Read returns the next text frame, answering pings; a close frame from the
// server is a *CloseError.
func (c *Conn) Read(timeout time.Duration) (Frame, error) {
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	r := c.r
	for {
		h, err := ws.ReadHeader(r)
		if err != nil {
			return Frame{}, err
		}
		payload := make([]byte, h.Length)
		if _, err := io.ReadFull(r, payload); err != nil {
			return Frame{}, err
		}
		switch h.OpCode {
		case ws.OpClose:
			code, reason := ws.ParseCloseFrameData(payload)
			return Frame{}, &CloseError{Code: int(code), Reason: reason}
		case ws.OpPing:
			c.wmu.Lock()
			wsutil.WriteClientMessage(c.nc, ws.OpPong, payload)
			c.wmu.Unlock()
		case ws.OpText:
			typ, err := frameType(payload)
			if err != nil {
				return Frame{}, fmt.Errorf("server sent a non-JSON frame: %q", payload)
			}
			return Frame{Type: typ, Raw: payload}, nil
		}
	}
}

// frameType returns the "type" of a JSON object frame. The server writes
// it first, without escapes, which is read without decoding the frame;
// any other frame is decoded.
func frameType(payload []byte) (string, error) {
	const head = `{"type":"`
	if bytes.HasPrefix(payload, []byte(head)) && json.Valid(payload) {
		rest := payload[len(head):]
		if end := bytes.IndexByte(rest, '"'); end >= 0 && bytes.IndexByte(rest[:end], '\\') < 0 {
			return string(rest[:end]), nil
		}
	}
	var f struct {
		Type string `json:"type"`
	}
	err := json.Unmarshal(payload, &f)
	return f.Type, err
}

// Await reads frames until one satisfies match, within timeout; frames
// that do not match are dropped.
func (c *Conn) Await(timeout time.Duration, match func(Frame) bool) (Frame, error) {
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return Frame{}, errors.New("timed out waiting for a frame")
		}
		f, err := c.Read(left)
		if err != nil {
			return Frame{}, err
		}
		if match(f) {
			return f, nil
		}
	}
}

// AwaitType waits for the next frame of type typ.
func (c *Conn) AwaitType(timeout time.Duration, typ string) (Frame, error) {
	return c.Await(timeout, func(f Frame) bool { return f.Type == typ })
}

// Close sends a normal close frame and closes the socket.
func (c *Conn) Close() error {
	c.wmu.Lock()
	c.nc.SetWriteDeadline(time.Now().Add(time.Second))
	ws.WriteFrame(c.nc, ws.MaskFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusNormalClosure, ""))))
	c.wmu.Unlock()
	return c.nc.Close()
}

// NetConn exposes the socket, for tests that send raw bytes.
func (c *Conn) NetConn() net.Conn { return c.nc }
