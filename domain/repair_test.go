package domain_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stockctl/stockctl/domain"
)

// ledger is one product's book as a projection keeps it for repairs: the stock, its
// balances by date, and every operation's row, so that a void or a correction can be
// given its target with the balances of its date's other operations.
type ledger struct {
	*book
	rows []row
	// rejected holds the event IDs the rule refused, which a void may still name.
	rejected map[string]bool
}

type row struct {
	id       string
	kind     domain.EventType
	date     domain.BusinessDate
	delta    int64
	voidedBy string
}

func newLedger(tb testing.TB) *ledger { return &ledger{book: newBook(tb), rejected: map[string]bool{}} }

// target returns the row id as the read model gives it to the rule.
func (l *ledger) target(id string) *domain.Target {
	if l.rejected[id] {
		return &domain.Target{ID: id, Kind: domain.TypeStockSold, Product: l.stock.Product(), Rejected: true, Reason: "insufficient_stock"}
	}
	for i, r := range l.rows {
		if r.id != id {
			continue
		}
		t := &domain.Target{ID: r.id, Kind: r.kind, Product: l.stock.Product(), Date: r.date, Delta: r.delta, VoidedBy: r.voidedBy}
		start := l.line.Span(r.date)
		run := start.At - start.Net
		for j, o := range l.rows {
			if !o.date.Equal(r.date) || o.voidedBy != "" {
				continue
			}
			run += o.delta
			x := domain.Extremes{Low: run, High: run, Any: true}
			switch {
			case j < i:
				t.Prior = merge(t.Prior, x)
			case j > i:
				t.Rest = merge(t.Rest, x)
			}
		}
		return t
	}
	return nil
}

func merge(a, b domain.Extremes) domain.Extremes {
	if !a.Any {
		return b
	}
	return domain.Extremes{Low: min(a.Low, b.Low), High: max(a.High, b.High), Any: true}
}

// apply applies a decided event as the projection would and records its rows.
func (l *ledger) apply(e domain.Event, c domain.Conditions) {
	l.tb.Helper()
	eff, err := l.stock.Apply(e, c)
	if err != nil {
		l.tb.Fatalf("Apply after a successful decision: %v", err)
	}
	if v := eff.Voided; v != nil {
		for i := range l.rows {
			if l.rows[i].id == v.Target.ID {
				l.rows[i].voidedBy = e.ID
			}
		}
		low, high := v.Day.Low, v.Day.High
		if !v.Day.Any {
			low, high = v.Start, v.Start
		}
		if _, ok := l.line.Reshape(v.Target.Date, -v.Target.Delta, low, high); !ok {
			l.tb.Fatalf("no balance on %s", v.Target.Date)
		}
		if e.Type == domain.TypeOperationVoided {
			return
		}
		l.rows = append(l.rows, row{id: e.ID, kind: v.Target.Kind, date: e.BusinessDate, delta: eff.Delta})
		l.line.Add(e.BusinessDate, eff.Delta)
		return
	}
	l.rows = append(l.rows, row{id: e.ID, kind: e.Type, date: e.BusinessDate, delta: eff.Delta})
	l.line.Add(e.BusinessDate, eff.Delta)
}

// record decides a sale ("-5") or restock ("10") dated date, returning its event ID.
func (l *ledger) record(q, date string) string {
	l.tb.Helper()
	if err := l.op(q, date); err != nil {
		l.tb.Fatalf("%s on %s: %v", q, date, err)
	}
	// op applied it to the book's line: record its row.
	id := fmt.Sprint(l.n)
	delta := mustQuantity(l.tb, trimSign(q)).Cents()
	kind := domain.TypeStockRestocked
	if q[0] == '-' {
		delta, kind = -delta, domain.TypeStockSold
	}
	l.rows = append(l.rows, row{id: id, kind: kind, date: mustDate(l.tb, date), delta: delta})
	return id
}

func trimSign(q string) string {
	if q[0] == '-' {
		return q[1:]
	}
	return q
}

func (l *ledger) conditions(target string) domain.Conditions {
	return domain.Conditions{ClosedThrough: l.closed, Target: l.target(target), Line: l.line}
}

func (l *ledger) void(target string) error {
	l.tb.Helper()
	l.n++
	m := meta(l.tb, fmt.Sprint(l.n))
	m.Reason = "typo"
	c := l.conditions(target)
	e, err := l.stock.Void(target, m, c)
	if err != nil {
		return err
	}
	l.apply(e, c)
	return nil
}

func (l *ledger) correct(target, q, date string) error {
	l.tb.Helper()
	l.n++
	m := meta(l.tb, fmt.Sprint(l.n))
	m.Reason = "typo"
	m.BusinessDate = mustDate(l.tb, date)
	c := l.conditions(target)
	e, err := l.stock.Correct(target, quantityOrZero(l.tb, q), m, c)
	if err != nil {
		return err
	}
	l.apply(e, c)
	return nil
}

func TestVoidRefusesWhatWouldGoNegative(t *testing.T) {
	l := newLedger(t)
	restock := l.record("10", "2024-05-01")
	l.record("-10", "2024-05-03")
	err := l.void(restock)
	if !errors.Is(err, domain.ErrInsufficientStock) {
		t.Fatalf("void = %v, want insufficient stock", err)
	}
	if want := "voiding this restock would make the stock of P negative on 2024-05-03 (0.00 in stock then)"; err.Error() != want {
		t.Fatalf("void = %q, want %q", err, want)
	}
}

func TestVoidAndCorrectASale(t *testing.T) {
	l := newLedger(t)
	l.record("40", "2024-05-01")
	sale := l.record("-30", "2024-05-02")
	l.record("-3", "2024-05-02")
	if err := l.void(sale); err != nil {
		t.Fatal(err)
	}
	if got := l.stock.Level().String(); got != "37.00" {
		t.Fatalf("stock after void = %s, want 37.00", got)
	}
	if err := l.void(sale); !errors.Is(err, domain.ErrAlreadyVoided) {
		t.Fatalf("second void = %v, want already voided", err)
	}
	third := l.rows[2].id
	if err := l.correct(third, "5", "2024-05-01"); err != nil {
		t.Fatal(err)
	}
	if got := l.stock.Level().String(); got != "35.00" {
		t.Fatalf("stock after correction = %s, want 35.00", got)
	}
	if got := l.line.Span(mustDate(t, "2024-05-01")).At; got != 3500 {
		t.Fatalf("balance on 2024-05-01 = %d, want 3500", got)
	}
}
