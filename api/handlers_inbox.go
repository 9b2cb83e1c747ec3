package api

import "github.com/bunnybook/bunnybook"

func (s *Server) notifications(r *request) error {
	r.pathID("profile_id")
	page := r.timePage(bunnybook.NotificationPageLimits)
	if err := r.check(); err != nil {
		return err
	}
	notes, err := s.svc.Notifications(r, r.viewer(), page)
	if err != nil {
		return err
	}
	return r.ok(nonNil(notes))
}

// maxMarkIDs bounds the ids of one PATCH notifications request.
const maxMarkIDs = 100

func (s *Server) markNotifications(r *request) error {
	r.pathID("profile_id")
	read, visited := r.queryBool("read"), r.queryBool("visited")
	if _, hasRead := r.query("read"); !hasRead {
		if _, hasVisited := r.query("visited"); !hasVisited {
			r.fail(inQuery, "read", "give read, visited or both", "value_error.missing")
		}
	}
	var ids []string
	if r.decodeBody(&ids, "a JSON array of notification ids") {
		if len(ids) == 0 || len(ids) > maxMarkIDs {
			r.fail(inBody, "", "must list 1 to 100 notification ids", "value_error.list")
		}
		for i, id := range ids {
			if !bunnybook.ValidID(id) {
				r.errs = append(r.errs, fieldError{In: inBody, Index: i, Msg: "must be a UUID", Type: "type_error.uuid"})
			}
		}
	}
	if err := r.check(); err != nil {
		return err
	}
	notes, err := s.svc.MarkNotifications(r, r.viewer(), ids, read, visited)
	if err != nil {
		return err
	}
	return r.ok(nonNil(notes))
}

func (s *Server) conversations(r *request) error {
	r.pathID("profile_id")
	page := r.timePage(bunnybook.ConversationPageLimits)
	if err := r.check(); err != nil {
		return err
	}
	convs, err := s.svc.Conversations(r, r.viewer(), page)
	if err != nil {
		return err
	}
	return r.ok(nonNil(convs))
}

func (s *Server) chatMessages(r *request) error {
	group := r.pathID("chat_group_id")
	page := r.timePage(bunnybook.MessagePageLimits)
	if err := r.check(); err != nil {
		return err
	}
	msgs, err := s.svc.ChatMessages(r, r.viewer(), group, page)
	if err != nil {
		return err
	}
	return r.ok(nonNil(msgs))
}
