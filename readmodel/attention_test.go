package readmodel_test

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/readmodel"
)

// An attention history is built through the ledger projection from generated operations
// and kept beside it in the test's own terms (histOp), from which the test computes what
// Attention must say without calling the domain's forecast.

// histOp is one accepted operation as the test remembers it.
type histOp struct {
	id       string
	kind     string // "restock", "sell", "transfer"
	product  string
	location string // a transfer's source
	to       string // a transfer's destination
	cents    int64
	day      time.Time // its business date (midnight plus a time of day)
	voided   bool
}

// attentionHistory appends a history's events in log order and remembers its operations.
type attentionHistory struct {
	tb      testing.TB
	records []domain.Record
	seq     map[string]int64
	ops     []*histOp
	byID    map[string]*histOp
	at      time.Time // recorded time of the next event
}

func newAttentionHistory(tb testing.TB) *attentionHistory {
	return &attentionHistory{tb: tb, seq: map[string]int64{}, byID: map[string]*histOp{},
		at: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (h *attentionHistory) append(e domain.Event) {
	h.tb.Helper()
	e.ID = fmt.Sprint("e", len(h.records))
	e.CommandID = "c" + e.ID
	e.RecordedAt, e.RecordedBy = h.at, "clerk"
	h.at = h.at.Add(time.Minute)
	if e.Product.String() != "" {
		h.seq[e.Product.String()]++
		e.ExpectedSeq = h.seq[e.Product.String()]
	}
	h.records = append(h.records, testfix.Record(h.tb, domain.Position{Offset: int64(len(h.records))}, e))
}

func (h *attentionHistory) location(id string) {
	h.tb.Helper()
	l, err := domain.ParseLocationID(id)
	if err != nil {
		h.tb.Fatal(err)
	}
	h.append(domain.Event{Type: domain.TypeLocationAdded, Location: l, Name: id, BusinessDate: domain.NewBusinessDate(h.at)})
}

// op appends an operation: kind restock or sell in loc, or transfer from loc to to.
func (h *attentionHistory) op(kind, product, loc, to string, cents int64, day time.Time) *histOp {
	h.tb.Helper()
	o := &histOp{kind: kind, product: product, location: loc, to: to, cents: cents, day: day}
	e := domain.Event{Product: testfix.Product(h.tb, product), Quantity: quantity(h.tb, cents), BusinessDate: domain.NewBusinessDate(day)}
	e.Type = map[string]domain.EventType{"restock": domain.TypeStockRestocked, "sell": domain.TypeStockSold,
		"transfer": domain.TypeStockTransferred}[kind]
	e.Location = locationID(h.tb, loc)
	if kind == "transfer" {
		e.To = locationID(h.tb, to)
	}
	h.append(e)
	o.id = fmt.Sprint("e", len(h.records)-1)
	h.ops = append(h.ops, o)
	h.byID[o.id] = o
	return o
}

// void voids o; correct voids it and records it again at cents on day.
func (h *attentionHistory) void(o *histOp) {
	h.tb.Helper()
	h.append(domain.Event{Type: domain.TypeOperationVoided, Product: testfix.Product(h.tb, o.product), Target: o.id,
		Reason: "mistake", BusinessDate: domain.NewBusinessDate(o.day)})
	o.voided = true
}

func (h *attentionHistory) correct(o *histOp, cents int64, day time.Time) {
	h.tb.Helper()
	h.append(domain.Event{Type: domain.TypeOperationCorrected, Product: testfix.Product(h.tb, o.product), Target: o.id,
		Reason: "typo", Quantity: quantity(h.tb, cents), BusinessDate: domain.NewBusinessDate(day)})
	o.voided = true
	c := *o
	c.id, c.cents, c.day, c.voided = fmt.Sprint("e", len(h.records)-1), cents, day, false
	h.ops = append(h.ops, &c)
}

// build projects the history into a new read model, failing if any event was rejected.
func (h *attentionHistory) build() *readmodel.DB {
	h.tb.Helper()
	db := testfix.MustOpenDB(h.tb)
	testfix.Apply(h.tb, db, h.records)
	if rej := queryLines(h.tb, rawDB(h.tb, db), `SELECT event_id, reason, detail FROM rejected_events`); len(rej) > 0 {
		h.tb.Fatalf("rejected: %q", rej)
	}
	return db
}

func quantity(tb testing.TB, cents int64) domain.Quantity {
	tb.Helper()
	q, err := domain.QuantityFromCents(cents)
	if err != nil {
		tb.Fatal(err)
	}
	return q
}

func locationID(tb testing.TB, s string) domain.LocationID {
	tb.Helper()
	l, err := domain.ParseLocationID(s)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// testThreshold is a threshold row as the test writes it into the thresholds table (the
// projection's output, the reader's input).
type testThreshold struct {
	product, location   string
	minC, reorder, lead int64
}

func setThresholds(tb testing.TB, db *readmodel.DB, ts []testThreshold) {
	tb.Helper()
	raw := rawDB(tb, db)
	for _, t := range ts {
		if _, err := raw.Exec(`INSERT INTO thresholds (product_id, location, min_cents, reorder_cents, lead_days, event_id, recorded_at, recorded_by)
			VALUES (?, ?, ?, ?, ?, 'test', '2024-01-01T00:00:00Z', 'test')`, t.product, t.location, t.minC, t.reorder, t.lead); err != nil {
			tb.Fatal(err)
		}
	}
}

// generatedHistory is a seeded history of 15 products around day base (the last day of
// the windows asked), in log order unlike business-date order: each product restocked
// 60 days before, part moved to north 50 days before, then sales, restocks and transfers
// on random days from 45 days before to 2 days after base appended in random order
// (backdated), then some sales voided and some corrected (to another quantity, and some
// to another day, in or out of the window). Besides, by design: P-none has never sold,
// P-old sold only before every window, P-one sold once in the window, P-zero sold out in
// the window and P-gone before it, P-low is below its minimum with no sale in the window, P-fast
// runs out within days.
func generatedHistory(tb testing.TB, seed uint64, base time.Time) *attentionHistory {
	r := rand.New(rand.NewPCG(seed, 20))
	h := newAttentionHistory(tb)
	h.location("north")
	at := func(daysFromBase int) time.Time {
		return base.AddDate(0, 0, daysFromBase).Add(time.Duration(r.IntN(24*3600)) * time.Second)
	}
	var sales []*histOp
	var later []func()
	for i := range 8 {
		p := fmt.Sprintf("P%02d", i)
		h.op("restock", p, "main", "", 100000+r.Int64N(100)*100, at(-60))
		spread := i%2 == 0
		if spread {
			h.op("transfer", p, "main", "north", 20000, at(-50))
		}
		for range 10 + r.IntN(30) {
			o := histOp{product: p, location: "main", cents: 100 + r.Int64N(1000), day: at(r.IntN(48) - 45)}
			switch k := r.IntN(10); {
			case k < 7:
				o.kind = "sell"
				if spread && r.IntN(2) == 0 {
					o.location = "north"
				}
			case k < 9:
				o.kind = "restock"
			default:
				if !spread {
					o.kind = "sell"
					break
				}
				o.kind, o.to = "transfer", "north"
			}
			later = append(later, func() {
				op := h.op(o.kind, o.product, o.location, o.to, o.cents, o.day)
				if op.kind == "sell" {
					sales = append(sales, op)
				}
			})
		}
	}
	// Sales in north stay within the 200 moved there at -50 days: at most 39 of 10.99.
	r.Shuffle(len(later), func(i, j int) { later[i], later[j] = later[j], later[i] })
	for _, f := range later {
		f()
	}
	for _, o := range sales {
		switch k := r.IntN(10); {
		case k == 0:
			h.void(o)
		case k == 1:
			h.correct(o, 100+r.Int64N(1000), o.day)
		case k == 2:
			h.correct(o, o.cents, at(r.IntN(48)-45))
		}
	}
	h.op("restock", "P-none", "main", "", 5000, at(-30))
	h.op("restock", "P-old", "main", "", 5000, at(-40))
	h.op("sell", "P-old", "main", "", 1000, at(-29)) // before a 28-day window
	h.op("restock", "P-one", "main", "", 1000, at(-40))
	h.op("sell", "P-one", "main", "", 300, at(-3))
	h.op("restock", "P-zero", "main", "", 550, at(-20))
	h.op("sell", "P-zero", "main", "", 550, at(-2))
	h.op("restock", "P-gone", "main", "", 500, at(-40))
	h.op("sell", "P-gone", "main", "", 500, at(-35))
	h.op("restock", "P-low", "main", "", 500, at(-40))
	// P-fast sells 3 a day for 27 days, appended newest first: it runs out within days.
	h.op("restock", "P-fast", "main", "", 10000, at(-40))
	var fast []*histOp
	for d := -1; d >= -27; d-- {
		fast = append(fast, h.op("sell", "P-fast", "main", "", 300, at(d)))
	}
	h.void(fast[3])
	h.correct(fast[5], 450, fast[5].day)
	return h
}

// want is what the test computes Attention must say of one stock.
type want struct {
	stock, sold   int64
	hasRate       bool
	rate, cover   float64
	stockOut      time.Time
	reason        string
	suggested     int64
	thresholdSeen bool
}

// expect computes, from the history alone, stock (now, or at the end of asOf), the sales
// in the window, the forecast, the reason and the suggested order of scope (product,
// location; "" for the total) under threshold t (nil for none).
func expect(h *attentionHistory, product, location string, now bool, asOf time.Time, window, horizon int, t *testThreshold) want {
	endOfDay := asOf.AddDate(0, 0, 1)
	from := asOf.AddDate(0, 0, 1-window)
	var w want
	for _, o := range h.ops {
		if o.product != product || o.voided {
			continue
		}
		var move int64
		switch {
		case o.kind == "restock" && (location == "" || location == o.location):
			move = o.cents
		case o.kind == "sell" && (location == "" || location == o.location):
			move = -o.cents
			if !o.day.Before(from) && o.day.Before(endOfDay) {
				w.sold += o.cents
			}
		case o.kind == "transfer" && location == o.location:
			move = -o.cents
		case o.kind == "transfer" && location == o.to:
			move = o.cents
		}
		if now || o.day.Before(endOfDay) {
			w.stock += move
		}
	}
	var minC, reorder, lead int64
	if t != nil {
		minC, reorder, lead, w.thresholdSeen = t.minC, t.reorder, t.lead, true
	}
	if w.sold > 0 {
		w.hasRate = true
		w.rate = float64(w.sold) / 100 / float64(window)
		w.cover = float64(w.stock) / 100 / w.rate
		// Whole days of cover, exactly: stock ÷ (sold ÷ window) with the remainder dropped.
		whole := new(big.Int).Quo(big.NewInt(w.stock*int64(window)), big.NewInt(w.sold)).Int64()
		w.stockOut = asOf.AddDate(0, 0, int(whole))
	}
	switch {
	case w.stock == 0:
		w.reason = readmodel.ReasonZero
	case t != nil && w.stock <= minC:
		w.reason = readmodel.ReasonBelowMin
	case w.hasRate && !w.stockOut.After(asOf.AddDate(0, 0, int(max(int64(horizon), lead)))):
		w.reason = readmodel.ReasonForecast
	}
	// need = min + rate × (lead + window) − stock, in units, as a fraction.
	need := new(big.Rat).SetFrac64(minC-w.stock, 100)
	if w.hasRate {
		need.Add(need, new(big.Rat).Mul(new(big.Rat).SetFrac64(w.sold, 100*int64(window)), big.NewRat(lead+int64(window), 1)))
	}
	if need.Sign() > 0 {
		units := new(big.Int).Quo(need.Num(), need.Denom())
		if !need.IsInt() {
			units.Add(units, big.NewInt(1))
		}
		w.suggested = max(units.Int64()*100, reorder)
	}
	return w
}

// TestAttentionOnAGeneratedHistory: for every stock Attention lists, the stock, the sales
// in the window, the rate, the cover, the stock-out date, the reason and the suggested
// order equal what the test computes from the operations it generated (backdated, voided
// and corrected ones among them); it lists exactly the stocks it should (each total and
// each location with a threshold; with a location, every product there); and it orders
// them by reason, then earliest stock-out, no forecast last. As of a past day, and now.
func TestAttentionOnAGeneratedHistory(t *testing.T) {
	ctx := context.Background()
	thresholds := []testThreshold{
		{"P00", "", 150000, 0, 0},         // below its minimum
		{"P01", "", 10000, 500000, 30},    // a long lead time
		{"P02", "north", 5000, 0, 7},      // a location's own
		{"P03", "north", 100, 0, 0},       // north, where P03 never was: 0 there
		{"P04", "main", 90000, 1000, 3},   // main of a spread product
		{"P05", "", 100000000, 250000, 0}, // far above any stock
		{"P-low", "", 600, 2000, 5},
		{"P-one", "", 100, 0, 120},
	}
	today := time.Now()
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		seed uint64
		base time.Time
		now  bool
	}{
		{"as of a past day", 1, time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC), false},
		{"as of another past day", 2, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), false},
		{"now", 3, today, true},
	} {
		h := generatedHistory(t, c.seed, c.base)
		db := h.build()
		setThresholds(t, db, thresholds)
		products := map[string]bool{}
		for _, o := range h.ops {
			products[o.product] = true
		}
		for _, q := range []readmodel.AttentionQuery{
			{},
			{WindowDays: 7, HorizonDays: 30},
			{WindowDays: 60, HorizonDays: 1},
			{Location: "north"},
			{Location: "main", WindowDays: 14},
		} {
			window, horizon := cmpOr(q.WindowDays, 28), cmpOr(q.HorizonDays, 14)
			if !c.now {
				q.AsOf = c.base.Add(13 * time.Hour) // its time of day is ignored
			}
			name := fmt.Sprintf("%s, window %d, horizon %d, location %q", c.name, window, horizon, q.Location)
			list, err := db.Attention(ctx, q)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			// Which stocks: the totals and the thresholds' locations, or a location's.
			var wantScopes, gotScopes []string
			for p := range products {
				if q.Location == "" {
					wantScopes = append(wantScopes, p+"@")
				} else if held(h, p, q.Location) {
					wantScopes = append(wantScopes, p+"@"+q.Location)
				}
			}
			for _, th := range thresholds {
				if th.location != "" && (q.Location == "" || q.Location == th.location) && !slices.Contains(wantScopes, th.product+"@"+th.location) {
					wantScopes = append(wantScopes, th.product+"@"+th.location)
				}
			}
			for _, a := range list {
				gotScopes = append(gotScopes, a.Product+"@"+a.Location)
			}
			slices.Sort(wantScopes)
			if g := slices.Sorted(slices.Values(gotScopes)); !slices.Equal(g, wantScopes) {
				t.Errorf("%s: stocks listed %q, want %q", name, g, wantScopes)
			}
			reasons := map[string]int{}
			for i, a := range list {
				loc := a.Location
				if q.Location != "" {
					loc = q.Location
				}
				var th *testThreshold
				for j := range thresholds {
					if thresholds[j].product == a.Product && thresholds[j].location == loc {
						th = &thresholds[j]
					}
				}
				w := expect(h, a.Product, loc, c.now, c.base, window, horizon, th)
				f := a.Forecast
				got := fmt.Sprintf("stock %d, sold %d in %d days, rate %v %.9f, cover %.9f, out %s, reason %q, order %d, threshold %v",
					a.Stock, f.Sold, f.WindowDays, f.HasRate, f.Rate, f.CoverDays, day10(f.StockOut), a.Reason, a.Suggested, a.Threshold != nil)
				exp := fmt.Sprintf("stock %d, sold %d in %d days, rate %v %.9f, cover %.9f, out %s, reason %q, order %d, threshold %v",
					w.stock, w.sold, window, w.hasRate, w.rate, w.cover, day10(w.stockOut), w.reason, w.suggested, w.thresholdSeen)
				if got != exp || (f.HasRate && math.Abs(f.CoverDays-w.cover) > 1e-9*max(1, w.cover)) {
					t.Errorf("%s: %s@%s:\n got %s\nwant %s", name, a.Product, a.Location, got, exp)
				}
				if a.Threshold != nil && (a.Threshold.Min.Cents() != th.minC || a.Threshold.LeadDays != int(th.lead) || a.Threshold.Scope() != th.location) {
					t.Errorf("%s: %s@%s: threshold %+v, want %+v", name, a.Product, a.Location, *a.Threshold, *th)
				}
				reasons[a.Reason]++
				if i == 0 {
					continue
				}
				// Ordered: reason, then earliest stock-out, no forecast last.
				b := list[i-1]
				rank := map[string]int{readmodel.ReasonZero: 0, readmodel.ReasonBelowMin: 1, readmodel.ReasonForecast: 2, "": 3}
				switch {
				case rank[b.Reason] > rank[a.Reason],
					rank[b.Reason] == rank[a.Reason] && !b.Forecast.HasRate && a.Forecast.HasRate,
					rank[b.Reason] == rank[a.Reason] && b.Forecast.HasRate && a.Forecast.HasRate && b.Forecast.StockOut.After(a.Forecast.StockOut):
					t.Errorf("%s: %s@%s (%s, out %s) listed before %s@%s (%s, out %s)", name, b.Product, b.Location, b.Reason,
						day10(b.Forecast.StockOut), a.Product, a.Location, a.Reason, day10(a.Forecast.StockOut))
				}
			}
			t.Logf("%s: %d stocks, reasons %v", name, len(list), reasons)
			if q == (readmodel.AttentionQuery{AsOf: q.AsOf}) && (reasons[readmodel.ReasonZero] == 0 || reasons[readmodel.ReasonBelowMin] == 0 ||
				reasons[readmodel.ReasonForecast] == 0 || reasons[""] == 0) {
				t.Errorf("%s: reasons %v: the history should give every reason", name, reasons)
			}
		}
	}
}

// held reports whether product p has a place in loc: it is main for a product never
// moved, and any location one of its operations named otherwise.
func held(h *attentionHistory, p, loc string) bool {
	spread := false
	named := false
	for _, o := range h.ops {
		if o.product != p {
			continue
		}
		if o.location != "main" || (o.to != "" && o.to != "main") {
			spread = true
		}
		if o.location == loc || o.to == loc {
			named = true
		}
	}
	return named || (!spread && loc == "main")
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func day10(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("2006-01-02")
}

// TestAttentionFigures: the figures of a few stocks worked by hand, on the window ending
// 2024-06-30: a single sale of 3 is 3/28 a day, and 7 left at the day's end (a later sale
// does not count) 65.33 days of cover, out on 2024-09-03; a sale voided and one corrected
// from 9 to 2 leave 2 sold; nothing sold in the window and nothing left: zero, no
// forecast. No threshold: nothing to order while the stock covers the window's sales.
func TestAttentionFigures(t *testing.T) {
	db := repairLedger(t,
		"restock 2024-05-01 A 10", // 0
		"sell 2024-06-10 A 3",     // 1
		"restock 2024-05-01 B 20", // 2
		"sell 2024-06-20 B 5",     // 3
		"void 3 mistake",          // 4
		"sell 2024-06-21 B 9",     // 5
		"correct 5 2 2024-06-21",  // 6
		"restock 2024-05-01 C 4",  // 7
		"sell 2024-06-01 C 4",     // 8: before the window (06-03 to 06-30)
		"sell 2024-07-01 A 1",     // 9: after it, and after the day asked
	)
	list, err := db.Attention(context.Background(), readmodel.AttentionQuery{AsOf: time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range list {
		f := a.Forecast
		got = append(got, fmt.Sprintf("%s stock %d sold %d rate %.4f cover %.2f out %s reason %q order %d",
			a.Product, a.Stock, f.Sold, f.Rate, f.CoverDays, day10(f.StockOut), a.Reason, a.Suggested))
	}
	wantList := []string{
		`C stock 0 sold 0 rate 0.0000 cover 0.00 out - reason "zero" order 0`,
		`A stock 700 sold 300 rate 0.1071 cover 65.33 out 2024-09-03 reason "" order 0`,
		`B stock 1800 sold 200 rate 0.0714 cover 252.00 out 2025-03-09 reason "" order 0`,
	}
	if !slices.Equal(got, wantList) {
		t.Errorf("attention:\n%s\nwant\n%s", join(got), join(wantList))
	}
}

func join(lines []string) string {
	s := ""
	for _, l := range lines {
		s += "  " + l + "\n"
	}
	return s
}
