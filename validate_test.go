package bunnybook

import (
	"strings"
	"testing"
	"time"
)

func TestValidateUsername(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"bo", true}, {"Bugs.Bunny", true}, {"a-b_c.d", true}, {strings.Repeat("x", 32), true},
		{"b", false}, {strings.Repeat("x", 33), false}, {".bugs", false}, {"bugs_", false},
		{"bu__gs", false}, {"bu gs", false}, {"bugs\n", false}, {"bügs", false},
	}
	for _, tt := range tests {
		if err := ValidateUsername(tt.in); (err == nil) != tt.ok {
			t.Errorf("ValidateUsername(%q) = %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Bugs@Example.COM", "bugs@example.com"},
		{"Bugs Bunny <bugs@example.com>", "bugs@example.com"},
		{"not-an-email", ""}, {"a@b", ""}, {"@example.com", ""},
	}
	for _, tt := range tests {
		got, err := NormalizeEmail(tt.in)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestValidateText(t *testing.T) {
	tests := []struct {
		in       string
		notBlank bool
		ok       bool
	}{
		{"hi", true, true}, {"   ", false, true}, {"   ", true, false}, {"", false, false},
		{strings.Repeat("é", 10), true, true}, {strings.Repeat("é", 11), true, false}, {"\xff", false, false},
	}
	for _, tt := range tests {
		if err := ValidateText("content", tt.in, 10, tt.notBlank); (err == nil) != tt.ok {
			t.Errorf("ValidateText(%q, notBlank=%v) = %v, want ok=%v", tt.in, tt.notBlank, err, tt.ok)
		}
	}
}

func TestLimits(t *testing.T) {
	l := Limits{Default: 10, Max: 20}
	for in, want := range map[int]int{0: 10, 1: 1, 20: 20} {
		if got, err := l.Check(in); got != want || err != nil {
			t.Errorf("Check(%d) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []int{-1, 21} {
		if _, err := l.Check(in); ErrorKind(err) != EInvalid {
			t.Errorf("Check(%d) = %v, want an invalid error", in, err)
		}
	}
}

func TestIDs(t *testing.T) {
	id := NewID()
	if !ValidID(id) || id[14] != '7' || !strings.ContainsAny(id[19:20], "89ab") {
		t.Fatalf("NewID() = %q, want a canonical v7 UUID", id)
	}
	time.Sleep(time.Microsecond)
	if later := NewID(); later <= id {
		t.Fatalf("NewID() = %q after %q, want a later id to sort later", later, id)
	}
	if got, err := ParseID("id", strings.ToUpper(id)); got != id || err != nil {
		t.Fatalf("ParseID(upper) = %q, %v; want %q", got, err, id)
	}
	for _, bad := range []string{"", "x", id[:35], id + "0", strings.Replace(id, "-", "x", 1)} {
		if ValidID(bad) {
			t.Errorf("ValidID(%q) = true", bad)
		}
	}
}

func TestTime(t *testing.T) {
	tm := At(time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("x", 3600)))
	b, _ := tm.MarshalJSON()
	if string(b) != `"2024-05-06T06:08:09.123Z"` {
		t.Fatalf("MarshalJSON = %s", b)
	}
	var back Time
	if err := back.UnmarshalJSON(b); err != nil || !back.Equal(tm.Time) {
		t.Fatalf("round trip = %v, %v", back, err)
	}
	for _, s := range []string{"2024-05-06T06:08:09Z", "2024-05-06T06:08:09.123456+02:00", "2024-05-06T06:08:09", "2024-05-06"} {
		if _, err := ParseTime(s); err != nil {
			t.Errorf("ParseTime(%q): %v", s, err)
		}
	}
	if _, err := ParseTime("yesterday"); err == nil {
		t.Error("ParseTime(yesterday) succeeded")
	}
}

func TestPreview(t *testing.T) {
	if got := preview(strings.Repeat("ü", 32)); got != strings.Repeat("ü", 32) {
		t.Errorf("preview of 32 runes changed it: %q", got)
	}
	if got := preview(strings.Repeat("ü", 33)); got != strings.Repeat("ü", 32)+"..." {
		t.Errorf("preview of 33 runes = %q", got)
	}
}
