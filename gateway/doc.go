// Package gateway is the websocket front door at /ws: it authenticates the
// upgrade (access-token cookie with an Origin check, or a Bearer token),
// reads and writes JSON text frames with gobwas/ws, enforces per-connection
// limits (frame size, event rate, heartbeat), and gives each connection a
// local session actor that profile and conversation grains address.
//
// The protocol is documented in docs/protocol.md.
package gateway
