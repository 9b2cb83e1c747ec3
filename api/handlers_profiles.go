package api

import "github.com/bunnybook/bunnybook"

func (s *Server) searchProfiles(r *request) error {
	q := r.requiredQuery("username_query")
	if err := r.check(); err != nil {
		return err
	}
	profiles, err := s.svc.SearchProfiles(r, q)
	if err != nil {
		return err
	}
	return r.ok(nonNil(profiles))
}

func (s *Server) getProfile(r *request) error {
	id := r.pathID("profile_id")
	if err := r.check(); err != nil {
		return err
	}
	p, err := s.svc.Profile(r, id)
	if err != nil {
		return err
	}
	return r.ok(p)
}

// relationship answers only to the two profiles: it shows pending
// requests, which are nobody else's business.
func (s *Server) relationship(r *request) error {
	a, b := r.pathID("profile_id"), r.pathID("other_profile_id")
	if err := r.check(); err != nil {
		return err
	}
	if me := r.viewer(); me != a && me != b {
		return bunnybook.Errorf(bunnybook.EForbidden, "only the two profiles may see their relationship")
	}
	rel, err := s.svc.Relationship(r, a, b)
	if err != nil {
		return err
	}
	return r.ok(rel)
}

// pair parses an "auth (self)" route's profile_id and the other profile's
// id, then checks input and ownership.
func (r *request) pair(other string) (string, error) {
	r.pathID("profile_id")
	id := r.pathID(other)
	return id, r.check()
}

func (s *Server) sendFriendRequest(r *request) error {
	target, err := r.pair("target_profile_id")
	if err != nil {
		return err
	}
	if err := s.svc.SendFriendRequest(r, r.me(), target); err != nil {
		return err
	}
	return r.created(nil)
}

func (s *Server) cancelFriendRequest(r *request) error {
	target, err := r.pair("target_profile_id")
	if err != nil {
		return err
	}
	if err := s.svc.CancelFriendRequest(r, r.viewer(), target); err != nil {
		return err
	}
	return r.noContent()
}

func (s *Server) rejectFriendRequest(r *request) error {
	requester, err := r.pair("requester_profile_id")
	if err != nil {
		return err
	}
	if err := s.svc.RejectFriendRequest(r, r.viewer(), requester); err != nil {
		return err
	}
	return r.noContent()
}

func (s *Server) acceptFriendRequest(r *request) error {
	requester, err := r.pair("requester_profile_id")
	if err != nil {
		return err
	}
	if err := s.svc.AcceptFriendRequest(r, r.me(), requester); err != nil {
		return err
	}
	return r.created(nil)
}

func (s *Server) unfriend(r *request) error {
	friend, err := r.pair("friend_profile_id")
	if err != nil {
		return err
	}
	if err := s.svc.Unfriend(r, r.viewer(), friend); err != nil {
		return err
	}
	return r.noContent()
}

func (s *Server) friends(r *request) error {
	id := r.pathID("profile_id")
	page := r.namePage()
	if err := r.check(); err != nil {
		return err
	}
	friends, err := s.svc.Friends(r, id, page)
	if err != nil {
		return err
	}
	return r.ok(nonNil(friends))
}

func (s *Server) friendRequests(r *request) error {
	r.pathID("profile_id")
	incoming := false
	switch dir, _ := r.query("direction"); dir {
	case "incoming":
		incoming = true
	case "outgoing", "":
	default:
		r.fail(inQuery, "direction", "must be incoming or outgoing", "type_error.enum")
	}
	page := r.namePage()
	if err := r.check(); err != nil {
		return err
	}
	profiles, err := s.svc.FriendRequests(r, r.viewer(), incoming, page)
	if err != nil {
		return err
	}
	return r.ok(nonNil(profiles))
}

func (s *Server) suggestions(r *request) error {
	r.pathID("profile_id")
	page := r.suggestionPage()
	if err := r.check(); err != nil {
		return err
	}
	suggestions, err := s.svc.Suggestions(r, r.viewer(), page)
	if err != nil {
		return err
	}
	return r.ok(nonNil(suggestions))
}

func (s *Server) mutualFriends(r *request) error {
	r.pathID("profile_id")
	other := r.pathID("friend_profile_id")
	page := r.namePage()
	if err := r.check(); err != nil {
		return err
	}
	mutual, err := s.svc.MutualFriends(r, r.viewer(), other, page)
	if err != nil {
		return err
	}
	return r.ok(nonNil(mutual))
}
