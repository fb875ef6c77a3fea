// Package datagen makes realistic, reproducible operations files in the original CSV
// format: products with different demand, weekly and seasonal patterns, occasional large
// orders, and replenishments when stock runs low.
package datagen

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/stockctl/stockctl/ledgercsv"
)

// Options describe the data set.
type Options struct {
	Products int
	Days     int
	Seed     uint64
	Start    time.Time // first business day
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
}

// weekday multiplies demand: quiet weekends, busy Mondays.
var weekday = [7]float64{0.3, 1.2, 1.1, 1.0, 1.0, 0.9, 0.5} // Sunday first

// Generate writes the data set to w and returns how many operations it wrote. The same
// options always give the same bytes.
func Generate(w io.Writer, opt Options) (int, error) {
	if opt.Products < 1 || opt.Days < 1 {
		return 0, fmt.Errorf("generate: need at least one product and one day")
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
	n := 0
	write := func(day time.Time, p *product, signed int64) error {
		p.stock += signed
		n++
		return out.Write(day, p.id, signed, p.stock)
	}
	for d := 0; d < opt.Days; d++ {
		day := opt.Start.AddDate(0, 0, d)
		for _, p := range ps {
			// Replenish at the start of the day when stock is at the reorder point.
			if p.stock <= p.reorder {
				if qty := round(p.orderUpTo-p.stock, false); qty > 0 {
					if err := write(day, p, qty); err != nil {
						return n, err
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
					return n, err
				}
			}
		}
	}
	return n, out.Flush()
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
