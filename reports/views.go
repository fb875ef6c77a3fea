package reports

import "strings"

// What the page's template calls to write numbers and product IDs: with the viewer's
// separators, and as links when the view is live.

// U writes a quantity in hundredths: 2,629,500.25, 2,870,295.
func (p *page) U(cents int64) string { return p.Num.Units(cents) }

// F writes a quantity in a table's column with two decimals, 0.00 above 88.50, so that
// the column's digits line up; cards and captions keep U.
func (p *page) F(cents int64) string { return p.Num.Fixed(cents) }

// D writes a date as a table shows it: without a time of midnight, which is a business
// date with no time, nor seconds of :00. 2025-02-15, 2024-05-02 10:30.
func (p *page) D(date string) string {
	if d, ok := strings.CutSuffix(date, " 00:00:00"); ok {
		return d
	}
	if len(date) == len("2006-01-02 15:04:05") && strings.HasSuffix(date, ":00") {
		return date[:len(date)-3]
	}
	return date
}

// N writes a count: 1,500.
func (p *page) N(n int) string { return p.Num.Count(int64(n)) }

// productRef is a product ID and, in a live view, the address of its page.
type productRef struct{ ID, URL string }

// P is a product as the template shows it: a link to its page when the view has one.
// The template escapes both the ID and the address.
func (p *page) P(id string) productRef {
	if p.Links == nil || p.Links.Product == nil || id == othersLabel {
		return productRef{ID: id}
	}
	return productRef{ID: id, URL: p.Links.Product(id)}
}

// EmptyLedger says there is no operation at all yet, not just none in the period asked.
func (p *page) EmptyLedger() bool {
	return p.Empty && p.Products == 0 && len(p.Filter.Products) == 0 && p.RejectedTotal == 0
}
