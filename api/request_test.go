package api

import (
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

func newRequest(body string) *request {
	ctx := &fasthttp.RequestCtx{}
	ctx.Request.SetBodyString(body)
	return &request{RequestCtx: ctx, route: &route{}}
}

func TestDecodeObject(t *testing.T) {
	cases := []struct {
		body    string
		ok      bool
		content string
		wall    string
	}{
		{`{"content":"x"}`, true, "x", ""},
		{`{"content":"x","wall_profile_id":"w"}`, true, "x", "w"},
		{`{"content":"x","wallProfileId":"w"}`, true, "x", "w"},
		{`{"content":"x","wallProfileId":null}`, true, "x", ""},
		{` {"content":"x"} ` + "\n", true, "x", ""},
		{`{"content":null}`, false, "", ""},
		{`{"content":"x","wallProfileId":"a","wall_profile_id":"b"}`, false, "", ""},
		{`{"content":"x","extra":1}`, false, "", ""},
		{`{"content":"x"}{}`, false, "", ""},
		{`{"content":1}`, false, "", ""},
		{`[]`, false, "", ""},
		{``, false, "", ""},
		{`{`, false, "", ""},
	}
	for _, tc := range cases {
		r := newRequest(tc.body)
		var content, wall string
		ok := r.decodeObject(field{"content", &content, true}, field{"wallProfileId", &wall, false})
		if ok != tc.ok || (ok && (content != tc.content || wall != tc.wall)) {
			t.Errorf("%s: got (%v, %q, %q), want (%v, %q, %q); errors %v", tc.body, ok, content, wall, tc.ok, tc.content, tc.wall, r.errs)
		}
		if ok == (len(r.errs) > 0) {
			t.Errorf("%s: ok %v with errors %v", tc.body, ok, r.errs)
		}
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{"content": "content", "wallProfileId": "wall_profile_id", "avatarIdentifier": "avatar_identifier"} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

// The body decoder never panics and reports every failure as an input error.
func FuzzDecodeObject(f *testing.F) {
	for _, seed := range []string{`{"content":"x"}`, `{"wall_profile_id":"a","content":"b"}`, `[1]`, `{"a":{"b":[]}}`, "\x00", `{"content":"\ud800"}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := newRequest(body)
		var content, wall string
		var read bool
		ok := r.decodeObject(field{"content", &content, true}, field{"wallProfileId", &wall, false}, field{"read", &read, false})
		if ok == (len(r.errs) > 0) {
			t.Fatalf("ok %v with errors %v", ok, r.errs)
		}
		for _, e := range r.errs {
			if e.In != inBody || e.Msg == "" || strings.TrimSpace(e.Type) == "" {
				t.Fatalf("bad error %+v", e)
			}
		}
	})
}
