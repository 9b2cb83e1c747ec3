// Package gateway is the websocket front door at /ws: it authenticates the
// upgrade (access-token cookie with an Origin check, or a Bearer token),
// reads and writes JSON text frames with gobwas/ws, enforces per-connection
// limits (frame size, event rate, heartbeat), and runs one gateway actor
// per node (the router) that profile grains address with connection ids.
// An idle connection holds no goroutine and no actor: epoll watches its
// socket, and frames to send are queued and written by a short-lived
// writer goroutine.
//
// The gateway owns the wire protocol (docs/protocol.md): the client frames'
// decoder (protocol.go), every server frame, which it encodes from the typed
// events grains push (actors.Push), and every close code. Grains never
// build frames.
package gateway
