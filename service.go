package bunnybook

import (
	"context"
	"fmt"
	"log/slog"
)

// Service applies Bunnybook's rules: who may see and write what, the
// relationship state machine, and which actions notify whom. Transports
// (REST, websocket) authenticate the caller and pass its profile id as
// viewer ("" for anonymous).
type Service struct {
	Store    Store
	Graph    Graph
	Notifier Notifier
	Logger   *slog.Logger
}

// NewService returns a Service on store and graph. Set Notifier to push
// changes live; it defaults to NopNotifier.
func NewService(store Store, graph Graph, logger *slog.Logger) *Service {
	return &Service{Store: store, Graph: graph, Notifier: NopNotifier{}, Logger: logger}
}

// Register creates an account. The password must already be hashed by the
// caller (hashing is slow and lives with the auth code); a.Email must be
// normalized and a.Username validated.
func (s *Service) Register(ctx context.Context, a *Account) error {
	a.ID = NewID()
	a.Role = RoleUser
	a.RegisteredAt = Now()
	if a.AvatarSeed == "" {
		a.AvatarSeed = a.ID
	}
	return s.Store.CreateAccount(ctx, a)
}

// Profile returns a profile, or ENotFound.
func (s *Service) Profile(ctx context.Context, id string) (*Profile, error) {
	return s.Store.Profile(ctx, id)
}

// SearchProfiles finds up to SearchLimit profiles by part of their username.
func (s *Service) SearchProfiles(ctx context.Context, query string) ([]Profile, error) {
	if err := ValidateText("username_query", query, UsernameMax, false); err != nil {
		return nil, err
	}
	return s.Store.SearchProfiles(ctx, query, SearchLimit)
}

// Relationship returns how a relates to b.
func (s *Service) Relationship(ctx context.Context, a, b string) (Relationship, error) {
	if a == b {
		if _, err := s.Store.Profile(ctx, a); err != nil {
			return "", err
		}
		return RelSelf, nil
	}
	if err := s.mustExist(ctx, a, b); err != nil {
		return "", err
	}
	return s.Store.Relationship(ctx, a, b)
}

// canSeeWall reports whether viewer may read FRIENDS posts on wall (and
// write on it): the owner and the owner's friends.
func (s *Service) canSeeWall(ctx context.Context, viewer, wall string) (bool, error) {
	if viewer == "" {
		return false, nil
	}
	if viewer == wall {
		return true, nil
	}
	rel, err := s.Store.Relationship(ctx, viewer, wall)
	return rel == RelFriend, err
}

// mustExist returns ENotFound unless every profile id exists.
func (s *Service) mustExist(ctx context.Context, ids ...string) error {
	for _, id := range ids {
		if _, err := s.Store.Profile(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// notify pushes stored notifications live, best effort.
func (s *Service) notify(ctx context.Context, notes []Notification) {
	for _, n := range notes {
		s.Notifier.NotificationCreated(ctx, n)
	}
}

// newNotification builds an unread notification for recipient.
func newNotification(recipient, event string, payload map[string]string) Notification {
	return Notification{
		ID:        NewID(),
		CreatedAt: Now(),
		ProfileID: recipient,
		Data:      NotificationData{Event: event, Payload: payload},
	}
}

func forbidden(format string, args ...any) error {
	return Errorf(EForbidden, format, args...)
}

func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
