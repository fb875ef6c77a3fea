package domain

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxProductIDLength is the longest product ID, in characters.
const MaxProductIDLength = 64

// ProductID identifies a product. It is also the Kafka record key, so all events of a
// product stay in one partition, in order.
type ProductID struct {
	id string
}

// ParseProductID trims surrounding white space and checks the product ID rules: valid
// UTF-8, 1 to 64 characters, every character printable (no control, format or bidi
// characters).
func ParseProductID(s string) (ProductID, error) {
	t := strings.TrimSpace(s)
	if !utf8.ValidString(t) {
		return ProductID{}, fmt.Errorf("%w: not valid UTF-8", ErrInvalidProduct)
	}
	if t == "" {
		return ProductID{}, fmt.Errorf("%w: empty; give a product ID such as P1", ErrInvalidProduct)
	}
	if n := utf8.RuneCountInString(t); n > MaxProductIDLength {
		return ProductID{}, fmt.Errorf("%w: %d characters, at most %d allowed", ErrInvalidProduct, n, MaxProductIDLength)
	}
	for i, r := range t {
		// unicode.IsPrint excludes control characters and the Cf format characters that
		// include the bidi overrides, which could make a ledger line read differently
		// from what it holds.
		if !unicode.IsPrint(r) && r != ' ' {
			return ProductID{}, fmt.Errorf("%w: character %U at byte %d is not printable", ErrInvalidProduct, r, i)
		}
	}
	return ProductID{id: t}, nil
}

// String returns the product ID as text.
func (p ProductID) String() string { return p.id }

// IsZero reports whether p is the zero ProductID.
func (p ProductID) IsZero() bool { return p.id == "" }
