package bunnybook

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"time"
)

// NewID returns a version 7 UUID (RFC 9562) in canonical lower-case form:
// 48 bits of Unix milliseconds and 12 bits of sub-millisecond time, then
// random bits. Ids made later sort later, so lists ordered by (created_at,
// id) show items of the same millisecond in the order they were created.
func NewID() string {
	var b [16]byte
	now := time.Now()
	binary.BigEndian.PutUint64(b[0:8], uint64(now.UnixMilli())<<16)
	sub := uint16(now.Nanosecond() % 1e6 * 4096 / 1e6) // quarter-microsecond steps
	binary.BigEndian.PutUint16(b[6:8], 0x7000|sub)
	if _, err := rand.Read(b[8:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// ValidID reports whether s is a UUID in canonical form (any version,
// either case).
func ValidID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
