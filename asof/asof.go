// Package asof reads the two moments an as-of query looks at the ledger from, one per
// clock: a business date (stock --as-of, ?as_of=) and a recorded time (--as-known-at,
// ?as_known_at=). The CLI, the API and the read model share it, so that one input means
// the same moment everywhere.
package asof

import (
	"fmt"
	"strings"
	"time"

	"github.com/stockctl/stockctl/domain"
)

// Moment is what an as-of query counts. The zero Moment is now: every operation the read
// model holds. Both parts may be set: what the ledger knew at KnownAt about Date.
type Moment struct {
	// Date, when not zero, counts only the operations dated at or before it.
	Date domain.BusinessDate
	// KnownAt, when not zero, counts only the operations recorded at or before it, to
	// the second: what the ledger knew then.
	KnownAt time.Time
}

// IsNow reports whether m counts every operation.
func (m Moment) IsNow() bool { return m.Date.IsZero() && m.KnownAt.IsZero() }

// DateText is m's business date as the read model writes dates, "" when unset.
func (m Moment) DateText() string {
	if m.Date.IsZero() {
		return ""
	}
	return m.Date.String()
}

// KnownAtText is m's recorded time in RFC 3339 with the offset it was given in, ""
// when unset: "2024-05-03T10:00:00+02:00".
func (m Moment) KnownAtText() string {
	if m.KnownAt.IsZero() {
		return ""
	}
	return m.KnownAt.Format(time.RFC3339)
}

// String says in words which moment m is, for a line above a table:
// "as of 2024-05-01 23:59:59 (business date); as known at 2024-05-03 10:00:00 +02:00
// (recorded by then)".
func (m Moment) String() string {
	var parts []string
	if !m.Date.IsZero() {
		parts = append(parts, "as of "+m.Date.String()+" (business date)")
	}
	if !m.KnownAt.IsZero() {
		parts = append(parts, "as known at "+m.KnownAt.Format("2006-01-02 15:04:05 -07:00")+" (recorded by then)")
	}
	if len(parts) == 0 {
		return "now"
	}
	return strings.Join(parts, "; ")
}

// ParseDate reads a business-date cutoff. "YYYY-MM-DD" is the end of that day, so that
// every operation of the day counts, as a day's closing stock; "YYYY-MM-DD HH:MM:SS" is
// that second. A date after today is allowed: nothing later is counted yet. Errors match
// domain.ErrInvalidDate.
func ParseDate(s string) (domain.BusinessDate, error) {
	d, err := domain.ParseBusinessDate(s)
	if err != nil || len(s) != len("2006-01-02") {
		return d, err
	}
	return domain.ParseBusinessDate(s + " 23:59:59")
}

// ParseKnownAt reads a recorded-time cutoff: "YYYY-MM-DD HH:MM:SS" on the clock of loc
// (the machine's local time zone), "YYYY-MM-DD" the end of that day there, or RFC 3339
// with its own offset ("2024-05-03T08:00:00Z", as history's recorded_at shows it).
// Errors match domain.ErrInvalidDate.
func ParseKnownAt(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{domain.BusinessDateLayout, "2006-01-02"} {
		t, err := time.ParseInLocation(layout, s, loc)
		// time.Parse also takes one-digit hours; only the exact layout is meant.
		if err != nil || t.Format(layout) != s {
			continue
		}
		if layout == "2006-01-02" {
			t = t.AddDate(0, 0, 1).Add(-time.Second)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%w: %q: use \"YYYY-MM-DD HH:MM:SS\" (local time), YYYY-MM-DD (the end of that day) or RFC 3339 (2024-05-03T08:00:00Z)",
		domain.ErrInvalidDate, strings.ToValidUTF8(s, "?"))
}
