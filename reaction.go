package bunnybook

import "context"

// Limits on chat reactions. Whether an emoji is one grapheme cluster is
// checked where it enters (the gateway's chat.react frame), which has the
// Unicode segmentation tables this package keeps out of the domain.
const (
	ReactionEmojiMax       = 16 // bytes of one reaction's emoji
	ReactionsPerMessageMax = 8  // distinct emoji on one message
)

// Reactions maps each emoji on a message to the profiles that reacted with
// it, in the order they reacted. JSON encodes its keys sorted.
type Reactions map[string][]string

// ErrTooManyReactions refuses a new distinct emoji on a message that has
// ReactionsPerMessageMax already.
func ErrTooManyReactions() *Error {
	return Errorf(EInvalid, "a message has at most %d different reactions", ReactionsPerMessageMax)
}

// ReactionStore keeps the members' reactions to chat messages.
type ReactionStore interface {
	// ToggleReaction adds profileID's reaction emoji to the message, or
	// removes it if it is there, in one transaction, and reports whether it
	// is on now. ENotFound when messageID is not a message of groupID;
	// ErrTooManyReactions when adding it would put more than
	// ReactionsPerMessageMax distinct emoji on the message (concurrent
	// toggles included). Nothing is written on error. Membership is the
	// caller's to check.
	ToggleReaction(ctx context.Context, groupID, messageID, profileID, emoji string, at Time) (on bool, err error)
	// MessageReactions returns the reactions to the given messages, in one
	// query: message id → reactions, messages without any absent.
	MessageReactions(ctx context.Context, messageIDs []string) (map[string]Reactions, error)
}

// CollectReaction adds one reaction, read in order, to byMsg (message id →
// reactions), as stores build MessageReactions' answer.
func CollectReaction(byMsg map[string]Reactions, messageID, emoji, profileID string) {
	if byMsg[messageID] == nil {
		byMsg[messageID] = Reactions{}
	}
	byMsg[messageID][emoji] = append(byMsg[messageID][emoji], profileID)
}

// withReactions sets the reactions of a page of messages (one query), {}
// on those without any.
func (s *Service) withReactions(ctx context.Context, msgs []ChatMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	byMsg, err := s.Store.MessageReactions(ctx, ids)
	if err != nil {
		return err
	}
	for i := range msgs {
		msgs[i].Reactions = byMsg[msgs[i].ID]
		if msgs[i].Reactions == nil {
			msgs[i].Reactions = Reactions{}
		}
	}
	return nil
}
