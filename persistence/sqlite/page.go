package sqlite

import (
	"database/sql"

	"github.com/bunnybook/bunnybook"
)

// millis stores a domain time as INTEGER milliseconds since the epoch.
func millis(t bunnybook.Time) int64 { return t.UnixMilli() }

// millisPtr stores an optional time (NULL when nil).
func millisPtr(t *bunnybook.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// timePtr reads an optional time.
func timePtr(ms sql.NullInt64) *bunnybook.Time {
	if !ms.Valid {
		return nil
	}
	t := bunnybook.UnixMilli(ms.Int64)
	return &t
}

// limit is the SQL LIMIT of a page: no limit (-1) when none was given.
func limit(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

// keyset returns the WHERE condition (starting with " AND ") and its
// arguments that select the rows of a newest-first page strictly after the
// cursor, for the given created_at and id columns: nothing for a zero
// Before, created_at < Before without BeforeID, else (created_at, id) <
// (Before, BeforeID).
func keyset(page bunnybook.TimePage, createdAt, id string) (string, []any) {
	switch {
	case page.Before.IsZero():
		return "", nil
	case page.BeforeID == "":
		return " AND " + createdAt + " < ?", []any{millis(page.Before)}
	default:
		return " AND (" + createdAt + ", " + id + ") < (?, ?)", []any{millis(page.Before), page.BeforeID}
	}
}
