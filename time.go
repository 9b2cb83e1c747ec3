package bunnybook

import (
	"fmt"
	"strings"
	"time"
)

// TimeLayout is the wire format of every timestamp: UTC, milliseconds, "Z".
const TimeLayout = "2006-01-02T15:04:05.000Z"

// Time is an instant in UTC with millisecond precision. Everything the
// domain stores is truncated to the millisecond, so a timestamp a client
// got back is exactly the stored value and keyset cursors lose nothing.
type Time struct{ time.Time }

// Now returns the current time truncated to the millisecond.
func Now() Time { return At(time.Now()) }

// At converts t to a Time (UTC, truncated to the millisecond).
func At(t time.Time) Time { return Time{t.UTC().Truncate(time.Millisecond)} }

// UnixMilli returns the Time for ms milliseconds since the epoch.
func UnixMilli(ms int64) Time { return Time{time.UnixMilli(ms).UTC()} }

// String formats t in TimeLayout.
func (t Time) String() string { return t.UTC().Format(TimeLayout) }

// MarshalJSON encodes t in TimeLayout.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.String() + `"`), nil
}

// UnmarshalJSON accepts any RFC 3339 timestamp.
func (t *Time) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	p, err := ParseTime(s)
	if err != nil {
		return err
	}
	*t = p
	return nil
}

// ParseTime parses an ISO-8601 / RFC 3339 timestamp (with or without zone;
// without one it is taken as UTC) and truncates it to the millisecond.
func ParseTime(s string) (Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if p, err := time.Parse(layout, s); err == nil {
			return At(p), nil
		}
	}
	return Time{}, fmt.Errorf("not an ISO-8601 timestamp: %q", s)
}
