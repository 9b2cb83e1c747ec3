// Package auth owns Bunnybook's credentials: argon2id password hashes,
// short-lived HS256 access tokens (JWT) and long-lived opaque refresh tokens
// that rotate on every use and are stored hashed through
// bunnybook.TokenStore, with reuse detection done by the store.
//
// Verifier checks access tokens on its own (the websocket gateway needs only
// that); Auth adds passwords and sessions on top of it.
package auth
