package domain_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/domain"
)

// count decides a count of q units dated date and applies it when accepted.
func (l *ledger) count(q, date string) error {
	l.tb.Helper()
	return l.countOrAdjust(domain.TypeStockCounted, q, "", date)
}

// adjust decides an adjustment ("-3" out, "3" in) for reason, dated date.
func (l *ledger) adjust(q, reason, date string) error {
	l.tb.Helper()
	return l.countOrAdjust(domain.TypeStockAdjusted, q, reason, date)
}

func (l *ledger) countOrAdjust(kind domain.EventType, q, reason, date string) error {
	l.tb.Helper()
	l.n++
	m := meta(l.tb, fmt.Sprint(l.n))
	m.BusinessDate, m.Reason = mustDate(l.tb, date), reason
	c := domain.Conditions{ClosedThrough: l.closed}
	if l.stock.Backdated(m.BusinessDate) {
		c.Span = l.line.Span(m.BusinessDate)
	}
	var e domain.Event
	var err error
	if kind == domain.TypeStockCounted {
		e, err = l.stock.Count(quantityOrZero(l.tb, q), m, c)
	} else {
		e, err = l.stock.Adjust(quantityOrZero(l.tb, trimSign(q)), q[0] == '-', m, c)
	}
	if err != nil {
		return err
	}
	l.apply(e, c)
	return nil
}

// quantityOrZero parses q, which may be "0".
func quantityOrZero(tb testing.TB, q string) domain.Quantity {
	tb.Helper()
	if q == "0" {
		return domain.Quantity{}
	}
	return mustQuantity(tb, q)
}

// run runs one step of a table: "restock 10 05-01", "sell 3 05-02", "void #0" (the event
// of step 0, or any other ID), "correct #1 5 05-01", "count 8 05-02", "adjust -3 damaged
// 05-02", "close 05-01" (dates in 2024). It returns the step's event ID and error.
func (l *ledger) run(step string, ids []string) (string, error) {
	l.tb.Helper()
	f := strings.Fields(step)
	date := func(s string) string { return "2024-" + s }
	ref := func(s string) string {
		if strings.HasPrefix(s, "#") {
			var i int
			fmt.Sscan(s[1:], &i)
			return ids[i]
		}
		return s
	}
	var err error
	switch f[0] {
	case "close":
		l.closed = mustDate(l.tb, date(f[1]))
		return "", nil
	case "restock", "sell":
		q := f[1]
		if f[0] == "sell" {
			q = "-" + q
		}
		if err = l.op(q, date(f[2])); err == nil {
			delta, kind := mustQuantity(l.tb, f[1]).Cents(), domain.TypeStockRestocked
			if f[0] == "sell" {
				delta, kind = -delta, domain.TypeStockSold
			}
			l.rows = append(l.rows, row{id: fmt.Sprint(l.n), kind: kind, date: mustDate(l.tb, date(f[2])), delta: delta})
		}
	case "void":
		err = l.void(ref(f[1]))
	case "correct":
		err = l.correct(ref(f[1]), f[2], date(f[3]))
	case "count":
		err = l.count(f[1], date(f[2]))
	case "adjust":
		err = l.adjust(f[1], f[2], date(f[3]))
	default:
		l.tb.Fatalf("unknown step %q", step)
	}
	id := fmt.Sprint(l.n)
	if err != nil {
		l.rejected[id] = true
	}
	return id, err
}

// ends returns the balance at the end of each date, as "05-01=10 05-02=0".
func (l *ledger) ends() string {
	var out []string
	for _, d := range l.line.Dates() {
		out = append(out, fmt.Sprintf("%s=%s", d.Date.Day()[5:], strings.TrimSuffix(centsText(l.tb, d.End), ".00")))
	}
	return strings.Join(out, " ")
}

func centsText(tb testing.TB, n int64) string {
	tb.Helper()
	if n < 0 {
		return "-" + centsText(tb, -n)
	}
	q, err := domain.QuantityFromCents(n)
	if err != nil {
		tb.Fatal(err)
	}
	return q.String()
}

// step is a step of a repair table: what to do, and "" for accepted or the rejection code
// and a part of the refusal's message.
type step struct {
	do, code, msg string
}

func ok(do string) step               { return step{do: do} }
func no(do, code, msg string) step    { return step{do, code, msg} }
func steps(s ...step) []step          { return s }
func restock(q, d string) string      { return "restock " + q + " " + d }
func sell(q, d string) string         { return "sell " + q + " " + d }
func voidOf(ref string) string        { return "void " + ref }
func correct(ref, q, d string) string { return "correct " + ref + " " + q + " " + d }

func TestRepairTable(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		level string
		ends  string // the balance at the end of each date once every step ran
	}{
		// Refusals.
		{"void of no such operation", steps(ok(restock("10", "05-01")),
			no(voidOf("missing"), "no_such_operation", "P holds no operation with event ID missing")), "10.00", "05-01=10"},
		{"void of a refused operation", steps(no(sell("5", "05-01"), "insufficient_stock", "never been restocked"),
			no(voidOf("#0"), "not_accepted", "1 was refused when it was recorded")), "0.00", ""},
		{"void twice", steps(ok(restock("10", "05-01")), ok(voidOf("#0")),
			no(voidOf("#0"), "already_voided", "1 was voided by 2")), "0.00", "05-01=0"},
		{"correct a voided operation", steps(ok(restock("10", "05-01")), ok(voidOf("#0")),
			no(correct("#0", "5", "05-01"), "already_voided", "voided by 2")), "0.00", "05-01=0"},
		{"correct a corrected operation", steps(ok(restock("10", "05-01")), ok(correct("#0", "8", "05-01")),
			no(correct("#0", "5", "05-01"), "already_voided", "voided by 2")), "8.00", "05-01=8"},
		{"correct a count", steps(ok(restock("10", "05-01")), ok("count 8 05-02"),
			no(correct("#1", "9", "05-02"), "not_correctable", "2 is a count: void it and record the count again")), "8.00", "05-01=10 05-02=8"},
		{"void in a closed period", steps(ok(restock("10", "05-01")), ok(restock("5", "05-03")), ok("close 05-02"),
			no(voidOf("#0"), "period_closed", "period closed through 2024-05-02: an operation dated 2024-05-01"),
			ok(voidOf("#1"))), "10.00", "05-01=10 05-03=10"},
		{"correct to a date in a closed period", steps(ok(restock("10", "05-01")), ok(restock("5", "05-03")), ok("close 05-02"),
			no(correct("#1", "5", "05-02"), "period_closed", "an operation dated 2024-05-02 can no longer be recorded"),
			ok(correct("#1", "5", "05-04"))), "15.00", "05-01=10 05-03=10 05-04=15"},
		{"count and adjustment in a closed period", steps(ok(restock("10", "05-01")), ok("close 05-02"),
			no("count 8 05-02", "period_closed", "2024-05-02"), no("adjust -1 lost 05-01", "period_closed", "2024-05-01")), "10.00", "05-01=10"},
		{"void a restock whose units were sold later", steps(ok(restock("10", "05-01")), ok(sell("10", "05-03")),
			no(voidOf("#0"), "insufficient_stock", "voiding this restock would make the stock of P negative on 2024-05-03 (0.00 in stock then)")),
			"0.00", "05-01=10 05-03=0"},
		{"void a restock whose units were sold the same date after it", steps(ok(restock("10", "05-01")), ok(sell("10", "05-01")),
			ok(restock("10", "05-01")),
			no(voidOf("#0"), "insufficient_stock", "voiding this restock would make the stock of P negative on 2024-05-01 (0.00 in stock then)"),
			ok(voidOf("#2"))), "0.00", "05-01=0"},
		{"void a sale past the maximum", steps(ok(restock("99999990", "05-01")), ok(sell("10", "05-02")), ok(restock("10", "05-03")),
			no(voidOf("#1"), "stock_overflow", "voiding this sale would make P hold 100000000.00 on 2024-05-03")),
			"99999990.00", "05-01=99999990 05-02=99999980 05-03=99999990"},
		{"correct a restock down below what was sold", steps(ok(restock("10", "05-01")), ok(sell("8", "05-02")),
			no(correct("#0", "5", "05-01"), "insufficient_stock", "correcting this restock would make the stock of P negative on 2024-05-02 (2.00 in stock then)"),
			ok(correct("#0", "8", "05-01"))), "0.00", "05-01=8 05-02=0"},
		{"correct a sale to an earlier date without the stock then", steps(ok(restock("5", "05-01")), ok(restock("5", "05-03")),
			ok(sell("3", "05-04")), no(correct("#2", "8", "05-02"), "insufficient_stock", "correcting this sale would make the stock of P negative on 2024-05-02 (5.00 in stock then)")),
			"7.00", "05-01=5 05-03=10 05-04=7"},
		{"correct a restock to after its sale", steps(ok(restock("10", "05-01")), ok(sell("8", "05-02")),
			no(correct("#0", "10", "05-03"), "insufficient_stock", "negative on 2024-05-02 (2.00 in stock then)")), "2.00", "05-01=10 05-02=2"},
		{"adjustment with a bad reason", steps(ok(restock("10", "05-01")),
			no("adjust -1 broken 05-01", "invalid", `adjustment reason "broken"`)), "10.00", "05-01=10"},
		{"zero quantities", steps(ok(restock("10", "05-01")), no(correct("#0", "0", "05-01"), "invalid", "must be greater than zero"),
			no("adjust 0 found 05-01", "invalid", "must be greater than zero")), "10.00", "05-01=10"},
		{"adjust out more than is left at a later date", steps(ok(restock("10", "05-01")), ok(sell("9", "05-03")),
			no("adjust -2 lost 05-02", "insufficient_stock", "removing 2.00 (lost) would make the stock of P negative on 2024-05-03 (1.00 in stock then)")),
			"1.00", "05-01=10 05-03=1"},
		{"backdated count that a later sale cannot bear", steps(ok(restock("10", "05-01")), ok(sell("9", "05-03")),
			no("count 5 05-02", "insufficient_stock", "counting 5.00 on 2024-05-02 would make the stock of P negative on 2024-05-03 (1.00 in stock then)")),
			"1.00", "05-01=10 05-03=1"},

		// Accepted.
		{"void a sale", steps(ok(restock("40", "05-01")), ok(sell("30", "05-02")), ok(sell("3", "05-02")), ok(voidOf("#1"))),
			"37.00", "05-01=40 05-02=37"},
		{"void a restock", steps(ok(restock("10", "05-01")), ok(restock("5", "05-02")), ok(sell("9", "05-03")), ok(voidOf("#1"))),
			"1.00", "05-01=10 05-02=10 05-03=1"},
		{"void an adjustment", steps(ok(restock("10", "05-01")), ok("adjust -4 damaged 05-02"), ok(voidOf("#1"))), "10.00", "05-01=10 05-02=10"},
		{"void a count", steps(ok(restock("10", "05-01")), ok("count 7 05-02"), ok(sell("2", "05-03")), ok(voidOf("#1"))),
			"8.00", "05-01=10 05-02=10 05-03=8"},
		{"void a corrected operation", steps(ok(restock("10", "05-01")), ok(correct("#0", "12", "05-02")), ok(voidOf("#1"))),
			"0.00", "05-01=0 05-02=0"},
		{"void the only operation of the latest date, then record on it", steps(ok(restock("10", "05-01")), ok(sell("4", "05-03")),
			ok(voidOf("#1")), ok(sell("1", "05-03")), ok(sell("2", "05-02"))), "7.00", "05-01=10 05-02=8 05-03=7"},
		{"correct a quantity up", steps(ok(restock("10", "05-01")), ok(sell("3", "05-02")), ok(correct("#1", "5", "05-02"))),
			"5.00", "05-01=10 05-02=5"},
		{"correct a quantity down", steps(ok(restock("10", "05-01")), ok(sell("8", "05-02")), ok(correct("#1", "2", "05-02"))),
			"8.00", "05-01=10 05-02=8"},
		{"correct a sale to an earlier date", steps(ok(restock("10", "05-01")), ok(sell("3", "05-04")), ok(correct("#1", "3", "05-02"))),
			"7.00", "05-01=10 05-02=7 05-04=7"},
		{"correct a sale to a later date", steps(ok(restock("10", "05-01")), ok(sell("3", "05-02")), ok(correct("#1", "3", "05-05"))),
			"7.00", "05-01=10 05-02=10 05-05=7"},
		{"correct on the same date goes after the date's others", steps(ok(restock("5", "05-01")), ok(sell("5", "05-01")),
			ok(restock("5", "05-01")), no(voidOf("#0"), "insufficient_stock", "negative on 2024-05-01"),
			ok(correct("#1", "5", "05-01")), ok(voidOf("#0"))), "0.00", "05-01=0"},
		// Voiding first and then adding would pass; adding first would not: the sale
		// moves before itself.
		{"move a sale earlier: only the void then the new sale fits", steps(ok(restock("10", "05-01")), ok(sell("10", "05-03")),
			ok(correct("#1", "10", "05-02"))), "0.00", "05-01=10 05-02=0 05-03=0"},
		// Adding first and then voiding would pass; voiding first would not: the restock
		// moves before the sale it covers.
		{"move a restock earlier: only the new restock then the void fits", steps(ok(restock("10", "05-02")), ok(sell("5", "05-03")),
			ok(correct("#0", "10", "05-01"))), "5.00", "05-01=10 05-02=10 05-03=5"},
		{"move a restock past the maximum earlier", steps(ok(restock("99999990", "05-01")), ok(sell("10", "05-02")),
			ok(restock("10", "05-03")), ok(correct("#2", "10", "05-02"))), "99999990.00", "05-01=99999990 05-02=99999990 05-03=99999990"},
		{"count above", steps(ok(restock("10", "05-01")), ok("count 12 05-02")), "12.00", "05-01=10 05-02=12"},
		{"count below", steps(ok(restock("40", "05-01")), ok("count 37 05-02")), "37.00", "05-01=40 05-02=37"},
		{"count equal", steps(ok(restock("10", "05-01")), ok("count 10 05-02")), "10.00", "05-01=10 05-02=10"},
		{"count zero", steps(ok(restock("10", "05-01")), ok("count 0 05-02")), "0.00", "05-01=10 05-02=0"},
		{"count of a product never seen", steps(ok("count 4 05-02"), ok(sell("4", "05-03"))), "0.00", "05-02=4 05-03=0"},
		{"backdated count: later operations keep their effect", steps(ok(restock("10", "05-01")), ok(sell("3", "05-03")),
			ok("count 8 05-02")), "5.00", "05-01=10 05-02=8 05-03=5"},
		{"count on a date with operations comes after them", steps(ok(restock("10", "05-01")), ok(sell("3", "05-02")),
			ok(restock("5", "05-03")), ok("count 6 05-02"), ok(sell("1", "05-02"))), "10.00", "05-01=10 05-02=5 05-03=10"},
		{"adjust in", steps(ok(restock("10", "05-01")), ok("adjust 2 found 05-02")), "12.00", "05-01=10 05-02=12"},
		{"adjust out", steps(ok(restock("10", "05-01")), ok("adjust -2 expired 05-02")), "8.00", "05-01=10 05-02=8"},
		{"backdated adjustment", steps(ok(restock("10", "05-01")), ok(sell("3", "05-03")), ok("adjust -7 lost 05-02")),
			"0.00", "05-01=10 05-02=3 05-03=0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLedger(t)
			var ids []string
			for i, s := range tt.steps {
				id, err := l.run(s.do, ids)
				ids = append(ids, id)
				switch got := domain.RejectionReason(err); {
				case got != s.code:
					t.Fatalf("step %d (%s): %v (%q), want %q", i, s.do, err, got, s.code)
				case err != nil && !strings.Contains(err.Error(), s.msg):
					t.Fatalf("step %d (%s): %q, want it to contain %q", i, s.do, err, s.msg)
				}
			}
			if got := l.stock.Level().String(); got != tt.level {
				t.Errorf("stock %s, want %s", got, tt.level)
			}
			if got := l.ends(); got != tt.ends {
				t.Errorf("balances by date %q, want %q", got, tt.ends)
			}
			// The stock's latest date and its movement are the timeline's: a later
			// operation of that date is decided from them alone.
			if dates, snap := l.line.Dates(), l.stock.Snapshot(); len(dates) > 0 {
				last := dates[len(dates)-1]
				if !snap.LastDate.Equal(last.Date) || snap.DateNet != last.Net {
					t.Errorf("stock's latest date %s moved %d; the balances' latest %s moved %d", snap.LastDate, snap.DateNet, last.Date, last.Net)
				}
			}
		})
	}
}
