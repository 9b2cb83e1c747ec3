package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/bunnybook/bunnybook"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestFail(t *testing.T) {
	pg := func(code, constraint string) error {
		return fmt.Errorf("exec: %w", &pgconn.PgError{Code: code, ConstraintName: constraint})
	}
	tests := []struct {
		name       string
		err        error
		kind, code string
		field, msg string
	}{
		{"email taken", pg("23505", "profile_email_key"), bunnybook.EConflict, "EmailAlreadyTaken", "email", ""},
		{"username taken", pg("23505", "profile_username_key"), bunnybook.EConflict, "UsernameAlreadyTaken", "username", ""},
		{"duplicate seq", pg("23505", "chat_message_seq_key"), bunnybook.EConflict, "", "", ""},
		{"other unique", pg("23505", "friendship_pkey"), bunnybook.EConflict, "", "", ""},
		{"no such post", pg("23503", "comment_post_id_fkey"), bunnybook.ENotFound, "", "", "no such post"},
		{"no such group", pg("23503", "chat_read_chat_group_id_fkey"), bunnybook.ENotFound, "", "", "no such chat group"},
		{"no such profile", pg("23503", "post_wall_profile_id_fkey"), bunnybook.ENotFound, "", "", "no such profile"},
		{"malformed uuid", pg("22P02", ""), bunnybook.ENotFound, "", "", ""},
		{"no rows", pgx.ErrNoRows, bunnybook.ENotFound, "", "", ""},
		{"connection lost", pg("08006", ""), bunnybook.EUnavailable, "", "", ""},
		{"server shutting down", pg("57P01", ""), bunnybook.EUnavailable, "", "", ""},
		{"too many connections", pg("53300", ""), bunnybook.EUnavailable, "", "", ""},
		{"connection closed", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), bunnybook.EUnavailable, "", "", ""},
		{"deadline", context.DeadlineExceeded, bunnybook.EUnavailable, "", "", ""},
		{"domain error passes", bunnybook.ErrUnexpectedRelationship(), bunnybook.EBadRequest, "", "", "UnexpectedRelationshipState"},
		{"syntax error is a bug", pg("42601", ""), bunnybook.EInternal, "", "", ""},
		{"canceled is not ours", context.Canceled, bunnybook.EInternal, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := fail("op", tt.err)
			if got := bunnybook.ErrorKind(err); got != tt.kind {
				t.Fatalf("kind: got %q (%v), want %q", got, err, tt.kind)
			}
			if !errors.Is(err, tt.err) && bunnybook.AsError(err) == nil {
				t.Fatalf("%v does not wrap %v", err, tt.err)
			}
			e := bunnybook.AsError(err)
			if e == nil {
				return
			}
			if e.Code != tt.code || e.Field != tt.field || (tt.msg != "" && e.Message != tt.msg) {
				t.Fatalf("got code %q field %q message %q, want %q %q %q", e.Code, e.Field, e.Message, tt.code, tt.field, tt.msg)
			}
		})
	}
	if fail("op", nil) != nil {
		t.Fatal("fail(nil) is not nil")
	}
}
