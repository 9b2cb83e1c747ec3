package bunnybook

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Input limits (spec §2).
const (
	UsernameMin, UsernameMax = 2, 32
	PasswordMin, PasswordMax = 8, 64
	PostMax                  = 4096
	CommentMax               = 1024
	ChatMessageMax           = 4096
	SearchLimit              = 5
)

// Page limits: default and maximum per list.
var (
	PostPageLimits         = Limits{Default: 10, Max: 20}
	CommentPageLimits      = Limits{Default: 10, Max: 20}
	NotificationPageLimits = Limits{Default: 10, Max: 20}
	ConversationPageLimits = Limits{Default: 10, Max: 20}
	MessagePageLimits      = Limits{Default: 20, Max: 20}
	ProfilePageLimits      = Limits{Default: 20, Max: 50}
)

// Limits bounds the size of one page of a list.
type Limits struct{ Default, Max int }

// Check returns the page size for a requested limit (0 = default), or an
// EInvalid error naming field "limit".
func (l Limits) Check(limit int) (int, error) {
	switch {
	case limit == 0:
		return l.Default, nil
	case limit < 1 || limit > l.Max:
		return 0, Invalid("limit", "must be between 1 and %d", l.Max)
	}
	return limit, nil
}

var usernameRE = regexp.MustCompile(`^[a-zA-Z0-9]+([-_.][a-zA-Z0-9]+)*$`)

// ValidateUsername checks length (2..32) and shape: alphanumeric runs
// joined by single '-', '_' or '.'.
func ValidateUsername(s string) error {
	if n := len(s); n < UsernameMin || n > UsernameMax {
		return Invalid("username", "must be %d to %d characters", UsernameMin, UsernameMax)
	}
	if !usernameRE.MatchString(s) {
		return Invalid("username", "must be letters and digits, optionally joined by single '-', '_' or '.'")
	}
	return nil
}

// NormalizeEmail validates an e-mail address ("Name <addr>" is accepted)
// and returns the bare address, lower-cased.
func NormalizeEmail(s string) (string, error) {
	if len(s) > 254 {
		return "", Invalid("email", "is too long")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", Invalid("email", "must be a valid e-mail address")
	}
	at := strings.LastIndexByte(a.Address, '@')
	if at < 1 || !strings.Contains(a.Address[at:], ".") {
		return "", Invalid("email", "must be a valid e-mail address")
	}
	return strings.ToLower(a.Address), nil
}

// ValidatePassword checks the password length (8..64 characters).
func ValidatePassword(s string) error {
	if n := utf8.RuneCountInString(s); n < PasswordMin || n > PasswordMax {
		return Invalid("password", "must be %d to %d characters", PasswordMin, PasswordMax)
	}
	return nil
}

// ValidateText checks user text: valid UTF-8, 1..max characters, and (when
// notBlank) not only whitespace.
func ValidateText(field, s string, max int, notBlank bool) error {
	if !utf8.ValidString(s) {
		return Invalid(field, "must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n < 1 || n > max {
		return Invalid(field, "must be 1 to %d characters", max)
	}
	if notBlank && strings.TrimSpace(s) == "" {
		return Invalid(field, "must not be blank")
	}
	return nil
}

// ParseID validates a UUID given for field and returns it lower-cased.
func ParseID(field, s string) (string, error) {
	if !ValidID(s) {
		return "", Invalid(field, "must be a UUID")
	}
	return strings.ToLower(s), nil
}

// ParsePrivacy checks a post privacy ("" = PUBLIC).
func ParsePrivacy(s string) (Privacy, error) {
	switch Privacy(s) {
	case "", Public:
		return Public, nil
	case Friends:
		return Friends, nil
	}
	return "", Invalid("privacy", "must be PUBLIC or FRIENDS")
}
