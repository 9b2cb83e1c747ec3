// Package actors holds Bunnybook's Proto.Actor grains and the Hub that the
// rest of the server uses to talk to them.
//
//   - The profile grain (kind "Profile", identity = profile id) exists only
//     while the profile has a live connection on some node. It knows its
//     connections (all devices and tabs) by id and the gateway actor of the
//     node holding each, has a friend list with who of them is online
//     (kept by the presence keeper), and pushes events to every connection:
//     one message per gateway. It stops a few seconds after its last
//     connection ends.
//   - The presence keeper (one per node, not an actor) does the heartbeat
//     of all the node's online profiles in one batch: it refreshes their
//     online marks and re-reads their friends' presence every few seconds,
//     and tells only the grains that do not know yet what changed. It also
//     keeps the online profiles' friend lists, 4 bytes a friend (a ref in
//     one table of the node's friends' ids).
//   - The conversation grain (kind "Conversation", identity = chat group id)
//     checks membership, numbers messages (seq), hands them to the node's
//     committer in batches, acknowledges senders only after the commit,
//     fans out to the online members, and relays typing. It serves private
//     chats and group chats alike; a group's change of members reaches it
//     at once (GroupChanged, which the Hub waits for), and the Hub then
//     pushes group.added, group.updated and group.removed to the members
//     concerned. Profile grains read their group chats (for hello) when a
//     connection attaches, so a group joined while online is listed on the
//     next hello and announced live meanwhile. It checks read marks and
//     hands them to the committer too, answers them after the commit (it
//     goes on with its messages meanwhile) and tells the members when a
//     read pointer moved (chat.seen); it applies reaction toggles one at a
//     time (chat.reaction).
//   - The committer (one per node, not an actor) writes the waiting batches
//     and read marks of all the node's conversations in one transaction per
//     round: group commit across conversations.
//
// Grains never activate for offline profiles: senders look up presence
// first. Every message that may cross nodes is protobuf (messages.proto);
// what grains push to connections are typed events (Push), which the
// gateway turns into websocket frames.
package actors
