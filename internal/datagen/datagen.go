// Package datagen makes realistic, reproducible operations files in the original CSV
// format: products with different demand, weekly and seasonal patterns, occasional large
// orders, and replenishments when stock runs low.
package datagen

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/stockctl/stockctl/ledgercsv"
)

// Options describe the data set.
type Options struct {
	Products int
	Days     int
	Seed     uint64
	Start    time.Time // first business day
	// Backdated is the percentage (0 to 50) of operations dated before the latest date
	// already written for their product, by 1 to BackdateDays days (not before Start):
	// late paperwork. Each is still accepted by the rule in business-date order: a
	// backdated sale takes no more than the least balance from its date on. Zero writes
	// every product's operations in date order, the same bytes as before the option.
	Backdated    float64
	BackdateDays int
	// ShiftDays moves every date written this many days later. The demand model (busy
	// Mondays, seasons, the random draws) still runs from Start, so the same options with
	// another shift give the same quantities on other dates; a multiple of 7 keeps them on
	// their weekdays. stockctl demo uses it to end its year this week.
	ShiftDays int
}

// Report says what Generate wrote.
type Report struct {
	Operations int
	// Backdated rows are dated before an earlier row of their product in the file;
	// Shrunk of them are sales cut down to the least balance from their date on.
	Backdated, Shrunk int
}

// point is a product's balance right after one of its operations, in business-date
// order (the file's order within a day).
type point struct {
	day     time.Time
	balance int64
}

// product is one product's demand model and state.
type product struct {
	id         string
	daily      float64 // mean units sold per day
	fractional bool    // sold by weight: quantities with decimals
	phase      float64 // seasonal peak, as a fraction of the year
	season     float64 // seasonal amplitude
	stock      int64   // hundredths
	reorder    int64   // restock when stock falls to this
	orderUpTo  int64   // restock up to this
	timeline   []point // with Options.Backdated
}

// weekday multiplies demand: quiet weekends, busy Mondays.
var weekday = [7]float64{0.3, 1.2, 1.1, 1.0, 1.0, 0.9, 0.5} // Sunday first

// Generate writes the data set to w and returns how many operations it wrote. The same
// options always give the same bytes.
func Generate(w io.Writer, opt Options) (int, error) {
	rep, err := GenerateReport(w, opt)
	return rep.Operations, err
}

// GenerateReport is Generate, saying how many rows it backdated.
func GenerateReport(w io.Writer, opt Options) (Report, error) {
	var rep Report
	if opt.Products < 1 || opt.Days < 1 {
		return rep, fmt.Errorf("generate: need at least one product and one day")
	}
	if opt.Backdated < 0 || opt.Backdated > 50 || opt.Backdated > 0 && opt.BackdateDays < 1 {
		return rep, fmt.Errorf("generate: backdate 0 to 50%% of the operations, by at least one day")
	}
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x5bd1e995))
	ps := make([]*product, opt.Products)
	for i := range ps {
		// Demand spread over two orders of magnitude: a few best sellers, a long tail.
		daily := math.Exp(rng.NormFloat64()*0.9 + 1.6)
		p := &product{
			id:         fmt.Sprintf("P%03d", i+1),
			daily:      daily,
			fractional: rng.IntN(5) == 0,
			phase:      rng.Float64(),
			season:     0.15 + 0.35*rng.Float64(),
		}
		p.reorder = cents(daily * 10)
		p.orderUpTo = cents(daily * (25 + 20*rng.Float64()))
		ps[i] = p
	}
	out := ledgercsv.NewWriter(w)
	write := func(day time.Time, p *product, signed int64) error {
		column := p.stock + signed
		if opt.Backdated > 0 {
			day, signed, column = backdate(rng, opt, p, day, signed, &rep)
		}
		p.stock += signed
		rep.Operations++
		// The stock column is the balance right after the row in business-date order,
		// given the rows above it: what import checks. For rows in date order it is the
		// product's stock once the row is added.
		return out.Write(day.AddDate(0, 0, opt.ShiftDays), p.id, signed, column)
	}
	for d := 0; d < opt.Days; d++ {
		day := opt.Start.AddDate(0, 0, d)
		for _, p := range ps {
			// Replenish at the start of the day when stock is at the reorder point.
			if p.stock <= p.reorder {
				if qty := round(p.orderUpTo-p.stock, false); qty > 0 {
					if err := write(day, p, qty); err != nil {
						return rep, err
					}
				}
			}
			season := 1 + p.season*math.Sin(2*math.Pi*(float64(day.YearDay())/365-p.phase))
			mean := p.daily * weekday[day.Weekday()] * season
			orders := poisson(rng, mean/4) // sales come as a few orders a day
			for range orders {
				qty := cents(math.Max(0.5, 4*rng.ExpFloat64()/1.0))
				if rng.IntN(100) == 0 {
					qty *= int64(5 + rng.IntN(6)) // an occasional large order
				}
				qty = round(min(qty, p.stock), p.fractional)
				if qty <= 0 {
					break
				}
				if err := write(day, p, -qty); err != nil {
					return rep, err
				}
			}
		}
	}
	return rep, out.Flush()
}

// backdate dates opt.Backdated percent of the rows 1 to opt.BackdateDays days before
// the latest day of their product (never before opt.Start), cutting a sale down to the
// least balance from that day on, and records the row in p's timeline. A sale that
// nothing would be left for keeps its day.
// It returns the row's day, its signed quantity and the balance right after it by date.
func backdate(rng *rand.Rand, opt Options, p *product, day time.Time, signed int64, rep *Report) (time.Time, int64, int64) {
	tl := p.timeline
	at := len(tl)
	if len(tl) > 0 && rng.Float64()*100 < opt.Backdated {
		back := tl[len(tl)-1].day.AddDate(0, 0, -1-rng.IntN(opt.BackdateDays))
		if back.Before(opt.Start) {
			back = opt.Start
		}
		if back.Before(tl[len(tl)-1].day) {
			// After every operation of that day or before: same-day rows go in file order.
			i := sort.Search(len(tl), func(k int) bool { return tl[k].day.After(back) })
			avail := int64(0)
			if i > 0 {
				avail = tl[i-1].balance
			}
			for _, pt := range tl[i:] {
				avail = min(avail, pt.balance)
			}
			switch {
			case signed > 0:
				day, at = back, i
			case round(avail, p.fractional) > 0:
				if -signed > avail {
					signed = -round(avail, p.fractional)
					rep.Shrunk++
				}
				day, at = back, i
			}
		}
	}
	if at == len(tl) {
		p.timeline = append(tl, point{day: day, balance: p.stock + signed})
		return day, signed, p.stock + signed
	}
	rep.Backdated++
	before := int64(0)
	if at > 0 {
		before = tl[at-1].balance
	}
	tl = append(tl, point{})
	copy(tl[at+1:], tl[at:])
	tl[at] = point{day: day, balance: before + signed}
	for k := at + 1; k < len(tl); k++ {
		tl[k].balance += signed
	}
	p.timeline = tl
	return day, signed, tl[at].balance
}

func cents(units float64) int64 { return int64(math.Round(units * 100)) }

// round makes a quantity whole units unless the product is sold by weight.
func round(c int64, fractional bool) int64 {
	if fractional {
		return c
	}
	return c / 100 * 100
}

// poisson draws from a Poisson distribution (Knuth's method; means here are small).
func poisson(rng *rand.Rand, mean float64) int {
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}
