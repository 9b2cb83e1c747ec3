package bunnybook

import (
	"strings"
	"testing"
)

func TestGroupName(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"Burrow", "Burrow", true},
		{"  Burrow \t", "Burrow", true},
		{strings.Repeat("é", GroupNameMax), strings.Repeat("é", GroupNameMax), true},
		{" " + strings.Repeat("x", GroupNameMax) + " ", strings.Repeat("x", GroupNameMax), true},
		{strings.Repeat("x", GroupNameMax+1), "", false},
		{"", "", false},
		{"   ", "", false},
		{"\xff", "", false},
	}
	for _, tc := range tests {
		got, err := GroupName(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("GroupName(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && ErrorKind(err) != EBadRequest {
			t.Errorf("GroupName(%q): kind %s, want %s", tc.in, ErrorKind(err), EBadRequest)
		}
	}
}

func TestGroupOthers(t *testing.T) {
	me, a, b := NewID(), NewID(), NewID()
	many := make([]string, GroupOthersMax+1)
	for i := range many {
		many[i] = NewID()
	}
	tests := []struct {
		name string
		in   []string
		want int    // how many others, when valid
		kind string // else the error's kind
	}{
		{"two", []string{a, b}, 2, ""},
		{"duplicates collapse", []string{a, b, strings.ToUpper(a)}, 2, ""},
		{"the most", many[:GroupOthersMax], GroupOthersMax, ""},
		{"one", []string{a}, 0, EBadRequest},
		{"one twice", []string{a, a}, 0, EBadRequest},
		{"too many", many, 0, EBadRequest},
		{"the creator", []string{me, a, b}, 0, EBadRequest},
		{"not a UUID", []string{a, "b"}, 0, EInvalid},
	}
	for _, tc := range tests {
		got, err := groupOthers(me, tc.in)
		if ErrorKind(err) != tc.kind || len(got) != tc.want {
			t.Errorf("%s: got %d others, %v; want %d, kind %q", tc.name, len(got), err, tc.want, tc.kind)
		}
	}
}
