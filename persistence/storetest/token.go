package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/bunnybook/bunnybook"
)

var tokenTests = []test{
	{"Rotate", testRotate},
	{"RotateRejects", testRotateRejects},
	{"ReuseRevokesFamily", testTokenReuse},
	{"RevokeFamily", testRevokeFamily},
	{"RevokeSession", testRevokeSession},
}

// testRevokeSession: revoking by family id (an access token's session)
// kills the family's current token, and nothing else.
func testRevokeSession(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	ben := MustCreateAccount(t, s, "ben")
	first := mustCreateFamily(t, s, ben.ID, at(0))
	other := mustCreateFamily(t, s, ben.ID, at(0))
	second := newToken(at(10))
	_, err := s.RotateRefreshToken(ctx, first.Hash, second, at(10))
	must(t, "rotate", err)

	must(t, "RevokeSession", s.RevokeSession(ctx, first.FamilyID, at(20)))
	_, err = s.RotateRefreshToken(ctx, second.Hash, newToken(at(30)), at(30))
	wantKind(t, "rotate a token of a revoked session", err, bunnybook.EUnauthorized)
	must(t, "RevokeSession(again)", s.RevokeSession(ctx, first.FamilyID, at(40)))
	must(t, "RevokeSession(unknown)", s.RevokeSession(ctx, bunnybook.NewID(), at(40)))
	_, err = s.RotateRefreshToken(ctx, other.Hash, newToken(at(50)), at(50))
	must(t, "rotate a token of another session", err)
}

// newToken returns an unstored refresh token issued at issued, valid for an
// hour. FamilyID and ProfileID are left for the caller (or the store) to set.
func newToken(issued bunnybook.Time) *bunnybook.RefreshToken {
	sum := sha256.Sum256([]byte(bunnybook.NewID()))
	return &bunnybook.RefreshToken{
		ID:        bunnybook.NewID(),
		Hash:      hex.EncodeToString(sum[:]),
		IssuedAt:  issued,
		ExpiresAt: bunnybook.At(issued.Add(time.Hour)),
	}
}

// mustCreateFamily stores the first token of a new family of profile.
func mustCreateFamily(tb testing.TB, s bunnybook.Store, profile string, issued bunnybook.Time) *bunnybook.RefreshToken {
	tb.Helper()
	t := newToken(issued)
	t.FamilyID = bunnybook.NewID()
	t.ProfileID = profile
	must(tb, "CreateRefreshToken", s.CreateRefreshToken(tb.Context(), t))
	return t
}

// mustRevoke revokes the family of the token with hash and returns that token.
func mustRevoke(tb testing.TB, s bunnybook.Store, hash string, now bunnybook.Time) *bunnybook.RefreshToken {
	tb.Helper()
	t, err := s.RevokeRefreshFamily(tb.Context(), hash, now)
	must(tb, "RevokeRefreshFamily", err)
	return t
}

func testRotate(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	ben := MustCreateAccount(t, s, "ben")
	first := mustCreateFamily(t, s, ben.ID, at(0))

	second := newToken(at(1000))
	old, err := s.RotateRefreshToken(ctx, first.Hash, second, at(1000))
	must(t, "RotateRefreshToken", err)
	if old.ID != first.ID || old.FamilyID != first.FamilyID || old.ProfileID != ben.ID || old.Hash != first.Hash {
		t.Fatalf("RotateRefreshToken returned %+v, want the old token %+v", old, first)
	}
	if second.FamilyID != first.FamilyID || second.ProfileID != ben.ID {
		t.Fatalf("next token got family %q profile %q, want %q and %q", second.FamilyID, second.ProfileID, first.FamilyID, ben.ID)
	}

	third := newToken(at(2000))
	old, err = s.RotateRefreshToken(ctx, second.Hash, third, at(2000))
	must(t, "RotateRefreshToken(second)", err)
	if old.ID != second.ID || old.FamilyID != first.FamilyID {
		t.Fatalf("RotateRefreshToken(second) returned %+v, want %+v", old, second)
	}
	if third.FamilyID != first.FamilyID {
		t.Fatalf("third token family %q, want %q", third.FamilyID, first.FamilyID)
	}
}

func testRotateRejects(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	ben := MustCreateAccount(t, s, "ben")

	next := newToken(at(0))
	_, err := s.RotateRefreshToken(ctx, newToken(at(0)).Hash, next, at(0))
	wantKind(t, "rotate unknown token", err, bunnybook.EUnauthorized)

	expired := mustCreateFamily(t, s, ben.ID, at(0))
	next = newToken(at(0))
	_, err = s.RotateRefreshToken(ctx, expired.Hash, next, bunnybook.At(expired.ExpiresAt.Add(time.Second)))
	wantKind(t, "rotate expired token", err, bunnybook.EUnauthorized)
	_, err = s.RotateRefreshToken(ctx, next.Hash, newToken(at(0)), at(1))
	wantKind(t, "rotate the token a failed rotation would have stored", err, bunnybook.EUnauthorized)

	revoked := mustCreateFamily(t, s, ben.ID, at(0))
	mustRevoke(t, s, revoked.Hash, at(1))
	_, err = s.RotateRefreshToken(ctx, revoked.Hash, newToken(at(2)), at(2))
	wantKind(t, "rotate revoked token", err, bunnybook.EUnauthorized)

	// A failed rotation leaves a good token alone.
	good := mustCreateFamily(t, s, ben.ID, at(0))
	_, err = s.RotateRefreshToken(ctx, good.Hash, newToken(at(3)), at(3))
	must(t, "rotate a good token after failures", err)
}

func testTokenReuse(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	ben := MustCreateAccount(t, s, "ben")
	first := mustCreateFamily(t, s, ben.ID, at(0))
	other := mustCreateFamily(t, s, ben.ID, at(0)) // another device

	second := newToken(at(10))
	_, err := s.RotateRefreshToken(ctx, first.Hash, second, at(10))
	must(t, "rotate first", err)

	// An attacker presents the first token again: refused, and the store
	// says whose session (family) the reuse ended.
	stolen := newToken(at(20))
	reused, err := s.RotateRefreshToken(ctx, first.Hash, stolen, at(20))
	wantKind(t, "rotate an already rotated token", err, bunnybook.EUnauthorized)
	if reused == nil || reused.FamilyID != first.FamilyID || reused.ProfileID != ben.ID {
		t.Fatalf("reuse returned %+v, want the reused token of family %s", reused, first.FamilyID)
	}

	// The whole family is revoked: the legitimate newer token no longer works,
	// and nothing was stored for the attacker.
	_, err = s.RotateRefreshToken(ctx, second.Hash, newToken(at(30)), at(30))
	wantKind(t, "rotate the newer token of a reused family", err, bunnybook.EUnauthorized)
	_, err = s.RotateRefreshToken(ctx, stolen.Hash, newToken(at(40)), at(40))
	wantKind(t, "rotate the token a reuse would have stored", err, bunnybook.EUnauthorized)

	// Other families are untouched.
	_, err = s.RotateRefreshToken(ctx, other.Hash, newToken(at(50)), at(50))
	must(t, "rotate a token of another family", err)
}

func testRevokeFamily(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	ben := MustCreateAccount(t, s, "ben")
	first := mustCreateFamily(t, s, ben.ID, at(0))
	other := mustCreateFamily(t, s, ben.ID, at(0))
	second := newToken(at(10))
	_, err := s.RotateRefreshToken(ctx, first.Hash, second, at(10))
	must(t, "rotate", err)

	// Logging out with the rotated first token revokes the current one too,
	// and says whose session it was.
	if got := mustRevoke(t, s, first.Hash, at(20)); got == nil || got.FamilyID != first.FamilyID || got.ProfileID != ben.ID {
		t.Fatalf("RevokeRefreshFamily returned %+v, want the token of family %s", got, first.FamilyID)
	}
	_, err = s.RotateRefreshToken(ctx, second.Hash, newToken(at(30)), at(30))
	wantKind(t, "rotate a token of a revoked family", err, bunnybook.EUnauthorized)
	if got := mustRevoke(t, s, second.Hash, at(40)); got == nil || got.FamilyID != first.FamilyID {
		t.Fatalf("RevokeRefreshFamily(again) returned %+v, want the token of family %s", got, first.FamilyID)
	}
	if got := mustRevoke(t, s, newToken(at(0)).Hash, at(40)); got != nil {
		t.Fatalf("RevokeRefreshFamily(unknown) returned %+v, want nil", got)
	}

	_, err = s.RotateRefreshToken(ctx, other.Hash, newToken(at(50)), at(50))
	must(t, "rotate a token of another family", err)
}
