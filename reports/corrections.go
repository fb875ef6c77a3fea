package reports

import (
	"strings"
	"time"
)

// What the page writes of repairs: the corrections table (who, when, why, and what each
// void, correction, count and adjustment changed) and the type and quantity of an
// adjustment or a count in the operations table.

// adjustedAny says whether any bucket has units adjusted or counted in or out.
func adjustedAny(rows []PeriodTotals) bool {
	for _, r := range rows {
		if r.AdjustedInCents != 0 || r.AdjustedOutCents != 0 {
			return true
		}
	}
	return false
}

// S writes a signed quantity in a table's column: +2.00, −1.00 (a minus sign, not a
// hyphen), 0.00.
func (p *page) S(cents int64) string {
	switch {
	case cents > 0:
		return "+" + p.Num.Fixed(cents)
	case cents < 0:
		return "−" + p.Num.Fixed(-cents)
	}
	return p.Num.Fixed(0)
}

// SU writes a signed quantity as a card does: +2, −3.5.
func (p *page) SU(cents int64) string {
	switch {
	case cents > 0:
		return "+" + p.U(cents)
	case cents < 0:
		return "−" + p.U(-cents)
	}
	return p.U(0)
}

// OpType names an operation in the operations table: an adjustment with its reason
// code, a correction's operation as corrected.
func (p *page) OpType(o Operation) string {
	switch {
	case o.Type == "StockTransferred":
		// Between two locations: the product's stock after it is unchanged.
		return "transfer"
	case o.Type == "adjustment" && o.Reason != "":
		return "adjustment (" + o.Reason + ")"
	case o.Corrects != "":
		return o.Type + " (corrected)"
	}
	return o.Type
}

// OpQty is an operation's quantity in the operations table: an adjustment's and a
// count's signed, since either may add or take out; a sale's and a restock's as typed.
func (p *page) OpQty(o Operation) string {
	if o.Type == "adjustment" || o.Type == "count" {
		return p.S(o.DeltaCents)
	}
	return p.F(o.QtyCents)
}

// OpNote is an operation's note, after a count's or a correction's reason (an
// adjustment's is in its type).
func (p *page) OpNote(o Operation) string {
	if o.Type == "adjustment" || o.Reason == "" {
		return o.Note
	}
	return p.Why(Repair{Reason: o.Reason, Note: o.Note})
}

// OpClass is the colour of an operation's type: sales red, restocks blue, adjustments
// and counts green when they added units and purple when they took some out.
func (p *page) OpClass(o Operation) string {
	switch {
	case o.Type == "sale":
		return "sold"
	case o.Type == "restock":
		return "restocked"
	case o.DeltaCents > 0:
		return "adjusted-in"
	case o.DeltaCents < 0:
		return "adjusted-out"
	}
	return ""
}

// Recorded writes when a repair was recorded, in UTC to the minute: 2024-06-01 12:00 UTC.
func (p *page) Recorded(at string) string {
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return at
	}
	return t.UTC().Format("2006-01-02 15:04") + " UTC"
}

// Changed says what a repair changed, in the ledger's words: "voided the sale of 30.00
// of 2024-05-02", "counted 37.00 where the ledger expected 40.00".
func (p *page) Changed(r Repair) string {
	abs := func(n int64) int64 { return max(n, -n) }
	what := func(typ string, cents int64, date string) string {
		if typ == "" {
			typ = "operation"
		}
		return "the " + typ + " of " + p.U(abs(cents)) + " dated " + p.D(date)
	}
	switch r.Kind {
	case "void":
		return "voided " + what(r.TargetType, r.TargetCents, r.TargetDate)
	case "correction":
		by := " by one of " + p.U(abs(r.NewCents))
		if r.Date != r.TargetDate {
			by += " dated " + p.D(r.Date)
		}
		return "replaced " + what(r.TargetType, r.TargetCents, r.TargetDate) + by
	case "count":
		if r.NewCents == 0 {
			return "counted " + p.U(r.CountedCents) + " on " + p.D(r.Date) + ", as the ledger expected"
		}
		return "counted " + p.U(r.CountedCents) + " on " + p.D(r.Date) + " where the ledger expected " + p.U(r.CountedCents-r.NewCents)
	case "adjustment":
		if r.DeltaCents < 0 {
			return "took " + p.U(-r.DeltaCents) + " out of stock on " + p.D(r.Date)
		}
		return "added " + p.U(r.DeltaCents) + " to stock on " + p.D(r.Date)
	}
	return ""
}

// Why is a repair's reason and note, as typed.
func (p *page) Why(r Repair) string {
	return strings.TrimPrefix(strings.TrimSuffix(r.Reason+" — "+r.Note, " — "), " — ")
}
