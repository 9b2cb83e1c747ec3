package jsonchecktest

import "testing"

func TestRepeatedName(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":1,"b":2}`:               "",
		`{"a":1,"a":2}`:               "a",
		`{"a":{"b":1},"c":{"b":2}}`:   "",
		`{"a":[{"x":1,"x":2}]}`:       "x",
		`[{"a":1},{"a":1}]`:           "",
		`{"a":"a","b":{"a":1,"a":2}}`: "a",
	} {
		got, ok := RepeatedName([]byte(in))
		if got != want || ok != (want != "") {
			t.Errorf("RepeatedName(%s) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
