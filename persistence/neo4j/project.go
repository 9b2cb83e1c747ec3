package neo4j

import (
	"context"

	"github.com/bunnybook/bunnybook"
)

// Projecting is a bunnybook.Store that flushes the relay right after each
// successful write that appends a graph event, so a user normally reads
// their own friendship changes from Neo4j at once. Other methods pass
// through to the embedded Store.
type Projecting struct {
	bunnybook.Store
	Relay *Relay
}

// CreateAccount creates the account, then flushes the relay.
func (p Projecting) CreateAccount(ctx context.Context, a *bunnybook.Account) error {
	err := p.Store.CreateAccount(ctx, a)
	p.after(ctx, err)
	return err
}

// SendFriendRequest records the request, then flushes the relay.
func (p Projecting) SendFriendRequest(ctx context.Context, from, to string, note bunnybook.Notification) error {
	err := p.Store.SendFriendRequest(ctx, from, to, note)
	p.after(ctx, err)
	return err
}

// DeleteFriendRequest removes the request, then flushes the relay.
func (p Projecting) DeleteFriendRequest(ctx context.Context, from, to string) error {
	err := p.Store.DeleteFriendRequest(ctx, from, to)
	p.after(ctx, err)
	return err
}

// AcceptFriendRequest makes the friendship, then flushes the relay.
func (p Projecting) AcceptFriendRequest(ctx context.Context, requester, accepter string, note bunnybook.Notification) (string, error) {
	group, err := p.Store.AcceptFriendRequest(ctx, requester, accepter, note)
	p.after(ctx, err)
	return group, err
}

// Unfriend ends the friendship, then flushes the relay.
func (p Projecting) Unfriend(ctx context.Context, a, b string) (string, error) {
	group, err := p.Store.Unfriend(ctx, a, b)
	p.after(ctx, err)
	return group, err
}

func (p Projecting) after(ctx context.Context, err error) {
	if err == nil {
		p.Relay.FlushAfterWrite(ctx)
	}
}
