package domain_test

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/domain"
)

// mustQuantity parses s or fails the test.
func mustQuantity(tb testing.TB, s string) domain.Quantity {
	tb.Helper()
	q, err := domain.ParseQuantity(s)
	if err != nil {
		tb.Fatalf("ParseQuantity(%q): %v", s, err)
	}
	return q
}

// mustCents builds a quantity of n hundredths or fails the test.
func mustCents(tb testing.TB, n int64) domain.Quantity {
	tb.Helper()
	q, err := domain.QuantityFromCents(n)
	if err != nil {
		tb.Fatalf("QuantityFromCents(%d): %v", n, err)
	}
	return q
}

func TestParseQuantityAccepts(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		want      string
		wantCents int64
	}{
		{name: "whole number", in: "1", want: "1.00", wantCents: 100},
		{name: "one decimal is padded", in: "12.5", want: "12.50", wantCents: 1250},
		{name: "two decimals", in: "12.50", want: "12.50", wantCents: 1250},
		{name: "smallest positive amount", in: "0.01", want: "0.01", wantCents: 1},
		{name: "leading zero before the dot", in: "0.5", want: "0.50", wantCents: 50},
		{name: "leading zeros are dropped", in: "007", want: "7.00", wantCents: 700},
		{name: "many leading zeros do not count towards the maximum", in: "0000000000000001", want: "1.00", wantCents: 100},
		{name: "maximum", in: "99999999.99", want: "99999999.99", wantCents: 9_999_999_999},
		{name: "largest whole number", in: "99999999", want: "99999999.00", wantCents: 9_999_999_900},
		{name: "trailing zero decimals", in: "3.00", want: "3.00", wantCents: 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := domain.ParseQuantity(tt.in)
			if err != nil {
				t.Fatalf("ParseQuantity(%q): %v", tt.in, err)
			}
			if got := q.String(); got != tt.want {
				t.Errorf("ParseQuantity(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
			if got := q.Cents(); got != tt.wantCents {
				t.Errorf("ParseQuantity(%q).Cents() = %d, want %d", tt.in, got, tt.wantCents)
			}
			if q.IsZero() {
				t.Errorf("ParseQuantity(%q).IsZero() = true, want false", tt.in)
			}
		})
	}
}

func TestParseQuantityRejects(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantMsg string // substring of the error message; empty means only errors.Is is checked
	}{
		{name: "zero", in: "0", wantMsg: "must be greater than zero"},
		{name: "zero with decimals", in: "0.00", wantMsg: "must be greater than zero"},
		{name: "negative", in: "-1", wantMsg: "must be positive"},
		{name: "negative with decimals", in: "-1.50", wantMsg: "must be positive"},
		{name: "letters", in: "abc", wantMsg: "not a decimal number"},
		{name: "decimal comma", in: "12,5", wantMsg: "use a dot for decimals (12.5)"},
		{name: "exponent", in: "1e3"},
		{name: "NaN", in: "NaN"},
		{name: "Inf", in: "Inf"},
		{name: "three decimals", in: "1.234", wantMsg: "at most two decimal places"},
		{name: "one above the maximum whole part", in: "100000000", wantMsg: "above the maximum 99999999.99"},
		{name: "far above the maximum", in: "99999999999999999999999"},
		{name: "empty", in: "", wantMsg: "empty"},
		{name: "leading space", in: " 5"},
		{name: "trailing space", in: "5 "},
		{name: "plus sign", in: "+5"},
		{name: "no digit before the dot", in: ".5"},
		{name: "no digit after the dot", in: "5."},
		{name: "lone dot", in: "."},
		{name: "hexadecimal", in: "0x10"},
		{name: "exponent overflowing float64", in: "1e309"},
		{name: "fullwidth digits", in: "１２"},
		{name: "two dots", in: "1.2.3"},
		{name: "thousands separator and dot", in: "1,000.50"},
		{name: "underscore separator", in: "1_000"},
		{name: "NUL byte", in: "5\x00"},
		{name: "invalid UTF-8", in: "5\xff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := domain.ParseQuantity(tt.in)
			if !errors.Is(err, domain.ErrInvalidQuantity) {
				t.Fatalf("ParseQuantity(%q) error = %v, want ErrInvalidQuantity", tt.in, err)
			}
			if !q.IsZero() {
				t.Errorf("ParseQuantity(%q) returned %s with an error, want the zero Quantity", tt.in, q)
			}
			if tt.wantMsg != "" && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("ParseQuantity(%q) error = %q, want it to contain %q", tt.in, err, tt.wantMsg)
			}
		})
	}
}

// A suggested correction for a decimal comma must itself be accepted, or the user is told
// to retype one invalid value as another.
func TestParseQuantityCommaHintIsValid(t *testing.T) {
	const prefix = "use a dot for decimals ("
	tests := []struct {
		name string
		in   string
	}{
		{name: "decimal comma", in: "12,5"},
		{name: "decimal comma with two places", in: "0,25"},
		{name: "thousands separator", in: "1,000"},
		{name: "nothing before the comma", in: ",5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := domain.ParseQuantity(tt.in)
			if !errors.Is(err, domain.ErrInvalidQuantity) {
				t.Fatalf("ParseQuantity(%q) error = %v, want ErrInvalidQuantity", tt.in, err)
			}
			msg := err.Error()
			_, hint, ok := strings.Cut(msg, prefix)
			if !ok {
				return // no suggestion offered, nothing to check
			}
			hint = strings.TrimSuffix(hint, ")")
			if _, err := domain.ParseQuantity(hint); err != nil {
				t.Errorf("ParseQuantity(%q) suggests %q, which is rejected: %v", tt.in, hint, err)
			}
		})
	}
}

func TestQuantityString(t *testing.T) {
	tests := []struct {
		name  string
		cents int64
		want  string
	}{
		{name: "zero", cents: 0, want: "0.00"},
		{name: "one hundredth", cents: 1, want: "0.01"},
		{name: "single digit hundredths", cents: 5, want: "0.05"},
		{name: "tenths", cents: 10, want: "0.10"},
		{name: "whole", cents: 100, want: "1.00"},
		{name: "mixed", cents: 1250, want: "12.50"},
		{name: "maximum", cents: 9_999_999_999, want: "99999999.99"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustCents(t, tt.cents).String(); got != tt.want {
				t.Errorf("QuantityFromCents(%d).String() = %q, want %q", tt.cents, got, tt.want)
			}
		})
	}
}

// Every quantity's String is accepted by ParseQuantity and gives back the same quantity.
func TestQuantityStringParsesBack(t *testing.T) {
	for _, cents := range []int64{1, 9, 10, 99, 100, 101, 1234, 100_000, 9_999_999_998, 9_999_999_999} {
		q := mustCents(t, cents)
		got, err := domain.ParseQuantity(q.String())
		if err != nil {
			t.Errorf("ParseQuantity(%q): %v", q, err)
			continue
		}
		if got != q {
			t.Errorf("ParseQuantity(%q) = %d cents, want %d", q, got.Cents(), cents)
		}
	}
}

func TestQuantityCmp(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want int
	}{
		{name: "less", a: "1", b: "2", want: -1},
		{name: "greater", a: "2", b: "1", want: 1},
		{name: "equal with different spelling", a: "12.5", b: "12.50", want: 0},
		{name: "hundredth apart", a: "0.01", b: "0.02", want: -1},
		{name: "decimals are not compared as text", a: "9.9", b: "10", want: -1},
		{name: "maximum above everything", a: "99999999.99", b: "99999999.98", want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := mustQuantity(t, tt.a), mustQuantity(t, tt.b)
			if got := a.Cmp(b); got != tt.want {
				t.Errorf("%s.Cmp(%s) = %d, want %d", a, b, got, tt.want)
			}
			if got := b.Cmp(a); got != -tt.want {
				t.Errorf("%s.Cmp(%s) = %d, want %d", b, a, got, -tt.want)
			}
		})
	}
}

func TestQuantityFromCents(t *testing.T) {
	tests := []struct {
		name    string
		cents   int64
		wantErr bool
	}{
		{name: "zero is a valid level", cents: 0},
		{name: "one hundredth", cents: 1},
		{name: "maximum", cents: 9_999_999_999},
		{name: "negative", cents: -1, wantErr: true},
		{name: "one above the maximum", cents: 10_000_000_000, wantErr: true},
		{name: "smallest int64", cents: math.MinInt64, wantErr: true},
		{name: "largest int64", cents: math.MaxInt64, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := domain.QuantityFromCents(tt.cents)
			if tt.wantErr {
				if !errors.Is(err, domain.ErrInvalidQuantity) {
					t.Fatalf("QuantityFromCents(%d) error = %v, want ErrInvalidQuantity", tt.cents, err)
				}
				if !q.IsZero() {
					t.Errorf("QuantityFromCents(%d) returned %s with an error, want zero", tt.cents, q)
				}
				return
			}
			if err != nil {
				t.Fatalf("QuantityFromCents(%d): %v", tt.cents, err)
			}
			if q.Cents() != tt.cents {
				t.Errorf("QuantityFromCents(%d).Cents() = %d", tt.cents, q.Cents())
			}
			if q.IsZero() != (tt.cents == 0) {
				t.Errorf("QuantityFromCents(%d).IsZero() = %v", tt.cents, q.IsZero())
			}
		})
	}
}

func TestMaxQuantity(t *testing.T) {
	if got := domain.MaxQuantity.String(); got != "99999999.99" {
		t.Errorf("MaxQuantity = %q, want 99999999.99", got)
	}
	if got := domain.MaxQuantity.Cmp(mustQuantity(t, "99999999.99")); got != 0 {
		t.Errorf("MaxQuantity differs from ParseQuantity(\"99999999.99\"): Cmp = %d", got)
	}
}

func TestQuantityJSONRoundTrip(t *testing.T) {
	type doc struct {
		Q domain.Quantity `json:"q"`
	}
	tests := []struct {
		name     string
		cents    int64
		wantJSON string
	}{
		{name: "zero level", cents: 0, wantJSON: `{"q":"0.00"}`},
		{name: "one hundredth", cents: 1, wantJSON: `{"q":"0.01"}`},
		{name: "mixed", cents: 1250, wantJSON: `{"q":"12.50"}`},
		{name: "maximum", cents: 9_999_999_999, wantJSON: `{"q":"99999999.99"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := doc{Q: mustCents(t, tt.cents)}
			b, err := json.Marshal(in)
			if err != nil {
				t.Fatalf("json.Marshal: %v", err)
			}
			if string(b) != tt.wantJSON {
				t.Errorf("json.Marshal = %s, want %s", b, tt.wantJSON)
			}
			var out doc
			if err := json.Unmarshal(b, &out); err != nil {
				t.Fatalf("json.Unmarshal(%s): %v", b, err)
			}
			if out != in {
				t.Errorf("round trip = %s, want %s", out.Q, in.Q)
			}
		})
	}
}

func TestQuantityMarshalText(t *testing.T) {
	b, err := mustQuantity(t, "12.5").MarshalText()
	if err != nil {
		t.Fatalf("MarshalText: %v", err)
	}
	if string(b) != "12.50" {
		t.Errorf("MarshalText = %q, want %q", b, "12.50")
	}
}

func TestQuantityUnmarshalTextRejects(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{name: "three decimals", in: "1.234"},
		{name: "negative", in: "-1.00"},
		{name: "decimal comma", in: "12,5"},
		{name: "empty", in: ""},
		{name: "above the maximum", in: "100000000.00"},
		{name: "exponent", in: "1e3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := mustQuantity(t, "7")
			err := q.UnmarshalText([]byte(tt.in))
			if !errors.Is(err, domain.ErrInvalidQuantity) {
				t.Fatalf("UnmarshalText(%q) error = %v, want ErrInvalidQuantity", tt.in, err)
			}
			if q.String() != "7.00" {
				t.Errorf("UnmarshalText(%q) failed but changed the quantity to %s", tt.in, q)
			}
		})
	}
}

func TestQuantityJSONRejectsNumber(t *testing.T) {
	var out struct {
		Q domain.Quantity `json:"q"`
	}
	for _, in := range []string{`{"q":12.5}`, `{"q":12}`, `{"q":true}`} {
		if err := json.Unmarshal([]byte(in), &out); err == nil {
			t.Errorf("json.Unmarshal(%s) = nil error, want a quantity given as a JSON number to be rejected", in)
		}
	}
}

func TestParseSignedQuantity(t *testing.T) {
	tests := []struct {
		name         string
		in           string
		want         string
		wantNegative bool
	}{
		{name: "negative whole", in: "-12", want: "12.00", wantNegative: true},
		{name: "positive whole", in: "30", want: "30.00"},
		{name: "negative with decimals", in: "-12.5", want: "12.50", wantNegative: true},
		{name: "negative maximum", in: "-99999999.99", want: "99999999.99", wantNegative: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, negative, err := domain.ParseSignedQuantity(tt.in)
			if err != nil {
				t.Fatalf("ParseSignedQuantity(%q): %v", tt.in, err)
			}
			if q.String() != tt.want || negative != tt.wantNegative {
				t.Errorf("ParseSignedQuantity(%q) = %s, %v; want %s, %v", tt.in, q, negative, tt.want, tt.wantNegative)
			}
		})
	}
}

func TestParseSignedQuantityRejects(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{name: "negative zero", in: "-0"},
		{name: "zero", in: "0"},
		{name: "double minus", in: "--5"},
		{name: "lone minus", in: "-"},
		{name: "plus sign", in: "+5"},
		{name: "space after the minus", in: "- 5"},
		{name: "negative decimal comma", in: "-12,5"},
		{name: "empty", in: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := domain.ParseSignedQuantity(tt.in)
			if !errors.Is(err, domain.ErrInvalidQuantity) {
				t.Errorf("ParseSignedQuantity(%q) error = %v, want ErrInvalidQuantity", tt.in, err)
			}
		})
	}
}

// FuzzParseQuantity: whatever is accepted formats back to a string that parses to the
// same quantity, within the ledger's range.
func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"1", "12.5", "0.01", "99999999.99", "100000000", "1e3", "-1", "12,5", " 5", "007"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := domain.ParseQuantity(s)
		if err != nil {
			return
		}
		if q.Cents() <= 0 || q.Cmp(domain.MaxQuantity) > 0 {
			t.Fatalf("ParseQuantity(%q) = %s, out of range", s, q)
		}
		back, err := domain.ParseQuantity(q.String())
		if err != nil || back != q {
			t.Fatalf("%q -> %s -> %v, %v", s, q, back, err)
		}
	})
}
