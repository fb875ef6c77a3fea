package reports

import (
	"errors"
	"fmt"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/productid"
)

// ErrInvalidFilter means a filter's dates or products were refused.
var ErrInvalidFilter = errors.New("invalid filter")

// ParseFilter reads a filter as typed: from and to as YYYY-MM-DD (empty: unbounded, both
// inclusive), and product IDs. name gives each field's name as the user knows it, such
// as "--from" for a flag, for the error messages.
func ParseFilter(from, to string, products []string, name func(field string) string) (Filter, error) {
	var f Filter
	for _, field := range []string{"from", "to"} {
		s := map[string]string{"from": from, "to": to}[field]
		if s == "" {
			continue
		}
		d, err := time.Parse("2006-01-02", s)
		if err != nil || d.Year() < domain.MinBusinessYear {
			return f, filterErrorf("%s %q: use a date YYYY-MM-DD from year %d", name(field), s, domain.MinBusinessYear)
		}
		if field == "from" {
			f.From = d
		} else {
			f.To = d
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return f, filterErrorf("%s %s is before %s %s", name("to"), to, name("from"), from)
	}
	for _, raw := range products {
		p, err := productid.Lookup(raw)
		if err != nil {
			return f, fmt.Errorf("%s: %w", name("product"), err)
		}
		f.Products = append(f.Products, p.String())
	}
	return f, nil
}

// filterError is an invalid filter, with the message shown to the user.
type filterError struct{ msg string }

func (e *filterError) Error() string        { return e.msg }
func (e *filterError) Is(target error) bool { return target == ErrInvalidFilter }

func filterErrorf(format string, args ...any) error {
	return &filterError{msg: fmt.Sprintf(format, args...)}
}
