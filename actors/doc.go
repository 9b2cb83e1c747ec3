// Package actors holds Bunnybook's Proto.Actor grains and the Hub that the
// rest of the server uses to talk to them.
//
//   - The profile grain (kind "Profile", identity = profile id) exists only
//     while the profile has a live connection on some node. It watches its
//     session actors (all devices and tabs), holds the friend list, which
//     friends are online and the unread counters, keeps the profile's
//     presence fresh, and pushes events to every connection. It stops a few
//     seconds after its last connection ends.
//   - The conversation grain (kind "Conversation", identity = chat group id)
//     checks membership, numbers messages (seq), stores them in batched
//     commits, acknowledges senders only after the commit, fans out to the
//     online members, and relays typing.
//
// Grains never activate for offline profiles: senders look up presence
// first. Every message that may cross nodes is protobuf (messages.proto).
package actors
