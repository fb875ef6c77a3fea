package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stockctl/stockctl/domain"
)

// mustProduct parses s or fails the test.
func mustProduct(tb testing.TB, s string) domain.ProductID {
	tb.Helper()
	p, err := domain.ParseProductID(s)
	if err != nil {
		tb.Fatalf("ParseProductID(%q): %v", s, err)
	}
	return p
}

// mustDate parses s or fails the test.
func mustDate(tb testing.TB, s string) domain.BusinessDate {
	tb.Helper()
	d, err := domain.ParseBusinessDate(s)
	if err != nil {
		tb.Fatalf("ParseBusinessDate(%q): %v", s, err)
	}
	return d
}

func TestParseProductIDAccepts(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "plain", in: "P1", want: "P1"},
		{name: "surrounding spaces are trimmed", in: "  P1 ", want: "P1"},
		{name: "surrounding tabs and newlines are trimmed", in: "\tP1\r\n", want: "P1"},
		{name: "surrounding no-break spaces are trimmed", in: "\u00a0P1\u00a0", want: "P1"},
		{name: "single character", in: "x", want: "x"},
		{name: "space inside", in: "Product 1", want: "Product 1"},
		{name: "SQL-looking text is data", in: "'; DROP TABLE operations; --", want: "'; DROP TABLE operations; --"},
		{name: "HTML is data", in: "<script>alert(1)</script>", want: "<script>alert(1)</script>"},
		{name: "accented letters", in: "Café crème", want: "Café crème"},
		{name: "CJK", in: "商品1", want: "商品1"},
		{name: "emoji", in: "📦-1", want: "📦-1"},
		{name: "64 ASCII characters", in: strings.Repeat("a", 64), want: strings.Repeat("a", 64)},
		{name: "64 two-byte characters count as 64", in: strings.Repeat("é", 64), want: strings.Repeat("é", 64)},
		{name: "64 four-byte characters count as 64", in: strings.Repeat("📦", 64), want: strings.Repeat("📦", 64)},
		{name: "64 characters plus trimmed spaces", in: "  " + strings.Repeat("a", 64) + "  ", want: strings.Repeat("a", 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := domain.ParseProductID(tt.in)
			if err != nil {
				t.Fatalf("ParseProductID(%q): %v", tt.in, err)
			}
			if got := p.String(); got != tt.want {
				t.Errorf("ParseProductID(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if p.IsZero() {
				t.Errorf("ParseProductID(%q).IsZero() = true", tt.in)
			}
		})
	}
}

func TestParseProductIDRejects(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{name: "empty", in: ""},
		{name: "spaces only", in: "   "},
		{name: "white space only", in: "\t\r\n\u00a0"},
		{name: "control character", in: "P\x01"},
		{name: "NUL byte", in: "P\x00"},
		{name: "tab inside", in: "P\t1"},
		{name: "newline inside", in: "P\n1"},
		{name: "DEL", in: "P\x7f"},
		{name: "C1 control inside", in: "P\u00851"},
		{name: "no-break space inside", in: "P\u00a01"},
		{name: "line separator inside", in: "P\u20281"},
		{name: "bidi override", in: "P\u202e1"},
		{name: "bidi isolate", in: "P\u20661"},
		{name: "zero-width joiner", in: "P\u200d1"},
		{name: "zero-width space", in: "P\u200b1"},
		{name: "byte order mark", in: "\ufeffP1"},
		{name: "private use character", in: "P\ue000"},
		{name: "invalid UTF-8", in: "P\xff"},
		{name: "truncated UTF-8 sequence", in: "P\xc3"},
		{name: "65 ASCII characters", in: strings.Repeat("a", 65)},
		{name: "65 two-byte characters", in: strings.Repeat("é", 65)},
		{name: "65 four-byte characters", in: strings.Repeat("📦", 65)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := domain.ParseProductID(tt.in)
			if !errors.Is(err, domain.ErrInvalidProduct) {
				t.Fatalf("ParseProductID(%q) = %q, %v; want ErrInvalidProduct", tt.in, p, err)
			}
			if !p.IsZero() {
				t.Errorf("ParseProductID(%q) returned %q with an error, want the zero ProductID", tt.in, p)
			}
			if !utf8.ValidString(err.Error()) {
				t.Errorf("ParseProductID(%q) error message is not valid UTF-8: %q", tt.in, err)
			}
		})
	}
}

func TestProductIDEquality(t *testing.T) {
	a, b := mustProduct(t, " P1\t"), mustProduct(t, "P1")
	if a != b {
		t.Errorf("ParseProductID(%q) != ParseProductID(%q); trimmed IDs must compare equal", " P1\t", "P1")
	}
	if c := mustProduct(t, "p1"); c == b {
		t.Errorf("ParseProductID(%q) == ParseProductID(%q); IDs are case-sensitive", "p1", "P1")
	}
	var zero domain.ProductID
	if !zero.IsZero() || zero.String() != "" {
		t.Errorf("zero ProductID: IsZero() = %v, String() = %q", zero.IsZero(), zero.String())
	}
}

// Business dates are tested here because date_test.go was not part of this change.

func TestParseBusinessDateAccepts(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "leap day", in: "2024-02-29", want: "2024-02-29 00:00:00"},
		{name: "date only is midnight", in: "2023-01-15", want: "2023-01-15 00:00:00"},
		{name: "date and time round trip", in: "2024-01-02 10:11:12", want: "2024-01-02 10:11:12"},
		{name: "first year", in: "1900-01-01", want: "1900-01-01 00:00:00"},
		{name: "last second of year 9999", in: "9999-12-31 23:59:59", want: "9999-12-31 23:59:59"},
		{name: "leap day of a century divisible by 400", in: "2000-02-29", want: "2000-02-29 00:00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := domain.ParseBusinessDate(tt.in)
			if err != nil {
				t.Fatalf("ParseBusinessDate(%q): %v", tt.in, err)
			}
			if got := d.String(); got != tt.want {
				t.Errorf("ParseBusinessDate(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
			if d.IsZero() {
				t.Errorf("ParseBusinessDate(%q).IsZero() = true", tt.in)
			}
			again, err := domain.ParseBusinessDate(d.String())
			if err != nil {
				t.Fatalf("ParseBusinessDate(%q) of its own String: %v", d.String(), err)
			}
			if again != d {
				t.Errorf("ParseBusinessDate(String()) = %s, want %s", again, d)
			}
		})
	}
}

func TestParseBusinessDateRejects(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{name: "29 February outside a leap year", in: "2023-02-29"},
		{name: "29 February of a century not divisible by 400", in: "1900-02-29"},
		{name: "31 February", in: "2024-02-31"},
		{name: "31 April", in: "2024-04-31"},
		{name: "all zeros", in: "0000-00-00"},
		{name: "year zero", in: "0000-01-01"},
		{name: "month 13", in: "2024-13-01"},
		{name: "hour 24", in: "2024-01-02 24:00:00"},
		{name: "minute 60", in: "2024-01-02 10:60:00"},
		{name: "ISO 8601 T separator", in: "2024-01-02T10:11:12"},
		{name: "RFC 3339 with zone", in: "2024-01-02T10:11:12Z"},
		{name: "trailing zone letter", in: "2024-01-02 10:11:12Z"},
		{name: "empty", in: ""},
		{name: "slashes", in: "2024/01/02"},
		{name: "day first", in: "02/01/2024"},
		{name: "unpadded month and day", in: "2024-1-2"},
		{name: "missing seconds", in: "2024-01-02 10:11"},
		{name: "leading space", in: " 2024-01-02"},
		{name: "trailing space", in: "2024-01-02 "},
		{name: "invalid UTF-8", in: "2024-01-\xff\xfe"},
		{name: "fractional seconds", in: "2024-01-02 10:11:12.5"},
		{name: "fractional seconds with comma", in: "2024-01-02 10:11:12,5"},
		{name: "one-digit hour", in: "2024-01-02 1:11:12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := domain.ParseBusinessDate(tt.in)
			if !errors.Is(err, domain.ErrInvalidDate) {
				t.Fatalf("ParseBusinessDate(%q) = %s, %v; want ErrInvalidDate", tt.in, d, err)
			}
			if !d.IsZero() {
				t.Errorf("ParseBusinessDate(%q) returned %s with an error, want the zero BusinessDate", tt.in, d)
			}
			if !utf8.ValidString(err.Error()) {
				t.Errorf("ParseBusinessDate(%q) error message is not valid UTF-8: %q", tt.in, err)
			}
		})
	}
}

// The earliest accepted date must still read as set: IsZero means "no date given", and
// the zero BusinessDate must not be indistinguishable from a date the user wrote.
func TestParseBusinessDateEarliestIsNotUnset(t *testing.T) {
	for _, in := range []string{"0001-01-01", "0001-01-01 00:00:00", "1899-12-31"} {
		d, err := domain.ParseBusinessDate(in)
		if err != nil {
			continue // rejecting the first instant would also be a fix
		}
		if d.IsZero() {
			t.Errorf("ParseBusinessDate(%q) succeeded but IsZero() = true", in)
		}
	}
}

func TestBusinessDateTime(t *testing.T) {
	got := mustDate(t, "2024-01-02 10:11:12").Time()
	want := time.Date(2024, time.January, 2, 10, 11, 12, 0, time.UTC)
	if !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("Time() = %v (%v), want %v in UTC", got, got.Location(), want)
	}
}

func TestNewBusinessDate(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{name: "UTC", in: time.Date(2024, 1, 2, 10, 11, 12, 0, time.UTC), want: "2024-01-02 10:11:12"},
		{name: "keeps the wall clock of another zone", in: time.Date(2024, 1, 2, 23, 30, 0, 0, time.FixedZone("UTC-5", -5*3600)), want: "2024-01-02 23:30:00"},
		{name: "truncates to the second", in: time.Date(2024, 1, 2, 10, 11, 12, 999_999_999, time.UTC), want: "2024-01-02 10:11:12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := domain.NewBusinessDate(tt.in)
			if got := d.String(); got != tt.want {
				t.Errorf("NewBusinessDate(%v) = %q, want %q", tt.in, got, tt.want)
			}
			if parsed := mustDate(t, tt.want); parsed != d {
				t.Errorf("NewBusinessDate(%v) != ParseBusinessDate(%q); equal dates must compare equal", tt.in, tt.want)
			}
		})
	}
	var zero domain.BusinessDate
	if !zero.IsZero() {
		t.Errorf("zero BusinessDate: IsZero() = false")
	}
}
