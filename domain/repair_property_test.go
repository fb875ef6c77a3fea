package domain_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
)

// naiveRow is an operation as the naive reference keeps it: in log order, with its
// business date and signed movement, and whether a void or a correction cancelled it.
type naiveRow struct {
	id     string
	kind   domain.EventType
	date   domain.BusinessDate
	seq    int
	delta  int64
	voided string
}

// repairRef is the repair rule written naively, apart from the domain: the rows in effect
// sorted by (business date, log order), every balance recomputed from zero. It also
// remembers the events refused (as rejected targets) and the accepted voids (which have
// no row).
type repairRef struct {
	rows     []naiveRow
	rejected map[string]bool
	voids    map[string]bool
	// emptied holds the dates whose every row was voided at some point, and not since
	// recounted by a void of one of their rows: their lowest and highest balance still
	// count the balance before them (see dates).
	emptied map[int64]bool
}

// effective returns the rows in effect plus extra, sorted by date then log order.
func (n *repairRef) effective(without string, extra ...naiveRow) []naiveRow {
	var out []naiveRow
	for _, r := range n.rows {
		if r.voided == "" && r.id != without {
			out = append(out, r)
		}
	}
	out = append(out, extra...)
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].date.Equal(out[j].date) {
			return out[i].date.Before(out[j].date)
		}
		return out[i].seq < out[j].seq
	})
	return out
}

// verdict returns "" when every balance of rows (sorted) is within range, otherwise the
// rejection code and the date of the lowest (or highest) balance, first reached.
func verdict(rows []naiveRow) (string, domain.BusinessDate) {
	bal, lo, hi := int64(0), int64(0), int64(0)
	var loDate, hiDate domain.BusinessDate
	for _, r := range rows {
		bal += r.delta
		if bal < lo {
			lo, loDate = bal, r.date
		}
		if bal > hi {
			hi, hiDate = bal, r.date
		}
	}
	if lo < 0 {
		return "insufficient_stock", loDate
	}
	if hi > domain.MaxQuantity.Cents() {
		return "stock_overflow", hiDate
	}
	return "", domain.BusinessDate{}
}

// balanceAt returns the balance once every row in effect dated at or before d is applied.
func (n *repairRef) balanceAt(d domain.BusinessDate) int64 {
	var bal int64
	for _, r := range n.effective("") {
		if !d.Before(r.date) {
			bal += r.delta
		}
	}
	return bal
}

// after returns the balance right after row id in (date, log order), among rows.
func after(rows []naiveRow, id string) int64 {
	var bal int64
	for _, r := range rows {
		bal += r.delta
		if r.id == id {
			return bal
		}
	}
	panic("no row " + id)
}

// dates returns the balances by date: one per date any accepted row ever had (a date
// whose rows were all voided keeps its balance, moving nothing). A date emptied so keeps
// the balance before it as its lowest and highest until a void of one of its rows
// recounts them (Voided.Day): that balance is the end of the date before it, checked
// anyway, so no verdict depends on it.
func (n *repairRef) dates() []domain.DateBalance {
	seen := map[int64]bool{}
	var ds []domain.BusinessDate
	for _, r := range n.rows {
		if k := r.date.Time().Unix(); !seen[k] {
			seen[k] = true
			ds = append(ds, r.date)
		}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].Before(ds[j]) })
	eff := n.effective("")
	var out []domain.DateBalance
	bal, k := int64(0), 0
	for _, d := range ds {
		b := domain.DateBalance{Date: d, Low: bal, High: bal}
		first := !n.emptied[d.Time().Unix()]
		for ; k < len(eff) && eff[k].date.Equal(d); k++ {
			bal += eff[k].delta
			b.Net += eff[k].delta
			if first || bal < b.Low {
				b.Low = bal
			}
			if first || bal > b.High {
				b.High = bal
			}
			first = false
		}
		b.End = bal
		out = append(out, b)
	}
	return out
}

// target returns the operation id as the read model gives it to the rule.
func (n *repairRef) target(p domain.ProductID, id string) *domain.Target {
	if n.rejected[id] {
		return &domain.Target{ID: id, Kind: domain.TypeStockSold, Product: p, Rejected: true, Reason: "insufficient_stock"}
	}
	for _, r := range n.rows {
		if r.id != id {
			continue
		}
		t := &domain.Target{ID: id, Kind: r.kind, Product: p, Date: r.date, Delta: r.delta, VoidedBy: r.voided}
		run := int64(0)
		for _, o := range n.effective("") {
			if o.date.Before(r.date) {
				run += o.delta
				continue
			}
			if !o.date.Equal(r.date) {
				break
			}
			run += o.delta
			x := domain.Extremes{Low: run, High: run, Any: true}
			switch {
			case o.seq < r.seq:
				t.Prior = merge(t.Prior, x)
			case o.seq > r.seq:
				t.Rest = merge(t.Rest, x)
			}
		}
		return t
	}
	return nil
}

// propStep is one random event for the property test.
type propStep struct {
	kind   domain.EventType
	q      int64
	out    bool
	date   domain.BusinessDate
	target string
}

func randomStep(r *rand.Rand, n *repairRef, days int, base time.Time) propStep {
	s := propStep{date: domain.NewBusinessDate(base.AddDate(0, 0, r.IntN(days)).Add(time.Duration(r.IntN(3)) * 8 * time.Hour))}
	s.q = int64(r.IntN(12)+1) * 100
	pickTarget := func() string {
		switch x := r.IntN(20); {
		case x == 0:
			return "nope"
		case x == 1 && len(n.rejected) > 0:
			for id := range n.rejected {
				return id
			}
		case x == 2 && len(n.voids) > 0:
			for id := range n.voids {
				return id
			}
		}
		if len(n.rows) == 0 {
			return "nope"
		}
		return n.rows[r.IntN(len(n.rows))].id
	}
	switch x := r.IntN(100); {
	case x < 25:
		s.kind = domain.TypeStockSold
	case x < 50:
		s.kind = domain.TypeStockRestocked
		if r.IntN(25) == 0 {
			s.q = domain.MaxQuantity.Cents()/2 + int64(r.IntN(100))
		}
	case x < 60:
		s.kind, s.out = domain.TypeStockAdjusted, r.IntN(2) == 0
	case x < 70:
		s.kind = domain.TypeStockCounted
		s.q = max(0, n.balanceAt(s.date)+int64(r.IntN(9)-4)*100)
		switch r.IntN(10) {
		case 0, 1:
			s.q = 0
		case 2:
			s.q = domain.MaxQuantity.Cents() - int64(r.IntN(3))*100
		}
		s.q = min(s.q, domain.MaxQuantity.Cents())
	case x < 85:
		s.kind, s.target = domain.TypeOperationVoided, pickTarget()
	default:
		s.kind, s.target = domain.TypeOperationCorrected, pickTarget()
		if t := n.target(domain.ProductID{}, s.target); t != nil && !t.Rejected && r.IntN(3) == 0 {
			s.date = t.Date // the same date, a new quantity
		}
		if r.IntN(15) == 0 {
			s.q = domain.MaxQuantity.Cents()/2 + int64(r.IntN(100))
		}
	}
	return s
}

// expect returns what the naive rule says of step s as event id at log position seq:
// the rejection code ("" accepted), the date to name, and the rows in effect after it.
func (n *repairRef) expect(p domain.ProductID, s propStep, id string, seq int, closed domain.BusinessDate) (string, domain.BusinessDate, []naiveRow, naiveRow) {
	isClosed := func(d domain.BusinessDate) bool { return !closed.IsZero() && d.Day() <= closed.Day() }
	row := naiveRow{id: id, kind: s.kind, date: s.date, seq: seq}
	without := ""
	switch s.kind {
	case domain.TypeStockSold, domain.TypeStockRestocked, domain.TypeStockAdjusted, domain.TypeStockCounted:
		if isClosed(s.date) {
			return "period_closed", domain.BusinessDate{}, nil, row
		}
		row.delta = s.q
		switch {
		case s.kind == domain.TypeStockSold || s.kind == domain.TypeStockAdjusted && s.out:
			row.delta = -s.q
		case s.kind == domain.TypeStockCounted:
			row.delta = s.q - n.balanceAt(s.date)
		}
	default:
		t := n.target(p, s.target)
		switch {
		case t == nil:
			return "no_such_operation", domain.BusinessDate{}, nil, row
		case t.Rejected:
			return "not_accepted", domain.BusinessDate{}, nil, row
		case t.VoidedBy != "":
			return "already_voided", domain.BusinessDate{}, nil, row
		case s.kind == domain.TypeOperationCorrected && t.Kind == domain.TypeStockCounted:
			return "not_correctable", domain.BusinessDate{}, nil, row
		case isClosed(t.Date):
			return "period_closed", domain.BusinessDate{}, nil, row
		}
		without = t.ID
		if s.kind == domain.TypeOperationVoided {
			eff := n.effective(without)
			code, on := verdict(eff)
			return code, on, eff, row
		}
		if isClosed(s.date) {
			return "period_closed", domain.BusinessDate{}, nil, row
		}
		row.kind, row.delta = t.Kind, s.q
		if t.Delta < 0 {
			row.delta = -s.q
		}
	}
	eff := n.effective(without, row)
	code, on := verdict(eff)
	return code, on, eff, row
}

// decide runs step s through the domain as a projection would, returning the event, its
// effect and the error; conditions are built from the naive reference, the balances by
// date from the book's own timeline.
func decide(b *book, n *repairRef, s propStep, id string) (domain.Event, domain.Effect, error) {
	m := meta(b.tb, id)
	m.BusinessDate, m.Reason = s.date, "reason"
	if s.kind == domain.TypeStockAdjusted {
		m.Reason = domain.AdjustReasons[len(id)%len(domain.AdjustReasons)]
	}
	c := domain.Conditions{ClosedThrough: b.closed}
	q, err := domain.QuantityFromCents(s.q)
	if err != nil {
		b.tb.Fatal(err)
	}
	var e domain.Event
	switch s.kind {
	case domain.TypeOperationVoided, domain.TypeOperationCorrected:
		c.Target, c.Line = n.target(b.stock.Product(), s.target), b.line
		if s.kind == domain.TypeOperationVoided {
			e, err = b.stock.Void(s.target, m, c)
		} else {
			e, err = b.stock.Correct(s.target, q, m, c)
		}
	default:
		if b.stock.Backdated(s.date) {
			c.Span = b.line.Span(s.date)
		}
		switch s.kind {
		case domain.TypeStockSold:
			e, err = b.stock.Sell(q, m, c)
		case domain.TypeStockRestocked:
			e, err = b.stock.Restock(q, m, c)
		case domain.TypeStockCounted:
			e, err = b.stock.Count(q, m, c)
		default:
			e, err = b.stock.Adjust(q, s.out, m, c)
		}
	}
	if err != nil {
		return e, domain.Effect{}, err
	}
	eff, err := b.stock.Apply(e, c)
	if err != nil {
		b.tb.Fatalf("Apply after a successful decision: %v", err)
	}
	return e, eff, nil
}

// refusedOn returns the date a refusal for negative stock names.
func refusedOn(err error) (domain.BusinessDate, bool) {
	var neg *domain.NegativeStockError
	var ins *domain.InsufficientStockError
	switch {
	case errors.As(err, &neg):
		return neg.On, true
	case errors.As(err, &ins) && ins.Backdated:
		return ins.On, true
	}
	return domain.BusinessDate{}, false
}

// TestRepairRuleMatchesANaiveReference: random sales, restocks (half of them backdated),
// adjustments, counts, voids and corrections of one product, now and then a period
// close. After each event the domain's verdict must be the naive reference's; after
// each accepted one its effect, the stock, and the balances at every date (end, net,
// lowest and highest within the date) must be the reference's, recomputed from zero
// from the rows in effect; after a refusal the timeline must be as it was.
func TestRepairRuleMatchesANaiveReference(t *testing.T) {
	total := map[string]int{}
	for seed := range uint64(12) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 18))
			b := newBook(t)
			n := &repairRef{rejected: map[string]bool{}, voids: map[string]bool{}, emptied: map[int64]bool{}}
			base := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
			// Later seeds spread over more dates: a timeline of several chunks.
			seq, days := 0, 30
			if seed >= 6 {
				days = 150
			}
			for i := range 400 {
				if i%150 == 149 {
					b.closed = domain.NewBusinessDate(base.AddDate(0, 0, i/150*3))
				}
				s := randomStep(r, n, days, base)
				id := fmt.Sprintf("e%d", i)
				code, on, rows, row := n.expect(b.stock.Product(), s, id, seq+1, b.closed)
				e, eff, err := decide(b, n, s, id)
				got := domain.RejectionReason(err)
				total[string(s.kind)+":"+got]++
				if got != code {
					t.Fatalf("step %d %+v: %v (%q), the reference says %q", i, s, err, got, code)
				}
				if err != nil {
					if d, ok := refusedOn(err); ok && d.Day() != on.Day() {
						t.Fatalf("step %d %+v: %v names %s, the lowest balance is first reached on %s", i, s, err, d.Day(), on.Day())
					}
					n.rejected[id] = true
					if want := n.dates(); !sameDates(b.line.Dates(), want) {
						t.Fatalf("step %d: a refused %s left the timeline\n%v\nwant\n%v", i, s.kind, b.line.Dates(), want)
					}
					continue
				}
				seq++
				if s.kind == domain.TypeOperationVoided || s.kind == domain.TypeOperationCorrected {
					if eff.Voided == nil || eff.Voided.Target.ID != s.target {
						t.Fatalf("step %d: effect %+v does not void %s", i, eff, s.target)
					}
					low, high := eff.Voided.Day.Low, eff.Voided.Day.High
					if !eff.Voided.Day.Any {
						low, high = eff.Voided.Start, eff.Voided.Start
					}
					if _, ok := b.line.Reshape(eff.Voided.Target.Date, -eff.Voided.Target.Delta, low, high); !ok {
						t.Fatalf("step %d: no balance on %s", i, eff.Voided.Target.Date)
					}
					for k := range n.rows {
						if n.rows[k].id == s.target {
							n.rows[k].voided = id
						}
					}
					td, left := eff.Voided.Target.Date, false
					for _, o := range n.effective("") {
						left = left || o.date.Equal(td)
					}
					n.emptied[td.Time().Unix()] = !left
				}
				if s.kind == domain.TypeOperationVoided {
					n.voids[id] = true
				} else {
					if eff.Delta != row.delta || eff.After() != after(rows, id) {
						t.Fatalf("step %d %+v: effect delta %d, after %d; the reference says %d, %d", i, s, eff.Delta, eff.After(), row.delta, after(rows, id))
					}
					if s.kind == domain.TypeStockCounted && eff.Before != s.q-row.delta {
						t.Fatalf("step %d: count expected %d, the reference says %d", i, eff.Before, s.q-row.delta)
					}
					b.line.Add(e.BusinessDate, eff.Delta)
					n.rows = append(n.rows, row)
				}
				want := n.dates()
				if got := b.line.Dates(); !sameDates(got, want) {
					t.Fatalf("step %d (%+v): balances by date\n%v\nwant\n%v", i, s, got, want)
				}
				last := want[len(want)-1]
				snap := b.stock.Snapshot()
				if snap.Level.Cents() != last.End || !snap.LastDate.Equal(last.Date) || snap.DateNet != last.Net {
					t.Fatalf("step %d (%+v): stock %d, last date %s, its net %d; the balances end at %d on %s, net %d",
						i, s, snap.Level.Cents(), snap.LastDate, snap.DateNet, last.End, last.Date, last.Net)
				}
				for _, d := range want {
					if d.Low < 0 || d.High > domain.MaxQuantity.Cents() {
						t.Fatalf("step %d: balance out of range on %s: %+v", i, d.Date, d)
					}
				}
			}
		})
	}
	t.Logf("verdicts (kind:code): %v", total)
	for _, k := range []string{"OperationVoided:", "OperationVoided:insufficient_stock", "OperationVoided:already_voided",
		"OperationVoided:no_such_operation", "OperationVoided:not_accepted", "OperationVoided:period_closed",
		"OperationCorrected:", "OperationCorrected:insufficient_stock", "OperationCorrected:not_correctable",
		"StockCounted:", "StockCounted:insufficient_stock", "StockAdjusted:", "StockAdjusted:insufficient_stock",
		"StockRestocked:stock_overflow", "OperationCorrected:stock_overflow", "StockCounted:stock_overflow"} {
		if total[k] < 5 {
			t.Errorf("the random steps gave %d of %s, too few to test it", total[k], k)
		}
	}
}

func sameDates(a, b []domain.DateBalance) bool {
	return len(a) == 0 && len(b) == 0 || reflect.DeepEqual(a, b)
}
