package commands_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testkafka"
)

// dated is op(product, qty) on business date day (YYYY-MM-DD).
func dated(tb testing.TB, product, qty, day string) commands.Operation {
	tb.Helper()
	o := op(tb, product, qty)
	d, err := domain.ParseBusinessDate(day)
	if err != nil {
		tb.Fatal(err)
	}
	o.Date, o.DateGiven = d, true
	return o
}

// step is a sale ("-") or a restock ("+") of a quantity on a day.
type step struct {
	sign, qty, day string
}

func (n *node) record(ctx context.Context, tb testing.TB, product string, s step) (commands.Result, error) {
	tb.Helper()
	o := dated(tb, product, s.qty, s.day)
	if s.sign == "-" {
		return n.sell.Handle(ctx, commands.Sell(o))
	}
	return n.restock.Handle(ctx, commands.Restock(o))
}

// TestBackdatedThroughHandlers: sell and restock decide an operation dated before the
// product's latest one against its balances at that date and every later one, through
// the read model's span; the answer names the dates.
func TestBackdatedThroughHandlers(t *testing.T) {
	ctx := context.Background()
	n := mustNode(t, testkafka.Config(t), dbPath(t))
	for _, tc := range []struct {
		name    string
		product string
		before  []step
		last    step
		stock   string // stock told for the last step when accepted: the balance after it by date
		level   string // the product's stock afterwards (its latest balance)
		err     string // the exact refusal of the last step
	}{
		{name: "backdated sale accepted", product: "A",
			before: []step{{"+", "10", "2024-05-01"}, {"-", "4", "2024-05-10"}},
			last:   step{"-", "3", "2024-05-05"}, stock: "7.00", level: "3.00"},
		{name: "backdated sale refused by a later balance", product: "B",
			before: []step{{"+", "10", "2024-05-01"}, {"-", "8", "2024-05-10"}},
			last:   step{"-", "5", "2024-05-05"}, level: "2.00",
			err: `sell: insufficient stock for "B" on 2024-05-05: selling 5.00 would make its stock negative on 2024-05-10: 2.00 available then`},
		{name: "backdated sale before any stock", product: "C",
			before: []step{{"+", "10", "2024-05-01"}},
			last:   step{"-", "5", "2024-04-01"}, level: "10.00",
			err: `sell: insufficient stock for "C" on 2024-04-01: selling 5.00 would make its stock negative on 2024-04-01: 0.00 available then (no stock until 2024-05-01)`},
		{name: "in-order sale keeps its message", product: "D",
			before: []step{{"+", "10", "2024-05-01"}},
			last:   step{"-", "12", "2024-05-02"}, level: "10.00",
			err: `sell: insufficient stock for "D": 10.00 available, 12.00 requested`},
		{name: "backdated restock over the maximum at a later date", product: "E",
			before: []step{{"+", "10", "2024-05-01"}, {"+", "99999980", "2024-05-10"}},
			last:   step{"+", "15", "2024-05-05"}, level: "99999990.00",
			err: `restock: stock would exceed the maximum: "E" would hold 100000005.00 on 2024-05-10 if 15.00 were added on 2024-05-05 (the most is 99999999.99)`},
		{name: "backdated restock within the maximum", product: "F",
			before: []step{{"+", "10", "2024-05-01"}, {"+", "99999980", "2024-05-10"}},
			last:   step{"+", "9.99", "2024-05-05"}, stock: "19.99", level: "99999999.99"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, s := range tc.before {
				if _, err := n.record(ctx, t, tc.product, s); err != nil {
					t.Fatalf("%+v: %v", s, err)
				}
			}
			res, err := n.record(ctx, t, tc.product, tc.last)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("%+v refused: %v", tc.last, err)
			case tc.err == "" && res.Stock.String() != tc.stock:
				t.Errorf("%+v: stock told %s, want %s (the balance right after it by date)", tc.last, res.Stock, tc.stock)
			case tc.err == "" && !strings.HasSuffix(res.Message(), "; stock then "+tc.stock+", now "+tc.level):
				t.Errorf("%+v: message %q, want the stock then and now (a backdated operation)", tc.last, res.Message())
			case tc.err != "" && (err == nil || err.Error() != tc.err):
				t.Fatalf("%+v: %v\nwant %s", tc.last, err, tc.err)
			case tc.err != "" && commands.Classify(err).Class != commands.Refused:
				t.Errorf("%v: class %v, want Refused (exit 1, HTTP 409)", err, commands.Classify(err).Class)
			}
			snap, err := n.db.Snapshot(ctx, mustProduct(t, tc.product))
			if err != nil || snap.Level.String() != tc.level {
				t.Errorf("stock of %s = %+v, %v; want %s", tc.product, snap.Level, err, tc.level)
			}
		})
	}
}

// TestFutureDateInput: a date more than a day after the clock is invalid input whose
// message names --allow-future, unless it is allowed; tomorrow is not refused.
func TestFutureDateInput(t *testing.T) {
	now := testNow()
	for _, tc := range []struct {
		date  string
		allow bool
		err   string
	}{
		{date: "2099-12-31", err: "2099-12-31 is more than a day after today (2026-11-28): if it is meant, give --allow-future"},
		{date: "2026-11-30", err: "2026-11-30 is more than a day after today (2026-11-28): if it is meant, give --allow-future"},
		{date: "2026-11-29"},
		{date: "2026-11-29 12:00:00"}, // a day after the clock, to the second
		{date: "2099-12-31", allow: true},
		{date: "1899-12-31", allow: true, err: "x"},
	} {
		in := commands.Input{Product: "P", Quantity: "1", Date: tc.date, AllowFuture: tc.allow}
		_, err := in.Parse(now, func() string { return "id" })
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s (allow %v): %v, want accepted", tc.date, tc.allow, err)
		case tc.err == "x":
			if err == nil || errors.Is(err, domain.ErrFutureDate) {
				t.Errorf("%s: %v, want refused as before 1900", tc.date, err)
			}
		case tc.err != "" && (err == nil || err.Error() != tc.err):
			t.Errorf("%s: %v, want %s", tc.date, err, tc.err)
		case tc.err != "":
			var fe *commands.FieldError
			f := commands.Classify(err)
			if !errors.As(err, &fe) || fe.Field != "date" || f.Class != commands.Invalid || f.Code != "future_date" {
				t.Errorf("%s: field %v, class %+v; want date, Invalid, future_date", tc.date, fe, f)
			}
		}
	}
}

// testNow is a fixed local clock for the future-date checks.
func testNow() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.Local) }
