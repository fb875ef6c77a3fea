package commands

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/stockctl/stockctl/domain"
)

// Limits on the free-text fields of an operation, the same from every front end.
const (
	MaxNoteLength     = 500
	MaxOperatorLength = 64
	MaxKeyLength      = 100
	// KeyPrefix starts the command ID made from a user's idempotency key, so that a key
	// never collides with a generated command ID.
	KeyPrefix   = "key:"
	maxKeyBytes = domain.MaxIDLength - len(KeyPrefix)
)

// ErrInvalidText means a note, operator or idempotency key was refused.
var ErrInvalidText = errors.New("invalid text")

// CheckText accepts printable text of at most max characters. Its error reads after the
// field's name: "note has 501 characters, at most 500 allowed".
func CheckText(s string, max int) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: is not valid UTF-8", ErrInvalidText)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Errorf("%w: has %d characters, at most %d allowed", ErrInvalidText, n, max)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return fmt.Errorf("%w: contains the non-printable character %U", ErrInvalidText, r)
		}
	}
	return nil
}

// CommandIDForKey returns the command ID an idempotency key stands for: the same key
// always gives the same command, which the ledger accepts at most once.
func CommandIDForKey(key string) (string, error) {
	if CheckText(key, MaxKeyLength) != nil || key == "" || len(key) > maxKeyBytes {
		return "", fmt.Errorf("%w: must be 1 to %d printable characters (%d bytes)", ErrInvalidText, MaxKeyLength, maxKeyBytes)
	}
	return KeyPrefix + key, nil
}

// TextMessage is err without its ErrInvalidText prefix, for showing after a field name.
func TextMessage(err error) string {
	msg := err.Error()
	if p := ErrInvalidText.Error() + ": "; len(msg) > len(p) && msg[:len(p)] == p {
		return msg[len(p):]
	}
	return msg
}
