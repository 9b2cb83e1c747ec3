package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/bunnybook/bunnybook"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"
)

// conflicts maps unique constraints to the conflict users see.
var conflicts = map[string]*bunnybook.Error{
	"profile_email_key": {Kind: bunnybook.EConflict, Code: "EmailAlreadyTaken", Field: "email",
		Message: "this e-mail address is already registered"},
	"profile_username_key": {Kind: bunnybook.EConflict, Code: "UsernameAlreadyTaken", Field: "username",
		Message: "this username is already taken"},
	"chat_message_seq_key":       {Kind: bunnybook.EConflict, Message: "a message with this seq already exists"},
	"chat_message_client_id_key": {Kind: bunnybook.EConflict, Message: "a message with this client id already exists"},
}

// fail translates a driver error into a *bunnybook.Error where it has a
// domain meaning, and adds op as context. It is the one place that knows
// pgx's and PostgreSQL's errors. The driver error stays in the chain (and
// its text, for logs); users see only the *bunnybook.Error. nil stays nil.
func fail(op string, err error) error {
	if err == nil {
		return nil
	}
	if e := domainError(err); e != nil {
		return fmt.Errorf("postgres: %s: %w (%w)", op, e, err)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// unavailableErr is what users see when the database cannot be reached.
func unavailableErr() *bunnybook.Error {
	return &bunnybook.Error{Kind: bunnybook.EUnavailable, Message: "the database is unavailable"}
}

// domainError returns the domain meaning of a driver error, or nil when err
// already is a domain error or has none (a bug: EInternal).
func domainError(err error) *bunnybook.Error {
	var pgErr *pgconn.PgError
	switch {
	case bunnybook.AsError(err) != nil:
		return nil
	case errors.Is(err, pgx.ErrNoRows):
		return bunnybook.Errorf(bunnybook.ENotFound, "not found")
	case errors.As(err, &pgErr):
		return serverError(pgErr)
	case unavailable(err):
		return unavailableErr()
	}
	return nil
}

// serverError gives errors reported by the server their domain meaning, or
// returns nil when they have none.
func serverError(pgErr *pgconn.PgError) *bunnybook.Error {
	switch code := pgErr.Code; {
	case code == "23505": // unique_violation
		if e, ok := conflicts[pgErr.ConstraintName]; ok {
			c := *e
			return &c
		}
		return bunnybook.Errorf(bunnybook.EConflict, "already exists")
	case code == "23503": // foreign_key_violation
		return bunnybook.Errorf(bunnybook.ENotFound, "%s", referenced(pgErr))
	case code == "22P02": // invalid_text_representation: a malformed UUID names nothing
		return bunnybook.Errorf(bunnybook.ENotFound, "not found")
	case code[:2] == "08", code == "53300", code == "57P01", code == "57P02", code == "57P03":
		// connection exception, too many connections, shutdown, starting up
		return unavailableErr()
	}
	return nil
}

// referenced says which row was missing when an insert or update violated
// a foreign key (every key cascades on delete, so only writes of a
// referencing row fail). The constraint name, table_column_fkey, tells
// which column, hence which table it points to.
func referenced(pgErr *pgconn.PgError) string {
	switch pgErr.ConstraintName {
	case "comment_post_id_fkey":
		return "no such post"
	case "chat_member_chat_group_id_fkey", "chat_message_chat_group_id_fkey", "chat_read_chat_group_id_fkey",
		"chat_unread_chat_group_id_fkey":
		return "no such chat group"
	}
	return "no such profile"
}

// unavailable reports whether err means the database could not be reached
// or the connection broke.
func unavailable(err error) bool {
	var connErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, puddle.ErrClosedPool) || errors.Is(err, context.DeadlineExceeded) ||
		pgconn.Timeout(err)
}
