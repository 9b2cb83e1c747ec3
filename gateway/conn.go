package gateway

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/gobwas/ws"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/actors"
)

// Close codes. 1000–1011 are the RFC 6455 codes; 4000–4999 are ours.
const (
	CloseNormal          = 1000
	CloseGoingAway       = 1001 // server shutting down
	CloseProtocolError   = 1002 // unmasked or unexpected frame
	CloseUnsupportedData = 1003 // binary or fragmented frames
	CloseInvalidPayload  = 1007 // text frame that is not UTF-8
	CloseTooBig          = 1009 // frame over the size limit
	CloseInternal        = 1011 // the server failed
	CloseRestart         = 1012 // the server lost its place in the cluster: reconnect (to any node) and resume
	CloseIdle            = 4000 // no frame within the idle timeout (send ping)
	CloseLoggedOut       = 4001 // the sign-in session was logged out
	CloseRateLimited     = 4008 // kept flooding after rate-limit errors
	CloseUnavailable     = 4011 // the profile could not be attached; reconnect later
	CloseTooManyConns    = 4029 // the profile holds the most connections allowed; do not reconnect automatically
)

// floodLimit is how many rate-limited frames in a row end the connection.
const floodLimit = 50

// conn is one websocket connection. One goroutine at a time reads and
// handles its frames. Frames to send are queued (wmu guards the queue and
// what decides which frames go into it) and written by one writer at a
// time, several frames per write when they pile up: a pooled goroutine,
// or the reader itself for its answer to a frame (see answer).
type conn struct {
	s       *Server
	nc      net.Conn
	id      string
	profile bunnybook.Profile
	sid     string     // the sign-in session of the access token it was opened with
	opened  time.Time  // when it was accepted
	grain   *actor.PID // the profile grain it is attached to; guarded by wmu

	wmu     sync.Mutex
	queue   []outFrame      // frames waiting for the writer
	queued  int             // their payload bytes
	writing bool            // a writer goroutine runs
	closed  bool            // nothing more is queued: a close frame was, or the peer is gone
	inline  bool            // the reader is queuing its answer: a writer it starts runs on it (see answer)
	owed    bool            // the reader owes the writer it started
	seen    map[string]seqs // chat group id → seqs queued or already held by the client; nil until the first
	holds   int             // while > 0, pushes wait in held (during attach, resume and a gap)
	held    []outPush
	gap     *gap // the gap whose late pushes are waited for, if any

	filed grainKey // where the router files it; owned by the router

	// With the poller: fd is the socket's descriptor; smu serializes the
	// goroutines reading frames (one at a time) and the idle sweeper; done
	// (guarded by smu) marks a connection being closed; last is the time
	// of the last frame, in Unix nanoseconds.
	fd   int
	smu  sync.Mutex
	done bool
	last atomic.Int64

	tokens  float64   // rate-limit bucket, owned by the reader
	refill  time.Time // last refill, owned by the reader
	limited int       // consecutive rate-limited frames, owned by the reader
}

// outFrame is a frame waiting to be written.
type outFrame struct {
	op      ws.OpCode
	payload []byte
}

// maxQueued bounds the bytes waiting for a slow reader; beyond it the
// connection is dropped.
const maxQueued = 4 << 20

// serve attaches a new connection to its profile, then hands it to the
// reader: the poller (no goroutine while idle) or a goroutine of its own.
func (s *Server) serve(nc net.Conn, profile bunnybook.Profile, sid string) {
	c := &conn{s: s, nc: nc, id: bunnybook.NewID(), profile: profile, sid: sid, opened: bunnybook.Now().Time, tokens: float64(s.cfg.EventBurst), refill: time.Now()}
	s.track(c, true)
	_, err := c.attachRetrying()
	s.admission.attached()
	if err != nil {
		code, reason := attachRefusal(err)
		if code == CloseTooManyConns {
			s.cfg.Metrics.ConnsRefused.WithLabelValues("too_many_connections").Inc()
			s.logger.Info("too many connections", "conn_id", c.id, "profile_id", profile.ID)
		} else {
			s.cfg.Metrics.ConnsRefused.WithLabelValues("unavailable").Inc()
			s.logger.Warn("attach profile", "conn_id", c.id, "profile_id", profile.ID, "error", err)
		}
		c.finish(code, reason)
		return
	}
	if s.poller != nil && s.poller.watch(c) == nil {
		return
	}
	for {
		if code, reason := c.readFrame(c.nc, time.Now().Add(s.cfg.IdleTimeout)); code != 0 {
			c.finish(code, reason)
			return
		}
	}
}

// attachRefusal is the close code and reason for a connection that could
// not be attached to its profile grain.
func attachRefusal(err error) (code int, reason string) {
	if errors.Is(err, actors.ErrTooManyConnections) {
		return CloseTooManyConns, "too many connections for this profile"
	}
	return CloseUnavailable, "profile unavailable, reconnect later"
}

func (c *conn) touch()                 { c.last.Store(time.Now().UnixNano()) }
func (c *conn) idleFor() time.Duration { return time.Duration(time.Now().UnixNano() - c.last.Load()) }

// finish closes the connection with code and releases what it holds.
func (c *conn) finish(code int, reason string) {
	c.close(code, reason)
	c.wmu.Lock()
	grain := c.grain
	c.wmu.Unlock()
	c.s.system.Root.Send(c.s.router, forget{c})
	if grain != nil {
		c.s.system.Root.Send(grain, &actors.Disconnect{ConnId: c.id})
	}
	// Read what the client still sends until it closes too (or a second
	// passes): closing with unread data would reset the connection and
	// lose our close frame.
	c.nc.SetReadDeadline(time.Now().Add(time.Second))
	io.Copy(io.Discard, io.LimitReader(c.nc, 1<<20))
	c.nc.Close()
	c.s.track(c, false)
	c.s.logger.Debug("connection closed", "conn_id", c.id, "code", code, "reason", reason)
}

// attach connects the connection to its profile grain and sends hello,
// before anything the grain pushes meanwhile.
func (c *conn) attach() (*actors.Hello, error) {
	if c.isClosed() {
		return nil, net.ErrClosed
	}
	c.hold()
	hello, err := c.s.grains.Connect(&actors.Connect{Gateway: c.s.router, ConnId: c.id, SessionId: c.sid}, c.profile.ID)
	if err != nil {
		c.release(nil)
		return nil, err
	}
	// Under wmu, so that the router hears of it before finish's forget.
	c.wmu.Lock()
	if c.closed {
		c.wmu.Unlock()
		c.release(nil)
		c.s.system.Root.Send(hello.GetGrain(), &actors.Disconnect{ConnId: c.id})
		return nil, net.ErrClosed
	}
	c.grain = hello.GetGrain()
	c.s.system.Root.Send(c.s.router, watchGrain{c, c.grain})
	c.wmu.Unlock()
	f := helloFrame{
		Type:                     "hello",
		ProfileID:                c.profile.ID,
		PrivateChats:             []bunnybook.PrivateChat{},
		GroupChats:               groupChats(hello.GetGroupChats()),
		OnlineFriends:            orEmpty(hello.GetOnlineFriends()),
		UnreadConversationIDs:    orEmpty(hello.GetUnreadConversationIds()),
		UnreadNotificationsCount: hello.GetUnreadNotificationsCount(),
		ConnID:                   c.id,
	}
	for _, pc := range hello.GetPrivateChats() {
		f.PrivateChats = append(f.PrivateChats, bunnybook.PrivateChat{ChatGroupID: pc.GetChatGroupId(), ProfileID: pc.GetProfileId(), Username: pc.GetUsername()})
	}
	return hello, c.release(mustJSON(f))
}

// attachFor is how long a connection tries to attach to its profile grain
// before it gives up and closes (4011): long enough for the membership to
// notice a dead node (its etcd lease, 5 s by default) and for the grain to
// be placed elsewhere.
const attachFor = 15 * time.Second

// attachRetrying attaches the connection, retrying while the profile grain
// cannot be reached (its node just died, drained or left; not when it
// answered, e.g. that the profile could not be loaded): attempts come
// fast at first and never wait long, since the grain is placed anew as soon
// as the membership has changed. Each attempt waits its turn (admission): a
// node's death re-attaches its grains' connections all at once.
func (c *conn) attachRetrying() (*actors.Hello, error) {
	delay := 50 * time.Millisecond
	for start := time.Now(); ; {
		c.s.admission.turn()
		hello, err := c.attach()
		c.s.admission.release()
		if bunnybook.ErrorKind(err) != bunnybook.EUnavailable || time.Since(start) > attachFor {
			return hello, err // attached, closed, refused, or a grain that answered with an error
		}
		time.Sleep(delay/2 + rand.N(delay/2))
		delay = min(2*delay, time.Second)
	}
}

// reattach attaches again after the profile grain stopped (its node died,
// drained or left, or the grain moved), then replays what the client
// missed meanwhile (catchUp). Pushes wait until the replay is queued, so
// that each message is sent once, in order.
func (c *conn) reattach(former *actor.PID) {
	c.s.grains.Moved(c.profile.ID, former)
	c.hold()
	defer c.release(nil)
	hello, err := c.attachRetrying()
	switch {
	case err == nil:
		c.catchUp(hello.GetUnreadConversationIds())
	case !errors.Is(err, net.ErrClosed):
		c.s.logger.Warn("reattach profile", "conn_id", c.id, "profile_id", c.profile.ID, "error", err)
		c.close(attachRefusal(err))
	}
}

// catchUpWindow is how many of a chat's newest messages catchUp looks at
// for a chat the connection has had no message of.
const catchUpWindow = 100

// catchUp replays what a connection may have missed while its profile
// grain moved (pushes sent meanwhile reached no grain): per chat it has had
// messages of, those after the first run of seqs it holds; per unread chat
// it has had none of, those created since it opened. Messages it already
// has are skipped.
func (c *conn) catchUp(unread []string) {
	c.wmu.Lock()
	after := make(map[string]int64, len(c.seen)+len(unread))
	for gid, r := range c.seen {
		after[gid] = r[0][1]
	}
	c.wmu.Unlock()
	for _, gid := range unread {
		if _, ok := after[gid]; !ok {
			after[gid] = -1
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for gid, n := range after {
		msgs, err := c.missed(ctx, gid, n, 0)
		if err != nil {
			c.s.logger.Warn("catch up after reattach", "conn_id", c.id, "chat_group_id", gid, "error", err)
			continue
		}
		c.wmu.Lock()
		for _, m := range msgs {
			c.pushLocked(outPush{frame: chatMessage(m), gid: gid, seq: m.Seq})
		}
		c.wmu.Unlock()
	}
}

// missed returns a chat's messages after seq n, or (n < 0) those created
// since the connection opened: the newest ones, or with below > 0 the
// newest ones under that seq.
func (c *conn) missed(ctx context.Context, gid string, n, below int64) ([]bunnybook.ChatMessage, error) {
	if n >= 0 {
		limit := resumeLimit
		if below > 0 {
			limit = int(min(below-n-1, resumeLimit))
		}
		return c.s.history.MessagesAfter(ctx, gid, n, limit)
	}
	if below <= 0 {
		g, err := c.s.history.ChatGroup(ctx, gid)
		if err != nil {
			return nil, err
		}
		below = g.LastSeq + 1
	}
	msgs, err := c.s.history.MessagesAfter(ctx, gid, max(0, below-1-catchUpWindow), int(min(below-1, catchUpWindow)))
	return slices.DeleteFunc(msgs, func(m bunnybook.ChatMessage) bool { return m.CreatedAt.Before(c.opened) }), err
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// readFrame reads one frame from r (the connection, or a buffer in front
// of it), which must arrive by deadline, and acts on it; a non-zero code
// says the connection must close, and how. Every frame but close counts
// against the connection's rate, pings included.
func (c *conn) readFrame(r io.Reader, deadline time.Time) (code int, reason string) {
	c.nc.SetReadDeadline(deadline)
	h, err := ws.ReadHeader(r)
	if err != nil {
		return readErrorCode(err)
	}
	if code, reason := c.checkHeader(h); code != 0 {
		return code, reason
	}
	payload := make([]byte, h.Length)
	if _, err := io.ReadFull(r, payload); err != nil {
		return readErrorCode(err)
	}
	ws.Cipher(payload, h.Mask, 0)
	switch h.OpCode {
	case ws.OpClose:
		return closeReply(payload)
	case ws.OpText:
		if !utf8.Valid(payload) {
			return CloseInvalidPayload, "text frames must be UTF-8"
		}
	}
	if !c.allow() {
		return c.refuse(h.OpCode == ws.OpText)
	}
	c.limited = 0
	switch h.OpCode {
	case ws.OpPing:
		c.send(ws.OpPong, payload)
	case ws.OpText:
		return c.handle(payload)
	}
	return 0, ""
}

// checkHeader applies RFC 6455's framing rules and ours to a frame header,
// before its payload is read.
func (c *conn) checkHeader(h ws.Header) (code int, reason string) {
	switch {
	case !h.Masked:
		return CloseProtocolError, "client frames must be masked"
	case h.Rsv != 0:
		return CloseProtocolError, "reserved bits set: no extension was negotiated" // §5.2
	case h.OpCode.IsReserved():
		return CloseProtocolError, "reserved opcode" // §5.2
	case h.OpCode.IsControl() && h.Length > ws.MaxControlFramePayloadSize:
		return CloseProtocolError, "control frame over 125 bytes" // §5.5
	case h.OpCode.IsControl() && !h.Fin:
		return CloseProtocolError, "fragmented control frame" // §5.5
	case h.OpCode == ws.OpText && !h.Fin:
		return CloseUnsupportedData, "fragmented frames are not supported"
	case h.OpCode != ws.OpText && !h.OpCode.IsControl():
		return CloseUnsupportedData, "only text frames are supported"
	case h.Length > int64(c.s.cfg.MaxFrame):
		return CloseTooBig, "frame too large"
	}
	return 0, ""
}

// closeReply answers the client's close frame: its status code echoed, or
// 1000 when it sent none; 1002 when the body is malformed or carries a code
// that must not be sent (RFC 6455 §5.5.1, §7.4).
func closeReply(body []byte) (code int, reason string) {
	if len(body) == 0 {
		return CloseNormal, ""
	}
	if len(body) == 1 {
		return CloseProtocolError, "close frame body of 1 byte"
	}
	got := int(binary.BigEndian.Uint16(body))
	if !closeCodeSendable(got) {
		return CloseProtocolError, fmt.Sprintf("close code %d may not be sent", got)
	}
	if !utf8.Valid(body[2:]) {
		return CloseProtocolError, "close reason is not UTF-8"
	}
	return got, ""
}

// closeCodeSendable tells whether an endpoint may put code in a close frame:
// 1000–1003 and 1007–1014 (RFC 6455 and IANA's registry), 3000–4999
// (registered and private use). 1004 is reserved, 1005, 1006 and 1015 are
// only for reporting, the rest of 1016–2999 is unassigned.
func closeCodeSendable(code int) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	default:
		return code >= 3000 && code <= 4999
	}
}

func readErrorCode(err error) (int, string) {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return CloseIdle, "idle: send a ping at least every 30 seconds"
	}
	if errors.Is(err, ws.ErrHeaderLengthUnexpected) || errors.Is(err, ws.ErrHeaderLengthMSB) {
		return CloseProtocolError, "bad frame header"
	}
	return CloseNormal, "" // peer went away
}

// allow takes a token from the connection's bucket.
func (c *conn) allow() bool {
	now := time.Now()
	c.tokens = min(float64(c.s.cfg.EventBurst), c.tokens+now.Sub(c.refill).Seconds()*c.s.cfg.EventRate)
	c.refill = now
	if c.tokens < 1 {
		return false
	}
	c.tokens--
	return true
}

// refuse handles a frame over the rate: a text frame is answered with a
// rate_limited error, a ping not at all; too many in a row close.
func (c *conn) refuse(text bool) (code int, reason string) {
	c.s.cfg.Metrics.WSRateLimited.Inc()
	if c.limited++; c.limited >= floodLimit {
		return CloseRateLimited, "too many frames"
	}
	if text {
		c.write(encodeError("", bunnybook.ERateLimited, "too many frames: slow down"))
	}
	return 0, ""
}

// handle acts on one text frame within the rate; a non-zero code closes
// the connection.
func (c *conn) handle(payload []byte) (code int, reason string) {
	m := c.s.cfg.Metrics
	f, err := decodeFrame(payload)
	if err != nil {
		m.FramesIn.WithLabelValues("invalid").Inc()
		var fe *frameError
		errors.As(err, &fe)
		c.write(encodeError(fe.id, fe.kind, fe.message))
		return 0, ""
	}
	m.FramesIn.WithLabelValues(f.Type).Inc()
	switch f.Type {
	case typePing:
		c.write(pongFrame)
	case typeSend:
		defer prometheus.NewTimer(m.SendLatency).ObserveDuration()
		msg, prevAt, err := c.s.grains.Send(f.ChatGroupID, &actors.SendMessage{
			FromProfileId: c.profile.ID, ClientId: f.clientID, Content: f.Content, OriginConn: c.id,
		})
		if err != nil {
			c.writeErr(f.clientID, err)
			return 0, ""
		}
		c.answer(outPush{frame: ackFrameOf(f.clientID, *msg), gid: msg.ChatGroupID, seq: msg.Seq, prevAtMs: prevAt, ack: true})
	case typeTyping:
		if err := c.s.grains.Typing(f.ChatGroupID, c.profile.ID, c.profile.Username); err != nil {
			c.writeErr(f.clientID, err)
		}
	case typeRead:
		if err := c.s.grains.MarkRead(f.ChatGroupID, c.profile.ID, f.Seq); err != nil {
			c.writeErr(f.clientID, err)
		}
	case typeReact:
		if err := c.s.grains.React(f.ChatGroupID, c.profile.ID, f.MessageID, f.Emoji); err != nil {
			c.writeErr(f.clientID, err)
		}
	case typeResume:
		c.resume(f.Chats)
	}
	return 0, ""
}

func (c *conn) writeErr(id string, err error) {
	kind, message := bunnybook.EInternal, "internal error"
	if e := bunnybook.AsError(err); e != nil {
		kind, message = e.Kind, e.Message
	} else {
		c.s.logger.Error("websocket request", "conn_id", c.id, "error", err)
	}
	c.write(encodeError(id, kind, message))
}

func (c *conn) write(frame []byte) error { return c.send(ws.OpText, frame) }

func (c *conn) isClosed() bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.closed
}

func (c *conn) writingNow() bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writing
}

// send queues a frame; it fails once the connection is closing.
func (c *conn) send(op ws.OpCode, payload []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.sendLocked(op, payload)
}

func (c *conn) sendLocked(op ws.OpCode, payload []byte) error {
	if c.closed {
		return net.ErrClosed
	}
	if c.queued+len(payload) > maxQueued {
		// A peer that cannot keep up is dropped; its reader then ends.
		c.closed, c.queue = true, nil
		c.nc.Close()
		return net.ErrClosed
	}
	c.queue = append(c.queue, outFrame{op, payload})
	c.queued += len(payload)
	if op == ws.OpText {
		c.s.cfg.Metrics.FramesOut.Inc()
	}
	if !c.writing {
		c.writing = true
		if c.inline {
			c.owed = true
		} else {
			c.s.cfg.Dispatcher.Schedule(c.flush)
		}
	}
	return nil
}

// writeChunk is how many bytes the writer gathers into one write call.
const writeChunk = 64 << 10

var writeBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// flush writes queued frames until the queue is empty; only one runs at a
// time. After a close frame it shuts down the sending side.
func (c *conn) flush() {
	buf := writeBuffers.Get().(*bytes.Buffer)
	defer writeBuffers.Put(buf)
	for {
		c.wmu.Lock()
		q, closed := c.queue, c.closed
		c.queue, c.queued = nil, 0
		if len(q) == 0 {
			c.writing = false
			c.wmu.Unlock()
			if closed {
				if tc, ok := c.nc.(interface{ CloseWrite() error }); ok {
					tc.CloseWrite()
				}
			}
			return
		}
		c.wmu.Unlock()
		for i, f := range q {
			ws.WriteHeader(buf, ws.Header{Fin: true, OpCode: f.op, Length: int64(len(f.payload))})
			buf.Write(f.payload)
			if buf.Len() < writeChunk && i < len(q)-1 {
				continue
			}
			c.nc.SetWriteDeadline(time.Now().Add(c.s.cfg.WriteTimeout))
			_, err := c.nc.Write(buf.Bytes())
			buf.Reset()
			if err != nil {
				c.wmu.Lock()
				c.closed, c.queue, c.writing = true, nil, false
				c.wmu.Unlock()
				c.nc.Close()
				return
			}
		}
	}
}

// close queues a close frame (best effort), once; the writer then shuts
// down our sending side and the reader closes the socket. When no writer
// runs, close writes the frame itself before it returns.
func (c *conn) close(code int, reason string) {
	c.wmu.Lock()
	if c.closed {
		c.wmu.Unlock()
		return
	}
	c.queue = append(c.queue, outFrame{ws.OpClose, ws.NewCloseFrameBody(ws.StatusCode(code), reason)})
	c.closed = true
	start := !c.writing
	c.writing = true
	c.wmu.Unlock()
	if start {
		c.flush()
	}
}

// push writes a grain's push, dropping chat messages the client already has.
func (c *conn) push(p outPush) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.pushOrHoldLocked(p)
}

// pushOrHoldLocked pushes p, or keeps it for later while pushes are held
// (see hold). Called with wmu held.
func (c *conn) pushOrHoldLocked(p outPush) {
	if c.holds > 0 && !c.fillsGap(p) {
		c.held = append(c.held, p)
		return
	}
	c.pushLocked(p)
}

// answer pushes the reader's answer to a frame. When no writer runs, the
// reader writes it (and what comes meanwhile) itself, rather than hand it
// to a writer goroutine: it is running anyway, and the answer goes out a
// hand-off sooner. A slow peer then holds up the reading of its own
// frames only, for at most the write timeout.
func (c *conn) answer(p outPush) {
	c.wmu.Lock()
	c.inline = true
	c.pushOrHoldLocked(p)
	c.inline = false
	owed := c.owed
	c.owed = false
	c.wmu.Unlock()
	if owed {
		c.flush()
	}
}

// hold makes pushes wait, in order, until the matching release.
func (c *conn) hold() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.holds++
}

// release ends a hold: it queues first (if any), then the pushes that waited.
func (c *conn) release(first []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.releaseLocked(first)
}

// releaseLocked is release, called with wmu held.
func (c *conn) releaseLocked(first []byte) error {
	var err error
	if first != nil {
		err = c.sendLocked(ws.OpText, first)
	}
	c.holds--
	for c.holds == 0 && len(c.held) > 0 { // a push may start a new hold (waitGap)
		p := c.held[0]
		c.held = c.held[1:]
		c.pushLocked(p)
	}
	return err
}

// pushLocked writes a push unless the client has it. A chat's messages go
// out to a connection gap-free and in seq order: a push above a gap waits
// for the pushes below it (see waitGap). For the first message of a chat
// on the connection, the gap is what was created since the connection
// opened (the client had the rest before).
func (c *conn) pushLocked(p outPush) {
	if p.forget != "" {
		delete(c.seen, p.forget)
	}
	if p.gid != "" && p.seq > 0 {
		known := c.seen[p.gid]
		if known.has(p.seq) && !p.ack {
			return // already queued (resume and live delivery overlapped)
		}
		if top := known.top(); !p.filled && c.holds == 0 && p.seq > top+1 && !c.predates(p, top) {
			c.waitGap(p, top)
			return
		}
		c.markSeen(p.gid, p.seq, p.seq)
		if !p.ack && slices.Contains(p.origins, c.id) {
			return // the sender's connection got a chat.ack instead
		}
	}
	c.sendLocked(ws.OpText, p.frame)
}

// lateWait is how long a push above a gap waits for the pushes below it
// before the gap is read from the store. Pushes of a chat leave its grain
// in seq order, but an ack takes a shorter way (the sender's own request)
// than the push of the message before it (the fan-out, then the
// recipient's profile grain), and overtakes it often under load: a
// quarter of all acks at 3 000 msg/s. A push that is really lost (sent to
// a grain that moved, or to a node that died) is read from the store
// after this wait.
const lateWait = 250 * time.Millisecond

// gap is a push above a gap of its chat, waiting for the pushes below it.
type gap struct {
	gid   string
	below int64 // the seq of the push waiting above the gap
	timer *time.Timer
}

// waitGap holds the connection's pushes, p first, until the pushes of the
// gap below p come (those that do go out as they come, see fillsGap) or,
// after lateWait, while the rest of the gap is read from the store (late
// pushes that come after that are known and dropped). Below the first
// message of a chat on the connection (top is 0), the gap may well hold
// nothing (messages from before the connection opened): it is read at
// once. Called with wmu held.
func (c *conn) waitGap(p outPush, top int64) {
	p.filled = true
	c.holds++
	c.held = append([]outPush{p}, c.held...)
	g := &gap{gid: p.gid, below: p.seq}
	if top == 0 {
		go c.readGap(g)
		return
	}
	g.timer = time.AfterFunc(lateWait, func() { c.readGap(g) })
	c.gap = g
}

// fillsGap reports whether p is the next push of the gap being waited
// for, and then closes the gap if p was its last. Called with wmu held.
func (c *conn) fillsGap(p outPush) bool {
	g := c.gap
	if g == nil || p.gid != g.gid || p.seq >= g.below {
		return false
	}
	if p.seq != c.seen[g.gid].top()+1 {
		return false // not the next one: it waits, and the store fills the gap
	}
	p.filled = true
	c.pushLocked(p)
	if c.seen[g.gid].top()+1 == g.below && g.timer.Stop() {
		c.gap = nil
		c.releaseLocked(nil)
	}
	return true
}

// readGap reads from the store the messages of a gap whose pushes did not
// all come in time, and queues them; then the push above it and what came
// meanwhile follow.
func (c *conn) readGap(g *gap) {
	c.wmu.Lock()
	if c.gap == g {
		c.gap = nil
	}
	top, closed := c.seen[g.gid].top(), c.closed
	c.wmu.Unlock()
	after := top
	if top == 0 {
		after = -1
	}
	var msgs []bunnybook.ChatMessage
	if top+1 < g.below && !closed {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var err error
		msgs, err = c.missed(ctx, g.gid, after, g.below)
		cancel()
		if err != nil {
			c.s.logger.Warn("fill a gap in a chat", "conn_id", c.id, "chat_group_id", g.gid, "error", err)
		}
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	for _, m := range msgs {
		if m.Seq < g.below {
			c.pushLocked(outPush{frame: chatMessage(m), gid: g.gid, seq: m.Seq, filled: true})
		}
	}
	c.releaseLocked(nil)
}

// predates reports whether everything below p is older than the
// connection, for the first message of a chat on it (top is 0): the client
// had those messages before, so there is no gap to fill.
func (c *conn) predates(p outPush, top int64) bool {
	return top == 0 && p.prevAtMs > 0 && time.UnixMilli(p.prevAtMs).Before(c.opened)
}

// markSeen records that the client has (or will have) seqs lo..hi of a chat.
func (c *conn) markSeen(gid string, lo, hi int64) {
	if c.seen == nil {
		c.seen = map[string]seqs{}
	}
	c.seen[gid] = c.seen[gid].add(lo, hi)
}

// resumeLimit bounds how many missed messages one resume replays per chat.
const resumeLimit = 1000

// resume replays, per chat, the messages after the client's last seen seq,
// for chats the profile is a member of, except those this connection
// already queued (live messages that came between hello and resume). Live
// chat messages that arrive meanwhile wait until the replay is queued, so
// each is sent once, in order.
func (c *conn) resume(chats map[string]int64) {
	c.hold()
	ids := make([]string, 0, len(chats))
	for id := range chats {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, gid := range ids {
		if err := c.replay(gid, chats[gid]); err != nil {
			kind, msg := bunnybook.ErrorKind(err), "could not resume chat "+gid
			if e := bunnybook.AsError(err); e != nil {
				msg = e.Message
			}
			c.write(encodeError("", kind, msg))
		}
	}
	c.release(resumeDone)
}

var resumeDone = mustJSON(map[string]string{"type": "resume.done"})

func (c *conn) replay(gid string, after int64) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	g, err := c.s.history.ChatGroup(ctx, gid)
	if err != nil {
		return err
	}
	if !g.IsMember(c.profile.ID) {
		return bunnybook.Errorf(bunnybook.EForbidden, "you are not a member of chat %s", gid)
	}
	msgs, err := c.s.history.MessagesAfter(ctx, gid, after, resumeLimit)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if after > 0 {
		c.markSeen(gid, 1, after) // the client has these
	}
	for _, m := range msgs { // those queued live before the resume are skipped
		c.pushLocked(outPush{frame: chatMessage(m), gid: gid, seq: m.Seq})
	}
	return nil
}
