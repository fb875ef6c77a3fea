package domain_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
)

// book decides one product's operations as a projection does: the stock in log order,
// and its balances by business date for the operations dated before its latest.
type book struct {
	tb     testing.TB
	stock  *domain.Stock
	line   *domain.Timeline
	closed domain.BusinessDate
	n      int
}

func newBook(tb testing.TB) *book {
	return &book{tb: tb, stock: domain.NewStock(mustProduct(tb, "P")), line: domain.NewTimeline(nil)}
}

// op decides a sale ("-5") or restock ("10") dated date and applies it when accepted.
func (b *book) op(q, date string) error {
	b.tb.Helper()
	b.n++
	m := meta(b.tb, fmt.Sprint(b.n))
	m.BusinessDate = mustDate(b.tb, date)
	c := domain.Conditions{ClosedThrough: b.closed}
	if b.stock.Backdated(m.BusinessDate) {
		c.Span = b.line.Span(m.BusinessDate)
	}
	var e domain.Event
	var err error
	if amount, sale := strings.CutPrefix(q, "-"); sale {
		e, err = b.stock.Sell(mustQuantity(b.tb, amount), m, c)
	} else {
		e, err = b.stock.Restock(mustQuantity(b.tb, q), m, c)
	}
	if err != nil {
		return err
	}
	eff, err := b.stock.Apply(e, c)
	if err != nil {
		b.tb.Fatalf("Apply after a successful decision: %v", err)
	}
	b.line.Add(e.BusinessDate, eff.Delta)
	return nil
}

func TestRuleInBusinessDateOrder(t *testing.T) {
	type step struct {
		q, date string
		err     string // "" accepted, else a part of the refusal
	}
	tests := []struct {
		name  string
		steps []step
		level string
		last  string
	}{
		{"in order", []step{{"10", "2024-05-01", ""}, {"-4", "2024-05-02", ""}, {"-7", "2024-05-03", `"P": 6.00 available, 7.00 requested`}}, "6.00", "2024-05-02"},
		{"the issue's transcript", []step{
			{"10", "2024-05-01", ""},
			{"-5", "2024-04-01", `insufficient stock for "P" on 2024-04-01: selling 5.00 would make its stock negative on 2024-04-01: 0.00 available then (no stock until 2024-05-01)`},
			{"-4", "2024-04-15", "negative on 2024-04-15: 0.00 available then (no stock until 2024-05-01)"},
			{"-4", "2024-05-02", ""},
		}, "6.00", "2024-05-02"},
		{"backdated accepted", []step{{"10", "2024-05-01", ""}, {"-2", "2024-05-10", ""}, {"-3", "2024-05-05", ""}}, "5.00", "2024-05-10"},
		{"backdated refused: a later balance would go negative", []step{
			{"10", "2024-05-01", ""}, {"-9", "2024-05-10", ""},
			{"-4", "2024-05-02", `insufficient stock for "P" on 2024-05-02: selling 4.00 would make its stock negative on 2024-05-10: 1.00 available then`},
			{"-1", "2024-05-02", ""},
		}, "0.00", "2024-05-10"},
		{"backdated restock makes a later sale possible", []step{{"1", "2024-05-01", ""}, {"5", "2024-04-01", ""}, {"-6", "2024-05-02", ""}}, "0.00", "2024-05-02"},
		// Operations of one date go in log order: a sale logged before the same date's
		// restock is refused; logged after, it is accepted.
		{"same-date ties", []step{
			{"-3", "2024-05-01 09:00:00", "never been restocked"},
			{"3", "2024-05-01 09:00:00", ""},
			{"-3", "2024-05-01 09:00:00", ""},
			{"2", "2024-05-03", ""},
			// Dated like the first three: after them, so it may take what the restock
			// of 2024-05-03 does not cover only if the balance of that date allows.
			{"-1", "2024-05-01 09:00:00", "negative on 2024-05-01: 0.00 available then"},
		}, "2.00", "2024-05-03"},
		{"restock over the maximum at a later date", []step{
			{"99999990", "2024-05-10", ""},
			{"-5", "2024-05-11", ""},
			{"10", "2024-05-01", `"P" would hold 100000000.00 on 2024-05-10 if 10.00 were added on 2024-05-01`},
			{"5", "2024-05-01", ""},
		}, "99999990.00", "2024-05-11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBook(t)
			for i, s := range tt.steps {
				err := b.op(s.q, s.date)
				switch {
				case s.err == "" && err != nil:
					t.Fatalf("step %d (%s on %s): refused: %v", i, s.q, s.date, err)
				case s.err != "" && (err == nil || !strings.Contains(err.Error(), s.err)):
					t.Fatalf("step %d (%s on %s): got %v, want a refusal containing %q", i, s.q, s.date, err, s.err)
				case s.err != "" && !errors.Is(err, domain.ErrInsufficientStock) && !errors.Is(err, domain.ErrStockOverflow):
					t.Fatalf("step %d: %v matches neither ErrInsufficientStock nor ErrStockOverflow", i, err)
				}
			}
			if got := b.stock.Level().String(); got != tt.level {
				t.Errorf("level %s, want %s", got, tt.level)
			}
			if got := b.stock.Snapshot().LastDate.Day(); got != tt.last {
				t.Errorf("last date %s, want the latest business date %s", got, tt.last)
			}
		})
	}
}

func TestRulePeriodClose(t *testing.T) {
	b := newBook(t)
	if err := b.op("10", "2024-03-01"); err != nil {
		t.Fatal(err)
	}
	// Before the close, a backdated operation is decided by stock alone.
	if err := b.op("-1", "2024-02-01"); err == nil || !errors.Is(err, domain.ErrInsufficientStock) {
		t.Fatalf("sale before any stock: %v", err)
	}
	if err := b.op("5", "2024-02-01"); err != nil {
		t.Fatal(err)
	}
	close, err := domain.ClosePeriod(domain.BusinessDate{}, mustDate(t, "2024-03-31 17:00:00"), meta(t, "close"))
	if err != nil || close.Type != domain.TypePeriodClosed || close.BusinessDate.String() != "2024-03-31 00:00:00" {
		t.Fatalf("ClosePeriod: %+v, %v", close, err)
	}
	b.closed = close.BusinessDate
	for _, d := range []string{"2024-03-31 23:59:59", "2024-03-01", "2023-12-31"} {
		err := b.op("1", d)
		var pc *domain.PeriodClosedError
		if !errors.As(err, &pc) || !errors.Is(err, domain.ErrPeriodClosed) || !strings.Contains(err.Error(), "period closed through 2024-03-31") {
			t.Errorf("restock dated %s after the close: %v, want period closed through 2024-03-31", d, err)
		}
		if domain.RejectionReason(err) != "period_closed" {
			t.Errorf("reason %q", domain.RejectionReason(err))
		}
	}
	if err := b.op("-2", "2024-04-01"); err != nil {
		t.Errorf("sale dated after the close: %v", err)
	}
	// A close moves forward only.
	for _, d := range []string{"2024-03-31", "2024-01-31"} {
		if _, err := domain.ClosePeriod(b.closed, mustDate(t, d), meta(t, "again")); !errors.Is(err, domain.ErrPeriodClosed) {
			t.Errorf("close through %s after 2024-03-31: %v, want ErrPeriodClosed", d, err)
		}
	}
	if _, err := domain.ClosePeriod(b.closed, mustDate(t, "2024-04-30"), meta(t, "later")); err != nil {
		t.Errorf("a later close: %v", err)
	}
}

func TestCheckNotFuture(t *testing.T) {
	now := time.Date(2026, 11, 28, 15, 0, 0, 0, time.Local)
	for d, ok := range map[string]bool{
		"2026-11-28 23:59:59": true, "2026-11-29 15:00:00": true, "2026-11-29 15:00:01": false,
		"2099-12-31": false, "2009-12-31": true,
	} {
		err := domain.CheckNotFuture(mustDate(t, d), now)
		if ok != (err == nil) || (err != nil && !errors.Is(err, domain.ErrFutureDate)) {
			t.Errorf("CheckNotFuture(%s) = %v, want accepted %v", d, err, ok)
		}
	}
	if err := domain.CheckNotFuture(mustDate(t, "2099-12-31"), now); err.Error() != "2099-12-31 is more than a day after today (2026-11-28)" {
		t.Errorf("message %q", err)
	}
}

// naive is the rule written the plain way: keep every accepted operation, and accept a
// new one if recomputing every balance in (date, log position) order stays within bounds.
type naive struct{ ops []naiveOp }

type naiveOp struct {
	at    time.Time
	pos   int
	delta int64
}

func (n *naive) try(at time.Time, pos int, delta int64) bool {
	all := append(append([]naiveOp(nil), n.ops...), naiveOp{at, pos, delta})
	sort.Slice(all, func(i, j int) bool {
		if !all[i].at.Equal(all[j].at) {
			return all[i].at.Before(all[j].at)
		}
		return all[i].pos < all[j].pos
	})
	var bal int64
	for _, o := range all {
		bal += o.delta
		if bal < 0 || bal > domain.MaxQuantity.Cents() {
			return false
		}
	}
	n.ops = all
	return true
}

// balance returns the balance once every operation dated at or before at is applied.
func (n *naive) balance(at time.Time) int64 {
	var bal int64
	for _, o := range n.ops {
		if !o.at.After(at) {
			bal += o.delta
		}
	}
	return bal
}

func TestRuleMatchesANaiveReference(t *testing.T) {
	for seed := uint64(1); seed <= 300; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		b, ref := newBook(t), &naive{}
		base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		days, ops := 5+r.IntN(200), 20+r.IntN(400)
		if seed%20 == 0 { // hundreds of dates: several chunks of the timeline
			days, ops = 700, 1500
		}
		for i := 0; i < ops; i++ {
			at := base.AddDate(0, 0, r.IntN(days))
			if r.IntN(4) == 0 {
				at = at.Add(time.Duration(r.IntN(3)) * time.Hour)
			}
			amount := int64(1 + r.IntN(1000))
			q := fmt.Sprintf("%d.%02d", amount/100, amount%100)
			delta := amount
			if r.IntN(2) == 0 {
				q, delta = "-"+q, -amount
			}
			if r.IntN(50) == 0 { // near the maximum, for the upper bound
				q, delta = "99999990", 9_999_999_000
			}
			date := at.Format(domain.BusinessDateLayout)
			want := ref.try(at, i, delta)
			err := b.op(q, date)
			if got := err == nil; got != want {
				t.Fatalf("seed %d op %d (%s on %s): accepted %v, the reference says %v (%v)", seed, i, q, date, got, want, err)
			}
		}
		if got, want := b.stock.Level().Cents(), ref.balance(base.AddDate(5, 0, 0)); got != want {
			t.Fatalf("seed %d: level %d, reference %d", seed, got, want)
		}
		// Every balance of the timeline, and a Span at every date, against the reference.
		for _, d := range b.line.Dates() {
			if want := ref.balance(d.Date.Time()); d.End != want {
				t.Fatalf("seed %d: balance at %s is %d, reference %d", seed, d.Date, d.End, want)
			}
		}
		for day := -1; day <= days; day++ {
			at := base.AddDate(0, 0, day)
			sp := b.line.Span(domain.NewBusinessDate(at))
			if sp.At != ref.balance(at) {
				t.Fatalf("seed %d: Span(%s).At = %d, reference %d", seed, at, sp.At, ref.balance(at))
			}
			lo, hi, later := naiveExtremes(ref, at)
			if sp.Later != later || (later && (sp.Low != lo || sp.High != hi)) {
				t.Fatalf("seed %d: Span(%s) = %+v, reference low %d high %d later %v", seed, at, sp, lo, hi, later)
			}
		}
	}
}

// naiveExtremes returns the lowest and highest balance after any operation dated after at.
func naiveExtremes(n *naive, at time.Time) (lo, hi int64, later bool) {
	var bal int64
	for _, o := range n.ops {
		bal += o.delta
		if !o.at.After(at) {
			continue
		}
		if !later || bal < lo {
			lo = bal
		}
		if !later || bal > hi {
			hi = bal
		}
		later = true
	}
	return lo, hi, later
}

func TestTimelineRevertUndoesAdds(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	line := domain.NewTimeline(nil)
	for i := 0; i < 2000; i++ { // enough dates for several chunks
		line.Add(domain.NewBusinessDate(base.AddDate(0, 0, r.IntN(900))), int64(r.IntN(100)))
	}
	before := fmt.Sprint(line.Dates())
	var changes []domain.Change
	for i := 0; i < 500; i++ {
		at := domain.NewBusinessDate(base.AddDate(0, 0, r.IntN(1000)-50).Add(time.Duration(r.IntN(2)) * time.Hour))
		changes = append(changes, line.Add(at, int64(r.IntN(200)-100)))
	}
	for i := len(changes) - 1; i >= 0; i-- {
		line.Revert(changes[i])
	}
	if after := fmt.Sprint(line.Dates()); after != before {
		i := 0
		for i < len(after) && i < len(before) && after[i] == before[i] {
			i++
		}
		t.Fatalf("after reverting every change the timeline differs from character %d:\n%.200s\nwant\n%.200s", i, after[max(i-100, 0):], before[max(i-100, 0):])
	}
	// Its extremes too, through Span.
	fresh := domain.NewTimeline(line.Dates())
	for day := -60; day < 960; day += 7 {
		d := domain.NewBusinessDate(base.AddDate(0, 0, day))
		if got, want := line.Span(d), fresh.Span(d); got != want {
			t.Fatalf("Span(%s) after revert %+v, rebuilt %+v", d, got, want)
		}
	}
}
