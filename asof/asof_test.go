package asof_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stockctl/stockctl/asof"
	"github.com/stockctl/stockctl/domain"
)

// TestParseDate: a day is its end; a second is itself; a later date is a fair question.
func TestParseDate(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2024-05-01", "2024-05-01 23:59:59"},
		{"2024-05-01 08:30:00", "2024-05-01 08:30:00"},
		{"2099-12-31", "2099-12-31 23:59:59"},
	} {
		d, err := asof.ParseDate(tc.in)
		if err != nil || d.String() != tc.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %s", tc.in, d, err, tc.want)
		}
	}
	for _, in := range []string{"", "2024-02-30", "01/05/2024", "2024-05-01T08:30:00", "1899-12-31"} {
		if _, err := asof.ParseDate(in); !errors.Is(err, domain.ErrInvalidDate) {
			t.Errorf("ParseDate(%q): %v, want an invalid date", in, err)
		}
	}
}

// TestParseKnownAt: a wall-clock time is on the given zone's clock, a day its end there,
// RFC 3339 its own.
func TestParseKnownAt(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	for _, tc := range []struct{ in, want string }{
		{"2024-05-03 10:00:00", "2024-05-03T08:00:00Z"},
		{"2024-05-03", "2024-05-03T21:59:59Z"},
		{"2024-01-15 10:00:00", "2024-01-15T09:00:00Z"},
		{"2024-05-03T08:00:00Z", "2024-05-03T08:00:00Z"},
		{"2024-05-03T10:00:00+02:00", "2024-05-03T08:00:00Z"},
	} {
		got, err := asof.ParseKnownAt(tc.in, paris)
		if err != nil || got.UTC().Format(time.RFC3339) != tc.want {
			t.Errorf("ParseKnownAt(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "2024-05-03 25:00:00", "2024-05-03 1:00:00", "yesterday"} {
		if _, err := asof.ParseKnownAt(in, paris); !errors.Is(err, domain.ErrInvalidDate) {
			t.Errorf("ParseKnownAt(%q): %v, want an invalid date", in, err)
		}
	}
}
