package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/bunnybook/bunnybook"
)

// react toggles a member's reaction to a message and tells every member,
// the reacter included (all of their connections: the reacting one takes
// it as the answer that says on or off). The grain serialises a
// conversation's toggles and pushes their events in order through the
// same fan-out as messages; the store checks the message and the limit.
func (g *conversationGrain) react(ctx actor.Context, m *React) *Ack {
	if err := g.member(m.GetProfileId(), true); err != nil {
		return ackErrorOf(err)
	}
	c, cancel := g.ctx()
	defer cancel()
	on, err := g.cfg.Store.ToggleReaction(c, g.id, m.GetMessageId(), m.GetProfileId(), m.GetEmoji(), bunnybook.Now())
	if err != nil {
		if bunnybook.AsError(err) == nil {
			g.cfg.Logger.Error("toggle reaction", "chat_group_id", g.id, "error", err)
		}
		return ackErrorOf(err)
	}
	event := &ReactionEvent{ChatGroupId: g.id, MessageId: m.GetMessageId(), ProfileId: m.GetProfileId(), Emoji: m.GetEmoji(), On: on}
	g.tellMembers(ctx, &Push{Event: &Push_Reaction{Reaction: event}})
	return &Ack{}
}

// seen tells every member, the reader included (their other connections
// learn that the chat is read), that a read pointer moved to seq.
func (g *conversationGrain) seen(ctx actor.Context, profileID string, seq int64) {
	event := &SeenEvent{ChatGroupId: g.id, ProfileId: profileID, Seq: seq}
	g.tellMembers(ctx, &Push{Event: &Push_Seen{Seen: event}})
}

// tellMembers pushes p to the online members' connections, after the
// pushes the grain queued before it. Called after member, so the group is
// loaded.
func (g *conversationGrain) tellMembers(ctx actor.Context, p *Push) {
	ctx.Send(g.fanout, fanoutJob{ids: g.group.Members, msgs: []any{&Deliver{Push: p}}})
}

// React toggles a member's reaction to a message of the conversation; the
// members learn the outcome from the chat.reaction push.
func (h *Hub) React(groupID, profileID, messageID, emoji string) error {
	return ackErr(request[*Ack](h, groupID, ConversationKind, &React{ProfileId: profileID, MessageId: messageID, Emoji: emoji}))
}
