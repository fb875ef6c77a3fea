package domain

import (
	"fmt"
	"strings"
	"time"
)

// BusinessDateLayout is how business dates are written on events and in the read model,
// the original database's format.
const BusinessDateLayout = "2006-01-02 15:04:05"

// BusinessDate is the wall-clock date and time an operation took place at the wholesaler,
// as the user gave it: no time zone is attached.
type BusinessDate struct {
	t time.Time
}

// NewBusinessDate returns the business date of t's wall clock, truncated to the second.
func NewBusinessDate(t time.Time) BusinessDate {
	y, mo, d := t.Date()
	return BusinessDate{t: time.Date(y, mo, d, t.Hour(), t.Minute(), t.Second(), 0, time.UTC)}
}

// MinBusinessYear is the earliest year a business date may have.
const MinBusinessYear = 1900

// ParseBusinessDate accepts "YYYY-MM-DD" (midnight) or "YYYY-MM-DD HH:MM:SS" and checks
// that the date exists (no 31 February) and lies in years 1900 to 9999.
func ParseBusinessDate(s string) (BusinessDate, error) {
	layout := BusinessDateLayout
	if len(s) == len("2006-01-02") {
		layout = "2006-01-02"
	}
	t, err := time.Parse(layout, s)
	// time.Parse also takes fractional seconds and one-digit hours; only the exact
	// layout round-trips through String.
	if err != nil || t.Format(layout) != s || t.Year() < MinBusinessYear {
		return BusinessDate{}, fmt.Errorf("%w: %q: use YYYY-MM-DD or \"YYYY-MM-DD HH:MM:SS\" with a real calendar date from year 1900", ErrInvalidDate, strings.ToValidUTF8(s, "?"))
	}
	return BusinessDate{t: t}, nil
}

// String formats the date as "YYYY-MM-DD HH:MM:SS".
func (d BusinessDate) String() string { return d.t.Format(BusinessDateLayout) }

// Day formats the date as "YYYY-MM-DD", dropping the time of day.
func (d BusinessDate) Day() string { return d.t.Format("2006-01-02") }

// Equal reports whether d and o are the same date and time.
func (d BusinessDate) Equal(o BusinessDate) bool { return d.t.Equal(o.t) }

// FutureDateError refuses a business date more than a day after the local clock: most
// likely a typo (2099 for 2009). It matches ErrFutureDate with errors.Is.
type FutureDateError struct {
	Date  BusinessDate
	Today string // YYYY-MM-DD on the local clock
}

func (e *FutureDateError) Error() string {
	return fmt.Sprintf("%s is more than a day after today (%s)", e.Date.Day(), e.Today)
}

// Is makes errors.Is(err, ErrFutureDate) true.
func (e *FutureDateError) Is(target error) bool { return target == ErrFutureDate }

// CheckNotFuture refuses d when it lies more than a day after now's wall clock.
func CheckNotFuture(d BusinessDate, now time.Time) error {
	if d.t.After(NewBusinessDate(now).t.Add(24 * time.Hour)) {
		return &FutureDateError{Date: d, Today: now.Format("2006-01-02")}
	}
	return nil
}

// Before reports whether d is earlier than o.
func (d BusinessDate) Before(o BusinessDate) bool { return d.t.Before(o.t) }

// Time returns the date as a time.Time in UTC (the wall clock, not an instant).
func (d BusinessDate) Time() time.Time { return d.t }

// IsZero reports whether d is unset.
func (d BusinessDate) IsZero() bool { return d.t.IsZero() }
