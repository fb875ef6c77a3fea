package domain

import (
	"fmt"
	"strconv"
	"strings"
)

// Quantity is an exact, non-negative decimal amount with two places, held in hundredths.
// It mirrors the original database's NUMERIC(10,2).
type Quantity struct {
	cents int64
}

// MaxQuantity is the largest amount the ledger holds: 99,999,999.99.
var MaxQuantity = Quantity{cents: 9_999_999_999}

// QuantityFromCents returns the quantity of n hundredths. It reports ErrInvalidQuantity
// when n is negative or above MaxQuantity.
func QuantityFromCents(n int64) (Quantity, error) {
	if n < 0 || n > MaxQuantity.cents {
		return Quantity{}, fmt.Errorf("%w: %d hundredths is out of range", ErrInvalidQuantity, n)
	}
	return Quantity{cents: n}, nil
}

// ParseQuantity parses a positive decimal such as "12", "12.5" or "12.50". It accepts
// digits with an optional dot and at most two decimals, nothing else: no sign, exponent,
// spaces, comma or thousands separator. The result is greater than zero and at most
// MaxQuantity.
func ParseQuantity(s string) (Quantity, error) {
	q, err := parseAmount(s)
	if err != nil {
		return Quantity{}, err
	}
	if q.cents == 0 {
		return Quantity{}, fmt.Errorf("%w: %q: must be greater than zero", ErrInvalidQuantity, s)
	}
	return q, nil
}

// parseAmount parses a non-negative amount with the syntax of ParseQuantity; zero is allowed.
func parseAmount(s string) (Quantity, error) {
	bad := func(hint string) (Quantity, error) {
		return Quantity{}, fmt.Errorf("%w: %q: %s", ErrInvalidQuantity, s, hint)
	}
	if s == "" {
		return bad("empty; give a positive number such as 5 or 12.50")
	}
	if w, f, ok := strings.Cut(s, ","); ok && digitsOnly(w) && w != "" && digitsOnly(f) && len(f) >= 1 && len(f) <= 2 {
		return bad(fmt.Sprintf("use a dot for decimals (%s)", strings.Replace(s, ",", ".", 1)))
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if !digitsOnly(whole) || whole == "" || (hasDot && !digitsOnly(frac)) || (hasDot && frac == "") {
		if strings.HasPrefix(s, "-") {
			return bad("must be positive")
		}
		return bad("not a decimal number; give digits with an optional dot, such as 5 or 12.50")
	}
	if len(frac) > 2 {
		return bad("at most two decimal places")
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 8 {
		return bad("above the maximum 99999999.99")
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return bad("not a decimal number")
	}
	return Quantity{cents: n}, nil
}

// ParseSignedQuantity parses a quantity with an optional leading minus, as in the original
// CSV's signed operation_qt. It returns the magnitude and whether the sign was negative.
func ParseSignedQuantity(s string) (q Quantity, negative bool, err error) {
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		q, err = ParseQuantity(rest)
		return q, true, err
	}
	q, err = ParseQuantity(s)
	return q, false, err
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Cents returns the quantity in hundredths.
func (q Quantity) Cents() int64 { return q.cents }

// IsZero reports whether q is zero.
func (q Quantity) IsZero() bool { return q.cents == 0 }

// String formats q with exactly two decimals, e.g. "12.50".
func (q Quantity) String() string {
	return fmt.Sprintf("%d.%02d", q.cents/100, q.cents%100)
}

// Cmp compares q with r and returns -1, 0 or +1.
func (q Quantity) Cmp(r Quantity) int {
	switch {
	case q.cents < r.cents:
		return -1
	case q.cents > r.cents:
		return 1
	}
	return 0
}

// MarshalText encodes q as its two-decimal string, so JSON carries it as a string.
func (q Quantity) MarshalText() ([]byte, error) { return []byte(q.String()), nil }

// UnmarshalText decodes a string written by MarshalText. Zero is allowed here because a
// stock level can be zero; event decoding checks that operation quantities are positive.
func (q *Quantity) UnmarshalText(b []byte) error {
	v, err := parseAmount(string(b))
	if err != nil {
		return err
	}
	*q = v
	return nil
}
