package bunnybook

import "context"

// SendFriendRequest sends a request from one profile to another and
// notifies the target.
func (s *Service) SendFriendRequest(ctx context.Context, from Profile, to string) error {
	if from.ID == to {
		return Errorf(EBadRequest, "you cannot send a friend request to yourself")
	}
	if err := s.mustExist(ctx, to); err != nil {
		return err
	}
	note := newNotification(to, EventNewFriendshipRequest, map[string]string{
		"byId": from.ID, "byUsername": from.Username,
	})
	if err := s.Store.SendFriendRequest(ctx, from.ID, to, note); err != nil {
		return err
	}
	s.notify(ctx, []Notification{note})
	return nil
}

// CancelFriendRequest withdraws me's request to target.
func (s *Service) CancelFriendRequest(ctx context.Context, me, target string) error {
	if err := s.mustExist(ctx, target); err != nil {
		return err
	}
	return s.Store.DeleteFriendRequest(ctx, me, target)
}

// RejectFriendRequest declines requester's request to me.
func (s *Service) RejectFriendRequest(ctx context.Context, me, requester string) error {
	if err := s.mustExist(ctx, requester); err != nil {
		return err
	}
	return s.Store.DeleteFriendRequest(ctx, requester, me)
}

// AcceptFriendRequest makes me and requester friends, opens their private
// chat, notifies the requester and tells both live.
func (s *Service) AcceptFriendRequest(ctx context.Context, me Profile, requester string) error {
	other, err := s.Store.Profile(ctx, requester)
	if err != nil {
		return err
	}
	note := newNotification(requester, EventNewFriend, map[string]string{
		"profileId": me.ID, "profileUsername": me.Username,
	})
	group, err := s.Store.AcceptFriendRequest(ctx, requester, me.ID, note)
	if err != nil {
		return err
	}
	s.notify(ctx, []Notification{note})
	s.Notifier.FriendAdded(ctx, me, *other, group)
	return nil
}

// Unfriend ends the friendship of me and friend.
func (s *Service) Unfriend(ctx context.Context, me, friend string) error {
	if err := s.mustExist(ctx, friend); err != nil {
		return err
	}
	group, err := s.Store.Unfriend(ctx, me, friend)
	if err != nil {
		return err
	}
	s.Notifier.FriendRemoved(ctx, me, friend, group)
	return nil
}

// Friends returns a page of a profile's friends.
func (s *Service) Friends(ctx context.Context, id string, page NamePage) ([]Profile, error) {
	if err := s.mustExist(ctx, id); err != nil {
		return nil, err
	}
	return s.Graph.Friends(ctx, id, page)
}

// FriendRequests returns a page of me's incoming or outgoing requests.
func (s *Service) FriendRequests(ctx context.Context, me string, incoming bool, page NamePage) ([]Profile, error) {
	return s.Graph.FriendRequests(ctx, me, incoming, page)
}

// Suggestions returns "bunnies you may know" for me.
func (s *Service) Suggestions(ctx context.Context, me string, page SuggestionPage) ([]Suggestion, error) {
	return s.Graph.Suggestions(ctx, me, page)
}

// MutualFriends returns a page of the friends me and other share.
func (s *Service) MutualFriends(ctx context.Context, me, other string, page NamePage) ([]Profile, error) {
	if err := s.mustExist(ctx, other); err != nil {
		return nil, err
	}
	return s.Graph.MutualFriends(ctx, me, other, page)
}
