package projections_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
)

// The naive reference of the repair property test: every product's rows in log order,
// the rows in effect sorted by (business date, log position) and every balance
// recomputed from zero, written apart from the domain's timeline and the read model's SQL.

// rRow is a ledger row of the reference.
type rRow struct {
	id       string
	kind     domain.EventType
	product  domain.ProductID
	date     domain.BusinessDate
	pos      domain.Position
	seq      int64
	delta    int64
	stock    int64 // the balance right after it when it was accepted
	voided   string
	frozen   int64 // date_cents when voided
	corrects string
	counted  *int64
	reason   string
}

// rBook is one product's reference.
type rBook struct {
	rows    []*rRow
	seq     int64
	emptied map[int64]bool // see the domain's property test: dates once emptied by voids
}

// rRepair is a row of the repairs table.
type rRepair struct {
	id, typ, product, target string
	seq, delta, stock        int64
}

type repairReference struct {
	books    map[domain.ProductID]*rBook
	closed   domain.BusinessDate
	rejected map[string]domain.ProductID // refused event IDs, by product
	voids    map[string]bool
	repairs  []rRepair
	counts   map[string]int
}

func newRepairReference() *repairReference {
	return &repairReference{books: map[domain.ProductID]*rBook{}, rejected: map[string]domain.ProductID{}, voids: map[string]bool{},
		counts: map[string]int{}}
}

func (r *repairReference) book(p domain.ProductID) *rBook {
	b := r.books[p]
	if b == nil {
		b = &rBook{emptied: map[int64]bool{}}
		r.books[p] = b
	}
	return b
}

// effective returns the rows in effect but without, and extra, in (date, log) order.
func (b *rBook) effective(without string, extra ...*rRow) []*rRow {
	var out []*rRow
	for _, x := range b.rows {
		if x.voided == "" && x.id != without {
			out = append(out, x)
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

func (b *rBook) balanceAt(d domain.BusinessDate) int64 {
	var bal int64
	for _, x := range b.effective("") {
		if !d.Before(x.date) {
			bal += x.delta
		}
	}
	return bal
}

// dateCents is the row's running total within its date, among rows (sorted).
func dateCents(rows []*rRow, id string) int64 {
	target := rowByID(rows, id)
	var run int64
	for _, x := range rows {
		if x.date.Equal(target.date) {
			run += x.delta
			if x.id == id {
				return run
			}
		}
	}
	panic("no row " + id)
}

func rowByID(rows []*rRow, id string) *rRow {
	for _, x := range rows {
		if x.id == id {
			return x
		}
	}
	return nil
}

func inRange(rows []*rRow) string {
	var bal int64
	over := false
	for _, x := range rows {
		bal += x.delta
		if bal < 0 {
			return "insufficient_stock"
		}
		over = over || bal > domain.MaxQuantity.Cents()
	}
	if over {
		return "stock_overflow"
	}
	return ""
}

// decide applies the rule to e at pos and returns the rejection code, "" when accepted.
func (r *repairReference) decide(pos domain.Position, e domain.Event) string {
	if e.Type == domain.TypePeriodClosed {
		r.closed = e.BusinessDate
		return ""
	}
	b := r.book(e.Product)
	closed := func(d domain.BusinessDate) bool { return !r.closed.IsZero() && d.Day() <= r.closed.Day() }
	reject := func(code string) string {
		r.rejected[e.ID] = e.Product
		return code
	}
	if e.ExpectedSeq != b.seq+1 {
		return reject("sequence_conflict")
	}
	row := &rRow{id: e.ID, kind: e.Type, product: e.Product, date: e.BusinessDate, pos: pos, seq: e.ExpectedSeq, reason: e.Reason}
	var target *rRow
	switch e.Type {
	case domain.TypeStockSold, domain.TypeStockRestocked, domain.TypeStockAdjusted, domain.TypeStockCounted:
		if closed(e.BusinessDate) {
			return reject("period_closed")
		}
		row.delta = e.Quantity.Cents()
		switch {
		case e.Type == domain.TypeStockSold || e.Type == domain.TypeStockAdjusted && e.Out:
			row.delta = -row.delta
		case e.Type == domain.TypeStockCounted:
			c := row.delta
			row.counted = &c
			row.delta = c - b.balanceAt(e.BusinessDate)
		}
	default:
		for _, other := range r.books {
			if x := rowByID(other.rows, e.Target); x != nil {
				target = x
			}
		}
		rp, rejected := r.rejected[e.Target]
		switch {
		case target == nil && !rejected:
			return reject("no_such_operation")
		case target == nil && rp != e.Product || target != nil && target.product != e.Product:
			return reject("invalid")
		case target == nil:
			return reject("not_accepted")
		case target.voided != "":
			return reject("already_voided")
		case e.Type == domain.TypeOperationCorrected && target.kind == domain.TypeStockCounted:
			return reject("not_correctable")
		case closed(target.date):
			return reject("period_closed")
		}
		if e.Type == domain.TypeOperationVoided {
			row = nil
			break
		}
		if closed(e.BusinessDate) {
			return reject("period_closed")
		}
		row.kind, row.corrects, row.delta = target.kind, target.id, e.Quantity.Cents()
		if target.delta < 0 {
			row.delta = -row.delta
		}
	}
	without := ""
	if target != nil {
		without = target.id
	}
	var extra []*rRow
	if row != nil {
		extra = append(extra, row)
	}
	rows := b.effective(without, extra...)
	if code := inRange(rows); code != "" {
		return reject(code)
	}
	// Accepted.
	b.seq = e.ExpectedSeq
	moved := int64(0)
	if target != nil {
		target.frozen = dateCents(b.effective(""), target.id)
		target.voided = e.ID
		moved -= target.delta
		left := false
		for _, x := range b.effective("") {
			left = left || x.date.Equal(target.date)
		}
		b.emptied[target.date.Time().Unix()] = !left
	}
	if row != nil {
		var bal int64
		for _, x := range rows {
			bal += x.delta
			if x == row {
				row.stock = bal
			}
		}
		b.rows = append(b.rows, row)
		moved += row.delta
	} else {
		r.voids[e.ID] = true
	}
	if e.Type != domain.TypeStockSold && e.Type != domain.TypeStockRestocked {
		r.repairs = append(r.repairs, rRepair{e.ID, string(e.Type), e.Product.String(), e.Target, e.ExpectedSeq, moved, b.balanceAt(domain.NewBusinessDate(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)))})
	}
	return ""
}

// randomRepairLog makes n events over nProducts products (up to six) in three partitions: sales, restocks
// (some past the maximum), adjustments, counts, voids and corrections (of the product's
// own operations mostly, now and then of another product's, of a refused event, of a void
// or of nothing), a few stale sequences, and two period closes written to every
// partition. It returns the records and, per record, the reference's verdict.
func randomRepairLog(t *testing.T, rng *rand.Rand, n, days, nProducts int) ([]domain.Record, *repairReference, map[domain.Position]string) {
	ref := newRepairReference()
	verdict := map[domain.Position]string{}
	var products []domain.ProductID
	for _, s := range []string{"A", "B", "C", "D", "E", "F"}[:nProducts] {
		products = append(products, testfix.Product(t, s))
	}
	offsets := map[int32]int64{}
	var records []domain.Record
	base := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	add := func(part int32, e domain.Event) {
		pos := domain.Position{Partition: part, Offset: offsets[part]}
		offsets[part]++
		verdict[pos] = ref.decide(pos, e)
		ref.counts[string(e.Type)+":"+verdict[pos]]++
		records = append(records, testfix.Record(t, pos, e))
	}
	anyID := func(m map[string]bool) string {
		for id := range m {
			return id
		}
		return "nope"
	}
	for i := range n {
		if i == n/3 || i == 2*n/3 {
			e, err := domain.ClosePeriod(ref.closed, domain.NewBusinessDate(base.AddDate(0, 0, days*i/n/3)),
				domain.Metadata{EventID: fmt.Sprintf("close%d", i), CommandID: fmt.Sprintf("close%d", i), RecordedAt: base, RecordedBy: "prop"})
			if err != nil {
				t.Fatal(err)
			}
			for part := range int32(3) {
				add(part, e)
			}
		}
		k := rng.IntN(len(products))
		p, part := products[k], int32(k%3)
		b := ref.book(p)
		date := domain.NewBusinessDate(base.AddDate(0, 0, rng.IntN(days)).Add(time.Duration(rng.IntN(2)) * 12 * time.Hour))
		e := domain.Event{ID: fmt.Sprintf("e%d", i), CommandID: fmt.Sprintf("c%d", i), Product: p, ExpectedSeq: b.seq + 1,
			BusinessDate: date, RecordedAt: base.Add(time.Duration(i) * time.Second), RecordedBy: "prop", Reason: "typo"}
		if e.ExpectedSeq > 1 && rng.IntN(40) == 0 {
			e.ExpectedSeq--
		}
		cents := int64(rng.IntN(10)+1) * 100
		switch x := rng.IntN(100); {
		case x < 25:
			e.Type, e.Reason = domain.TypeStockSold, ""
		case x < 50:
			e.Type, e.Reason = domain.TypeStockRestocked, ""
			if rng.IntN(25) == 0 {
				cents = domain.MaxQuantity.Cents()/2 + int64(rng.IntN(100))
			}
		case x < 60:
			e.Type, e.Out, e.Reason = domain.TypeStockAdjusted, rng.IntN(2) == 0, domain.AdjustReasons[rng.IntN(len(domain.AdjustReasons))]
		case x < 70:
			e.Type = domain.TypeStockCounted
			cents = max(0, b.balanceAt(date)+int64(rng.IntN(7)-3)*100)
			if rng.IntN(5) == 0 {
				cents = 0
			}
		default:
			e.Type = domain.TypeOperationVoided
			if x >= 85 {
				e.Type = domain.TypeOperationCorrected
			}
			switch y := rng.IntN(24); {
			case y == 0:
				e.Target = "nope"
			case y == 1:
				e.Target = anyID(ref.voids)
			case y == 2:
				for id, rp := range ref.rejected {
					if rp == p {
						e.Target = id
						break
					}
				}
			case y == 3:
				if o := ref.books[products[rng.IntN(len(products))]]; o != nil && len(o.rows) > 0 {
					e.Target = o.rows[rng.IntN(len(o.rows))].id
				}
			case len(b.rows) > 0:
				t := b.rows[rng.IntN(len(b.rows))]
				e.Target = t.id
				if rng.IntN(3) == 0 {
					e.BusinessDate = t.date
				}
			}
			if e.Target == "" {
				e.Target = "nope"
			}
			if e.Type == domain.TypeOperationVoided {
				cents = 0
			}
		}
		q, err := domain.QuantityFromCents(cents)
		if err != nil {
			t.Fatal(err)
		}
		e.Quantity = q
		add(part, e)
	}
	return records, ref, verdict
}
