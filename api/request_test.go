package api

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/valyala/fasthttp"

	"github.com/bunnybook/bunnybook/jsoncheck/jsonchecktest"
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
		{`{"content":"x","content":"y"}`, false, "", ""},
		{`{"content":"x","wallProfileId":"a","wallProfileId":"a"}`, false, "", ""},
		{"{\"content\":\"\xff\"}", false, "", ""},
		{`{"content":"\ud800"}`, false, "", ""},
		{`{"content":"\ud83d\udc30"}`, true, "\U0001F430", ""},
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

// The body decoder only accepts strict JSON: whatever it accepts is valid
// UTF-8, repeats no member name, decodes without replacing text with
// U+FFFD, and survives re-encoding unchanged. The oracles here are
// independent of jsoncheck.
func FuzzDecodeBodyStrict(f *testing.F) {
	for _, seed := range []string{`{"a":1}`, `{"a":1,"a":2}`, `{"a":{"b":1,"b":2}}`, `[{"a":1},{"a":1}]`,
		`{"a":"\ud800"}`, `{"a":"\ud83d\udc30"}`, "{\"a\":\"\xff\"}", `"\ufffd"`, `{"\u0061":1,"a":2}`, `[1, "x", null, true]`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := newRequest(body)
		var v any
		if !r.decodeBody(&v, "a JSON value") {
			if len(r.errs) == 0 {
				t.Fatal("refused without an error")
			}
			return
		}
		if !utf8.ValidString(body) {
			t.Fatalf("accepted invalid UTF-8 %q", body)
		}
		if name, ok := jsonchecktest.RepeatedName([]byte(body)); ok {
			t.Fatalf("accepted repeated member %q in %q", name, body)
		}
		if hasReplacement(v) && !strings.Contains(body, "\uFFFD") && !strings.Contains(strings.ToLower(body), `\ufffd`) {
			t.Fatalf("accepted %q, which decodes to U+FFFD it does not contain", body)
		}
		enc, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("re-encode %#v: %v", v, err)
		}
		var again any
		if err := json.Unmarshal(enc, &again); err != nil || !reflect.DeepEqual(again, v) {
			t.Fatalf("%q re-encodes as %s, which decodes to %#v (%v), want %#v", body, enc, again, err, v)
		}
	})
}

// hasReplacement reports whether a decoded value holds U+FFFD anywhere.
func hasReplacement(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.ContainsRune(v, utf8.RuneError)
	case []any:
		for _, e := range v {
			if hasReplacement(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range v {
			if strings.ContainsRune(k, utf8.RuneError) || hasReplacement(e) {
				return true
			}
		}
	}
	return false
}
