package storetest

import (
	"testing"

	"github.com/bunnybook/bunnybook"
)

var accountTests = []test{
	{"CreateAndLookUp", testAccountLookups},
	{"DuplicateEmail", testDuplicateEmail},
	{"DuplicateUsername", testDuplicateUsername},
	{"UsernamesAreCaseSensitive", testUsernameCase},
	{"SearchOrder", testSearchOrder},
	{"SearchIsCaseInsensitive", testSearchCase},
	{"SearchIsLiteral", testSearchLiteral},
}

// wantAccount fails unless got is want, field by field.
func wantAccount(tb testing.TB, what string, got *bunnybook.Account, want bunnybook.Account) {
	tb.Helper()
	if got.ID != want.ID || got.Username != want.Username || got.Email != want.Email ||
		got.PasswordHash != want.PasswordHash || got.Role != want.Role ||
		got.AvatarSeed != want.AvatarSeed || !got.RegisteredAt.Equal(want.RegisteredAt.Time) {
		tb.Fatalf("%s: got %+v, want %+v", what, *got, want)
	}
}

func testAccountLookups(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	a := MustCreateAccount(t, s, "ben")
	MustCreateAccount(t, s, "daisy")

	got, err := s.AccountByEmail(ctx, a.Email)
	must(t, "AccountByEmail", err)
	wantAccount(t, "AccountByEmail", got, a)
	got, err = s.AccountByUsername(ctx, "ben")
	must(t, "AccountByUsername", err)
	wantAccount(t, "AccountByUsername", got, a)
	p, err := s.Profile(ctx, a.ID)
	must(t, "Profile", err)
	if *p != a.Profile {
		t.Fatalf("Profile: got %+v, want %+v", *p, a.Profile)
	}

	_, err = s.AccountByEmail(ctx, "nobody@bunnybook.test")
	wantKind(t, "AccountByEmail(unknown)", err, bunnybook.ENotFound)
	_, err = s.AccountByUsername(ctx, "nobody")
	wantKind(t, "AccountByUsername(unknown)", err, bunnybook.ENotFound)
	_, err = s.Profile(ctx, bunnybook.NewID())
	wantKind(t, "Profile(unknown)", err, bunnybook.ENotFound)
}

// wantConflict fails unless err is an EConflict with code and field.
func wantConflict(tb testing.TB, what string, err error, code, field string) {
	tb.Helper()
	e := bunnybook.AsError(err)
	if e == nil || e.Kind != bunnybook.EConflict || e.Code != code || e.Field != field {
		tb.Fatalf("%s: got %#v (%v), want conflict with code %q field %q", what, e, err, code, field)
	}
}

func testDuplicateEmail(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	ben := MustCreateAccount(t, s, "ben")
	dup := NewAccount("daisy")
	dup.Email = ben.Email
	wantConflict(t, "CreateAccount(same email)", s.CreateAccount(ctx, &dup), "EmailAlreadyTaken", "email")
	_, err := s.AccountByUsername(ctx, "daisy")
	wantKind(t, "AccountByUsername after failed create", err, bunnybook.ENotFound)
	_, err = s.Profile(ctx, dup.ID)
	wantKind(t, "Profile after failed create", err, bunnybook.ENotFound)
}

func testDuplicateUsername(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	MustCreateAccount(t, s, "ben")
	dup := NewAccount("ben")
	dup.Email = "other@bunnybook.test"
	wantConflict(t, "CreateAccount(same username)", s.CreateAccount(ctx, &dup), "UsernameAlreadyTaken", "username")
	_, err := s.AccountByEmail(ctx, dup.Email)
	wantKind(t, "AccountByEmail after failed create", err, bunnybook.ENotFound)
}

func testUsernameCase(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	upper := NewAccount("Bob")
	upper.Email = "bob1@bunnybook.test"
	lower := NewAccount("bob")
	lower.Email = "bob2@bunnybook.test"
	must(t, "create Bob", s.CreateAccount(ctx, &upper))
	must(t, "create bob", s.CreateAccount(ctx, &lower))

	got, err := s.AccountByUsername(ctx, "Bob")
	must(t, "AccountByUsername(Bob)", err)
	wantAccount(t, "AccountByUsername(Bob)", got, upper)
	got, err = s.AccountByUsername(ctx, "bob")
	must(t, "AccountByUsername(bob)", err)
	wantAccount(t, "AccountByUsername(bob)", got, lower)
	_, err = s.AccountByUsername(ctx, "BOB")
	wantKind(t, "AccountByUsername(BOB)", err, bunnybook.ENotFound)
}

func testSearchOrder(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	// Lower-case only, so that the expected order does not depend on collation.
	MustCreateAccounts(t, s, "zab", "crab", "abe", "xyz", "kabob", "ab", "babs", "abby", "nope")
	tests := []struct {
		query string
		limit int
		want  []string
	}{
		{"ab", 10, []string{"ab", "abby", "abe", "babs", "crab", "kabob", "zab"}},
		{"ab", 5, []string{"ab", "abby", "abe", "babs", "crab"}},
		{"ab", 2, []string{"ab", "abby"}},
		{"b", 10, []string{"babs", "ab", "abby", "abe", "crab", "kabob", "zab"}},
		{"xyz", 5, []string{"xyz"}},
		{"abbe", 5, []string{}},
	}
	for _, tt := range tests {
		got, err := s.SearchProfiles(ctx, tt.query, tt.limit)
		must(t, "SearchProfiles", err)
		wantIDs(t, "SearchProfiles("+tt.query+")", usernames(got), tt.want)
	}
}

func testSearchCase(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	a := MustCreateAccount(t, s, "MixedCase")
	for _, q := range []string{"mixedcase", "XEDCA", "Mixed", "case"} {
		got, err := s.SearchProfiles(ctx, q, 5)
		must(t, "SearchProfiles", err)
		if len(got) != 1 || got[0] != a.Profile {
			t.Fatalf("SearchProfiles(%q): got %+v, want [%+v]", q, got, a.Profile)
		}
	}
}

func testSearchLiteral(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	MustCreateAccounts(t, s, "a_b", "axb", "a.b")
	tests := []struct {
		query string
		want  []string
	}{
		{"a_b", []string{"a_b"}},
		{"_", []string{"a_b"}},
		{"a%b", []string{}},
		{"%", []string{}},
		{`a\`, []string{}},
		{`\`, []string{}},
		{"a.b", []string{"a.b"}},
		{"'", []string{}},
	}
	for _, tt := range tests {
		got, err := s.SearchProfiles(ctx, tt.query, 5)
		must(t, "SearchProfiles", err)
		wantIDs(t, "SearchProfiles("+tt.query+")", usernames(got), tt.want)
	}
}
