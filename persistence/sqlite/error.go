package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/bunnybook/bunnybook"
)

// conflicts maps the columns a UNIQUE constraint failed on, as SQLite names
// them in its message, to the domain error.
var conflicts = map[string]*bunnybook.Error{
	"profile.email": {Kind: bunnybook.EConflict, Code: "EmailAlreadyTaken", Field: "email",
		Message: "an account with this e-mail already exists"},
	"profile.username": {Kind: bunnybook.EConflict, Code: "UsernameAlreadyTaken", Field: "username",
		Message: "this username is taken"},
	"chat_message.chat_group_id, chat_message.seq": {Kind: bunnybook.EConflict, Code: "MessageSeqTaken", Field: "seq",
		Message: "a message with this seq already exists"},
	"chat_message.chat_group_id, chat_message.from_profile_id, chat_message.client_id": {Kind: bunnybook.EConflict,
		Code: "MessageAlreadySent", Field: "clientId", Message: "a message with this client id was already sent"},
}

// translate turns driver errors into domain errors: a unique violation is
// EConflict (with Code and Field for the known constraints), no rows and a
// foreign key violation (a referenced profile, post or group is missing)
// are ENotFound, a locked database is EUnavailable. Domain errors, context
// errors and nil pass through; anything else is wrapped and stays internal.
func translate(err error) error {
	if err == nil || bunnybook.AsError(err) != nil {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return bunnybook.Errorf(bunnybook.ENotFound, "not found")
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return fmt.Errorf("sqlite: %w", err)
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		if e, ok := conflicts[failedColumns(se.Error())]; ok {
			c := *e
			return &c
		}
		return bunnybook.Errorf(bunnybook.EConflict, "already exists")
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return bunnybook.Errorf(bunnybook.ENotFound, "a referenced profile, post or chat group does not exist")
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return bunnybook.Errorf(bunnybook.EUnavailable, "the database is busy, try again")
	}
	return fmt.Errorf("sqlite: %w", err)
}

// failedColumns returns the column list of a constraint error message such
// as "constraint failed: UNIQUE constraint failed: profile.email (2067)".
func failedColumns(msg string) string {
	const marker = "constraint failed: "
	if i := strings.LastIndex(msg, marker); i >= 0 {
		msg = msg[i+len(marker):]
	}
	if i := strings.LastIndex(msg, " ("); i >= 0 {
		msg = msg[:i]
	}
	return msg
}
