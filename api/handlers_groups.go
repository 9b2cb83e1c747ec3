package api

import "github.com/bunnybook/bunnybook"

func (s *Server) createGroupChat(r *request) error {
	var name string
	var memberIDs []string
	if r.decodeObject(field{"name", &name, true}, field{"memberIds", &memberIDs, true}) {
		for i, id := range memberIDs {
			if !bunnybook.ValidID(id) {
				r.errs = append(r.errs, fieldError{In: inBody, Field: "memberIds", Index: i, Msg: "must be a UUID", Type: "type_error.uuid"})
			}
		}
	}
	if err := r.check(); err != nil {
		return err
	}
	g, err := s.svc.CreateGroupChat(r, r.viewer(), name, memberIDs)
	if err != nil {
		return err
	}
	return r.created(g)
}

func (s *Server) getGroupChat(r *request) error {
	id := r.pathID("chat_group_id")
	if err := r.check(); err != nil {
		return err
	}
	g, err := s.svc.GroupChat(r, r.viewer(), id)
	if err != nil {
		return err
	}
	return r.ok(g)
}

func (s *Server) renameGroupChat(r *request) error {
	id := r.pathID("chat_group_id")
	var name string
	r.decodeObject(field{"name", &name, true})
	if err := r.check(); err != nil {
		return err
	}
	g, err := s.svc.RenameGroupChat(r, r.viewer(), id, name)
	if err != nil {
		return err
	}
	return r.ok(g)
}

func (s *Server) addGroupMember(r *request) error {
	id := r.pathID("chat_group_id")
	var profileID string
	if r.decodeObject(field{"profileId", &profileID, true}) {
		var err error
		profileID, err = bunnybook.ParseID("profileId", profileID)
		r.invalid(err)
	}
	if err := r.check(); err != nil {
		return err
	}
	g, err := s.svc.AddGroupMember(r, r.viewer(), id, profileID)
	if err != nil {
		return err
	}
	return r.created(g)
}

func (s *Server) removeGroupMember(r *request) error {
	id, profileID := r.pathID("chat_group_id"), r.pathID("profile_id")
	if err := r.check(); err != nil {
		return err
	}
	if err := s.svc.RemoveGroupMember(r, r.viewer(), id, profileID); err != nil {
		return err
	}
	return r.noContent()
}
