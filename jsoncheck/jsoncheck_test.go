package jsoncheck

import (
	"strings"
	"testing"
)

func TestValue(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // "" = valid; else a part of the error
	}{
		{`{"a":1,"b":"x"}`, ""},
		{` [1, 2] `, ""},
		{`{"a":"\ud83d\ude00"}`, ""},
		{`{"a":"😀"}`, ""},
		{`{"a":1,"a":2}`, `duplicate object member name "a"`},
		{`{"a":{"b":1,"b":2}}`, `duplicate object member name "b"`},
		{`{"a":"\ud800"}`, "invalid surrogate pair"},
		{`{"a":"\udc00x"}`, "invalid surrogate pair"},
		{"{\"a\":\"\xff\"}", "invalid UTF-8"},
		{"{\"\xc3\":1}", "invalid UTF-8"},
		{`{"a":1} x`, "after the JSON value"},
		{`{"a":1}}`, "after the JSON value"},
		{`{"a":1}{}`, "after the JSON value"},
		{`{"a":`, "unexpected end"},
		{``, "unexpected end"},
		{`{'a':1}`, "invalid character"},
	} {
		err := Value([]byte(tc.in))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("Value(%q) = %v, want nil", tc.in, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("Value(%q) = %v, want an error with %q", tc.in, err, tc.want)
		}
	}
}
