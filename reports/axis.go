package reports

import (
	"math"
	"time"

	"github.com/wcharczuk/go-chart/v2"
)

// niceTicks returns at most maxTicks values from lo (rounded down) to hi (rounded up) in
// steps of 1, 2 or 5 times a power of ten: 0, 200, 400, 600 rather than the even fifths
// of the largest value go-chart picks (0, 160, 319, 478, 636), which nobody reads at a
// glance. The first and last values are the axis's range, so it ends on a tick.
func niceTicks(lo, hi float64, maxTicks int) []float64 {
	maxTicks = max(maxTicks, 2)
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		lo, hi = 0, 1
	}
	if hi <= lo {
		hi = lo + 1
	}
	// Quantities are held in hundredths: no step finer than that.
	exp := math.Floor(math.Log10((hi - lo) / float64(maxTicks-1)))
	for e := max(exp, -2); ; e++ {
		for _, m := range []float64{1, 2, 5} {
			step := m * math.Pow(10, e)
			first, last := math.Floor(lo/step+1e-9), math.Ceil(hi/step-1e-9)
			if n := int(last-first) + 1; n <= maxTicks {
				out := make([]float64, 0, n)
				for i := first; i <= last; i++ {
					// Rounding to hundredths drops float noise such as 0.30000000000000004.
					out = append(out, math.Round(i*step*100)/100)
				}
				return out
			}
		}
	}
}

// valueTicks gives go-chart a value axis: round ticks labelled with separators, and the
// range from the first to the last, so nothing is drawn beyond it.
func valueTicks(vs []float64, maxTicks int, num Numbers) ([]chart.Tick, *chart.ContinuousRange) {
	lo, hi := 0.0, 0.0
	for _, v := range vs {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	vals := niceTicks(lo, hi, maxTicks)
	ticks := make([]chart.Tick, len(vals))
	for i, v := range vals {
		ticks[i] = chart.Tick{Value: v, Label: num.Units(int64(math.Round(v * 100)))}
	}
	return ticks, &chart.ContinuousRange{Min: vals[0], Max: vals[len(vals)-1]}
}

// tickPeriod is a length of time whose starts a time axis is ticked on.
type tickPeriod struct {
	start  func(time.Time) time.Time // the start of the period holding t
	next   func(time.Time) time.Time
	layout string // how a tick is labelled
}

func day(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func addMonths(n int) func(time.Time) time.Time {
	return func(t time.Time) time.Time { return t.AddDate(0, n, 0) }
}

// periods, finest first: a day, the Monday of a week, the first of a month, of a quarter,
// of a year, then of every 2, 5, 10… years.
var periods = []tickPeriod{
	{day, func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }, "2006-01-02"},
	{func(t time.Time) time.Time { return day(t).AddDate(0, 0, -(int(t.Weekday())+6)%7) },
		func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }, "2006-01-02"},
	{func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) }, addMonths(1), "Jan 2006"},
	{func(t time.Time) time.Time { return time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC) }, addMonths(3), "Jan 2006"},
	// Half years: a phone's chart of a year has room for three labels, which years
	// alone left at one ("2026").
	{func(t time.Time) time.Time { return time.Date(t.Year(), (t.Month()-1)/6*6+1, 1, 0, 0, 0, 0, time.UTC) }, addMonths(6), "Jan 2006"},
}

func years(n int) tickPeriod {
	return tickPeriod{
		func(t time.Time) time.Time { return time.Date(t.Year()/n*n, 1, 1, 0, 0, 0, 0, time.UTC) },
		func(t time.Time) time.Time { return t.AddDate(n, 0, 0) }, "2006"}
}

// labelWidth is about how many pixels a tick labelled with layout takes, with the gap to
// the next: 7 a character at go-chart's 10 points, and 24 between labels.
func labelWidth(layout string) int { return 7*len(layout) + 24 }

// timeTicks returns the starts of periods (days, weeks, months, quarters, years) between
// from and to, of the finest period whose labels fit side by side in width pixels, and
// the layout to label them with. Dates are business dates, held in UTC: no
// daylight-saving day is ever 23 or 25 hours long.
func timeTicks(from, to time.Time, width int) ([]time.Time, string) {
	from, to = from.UTC(), to.UTC()
	try := func(p tickPeriod) []time.Time {
		maxTicks := max(2, width/labelWidth(p.layout))
		var out []time.Time
		t := p.start(from)
		if t.Before(from) {
			t = p.next(t)
		}
		for ; !t.After(to); t = p.next(t) {
			if len(out) == maxTicks {
				return nil
			}
			out = append(out, t)
		}
		return out
	}
	for _, p := range periods {
		if ts := try(p); ts != nil {
			return ts, p.layout
		}
	}
	for n := 1; ; n *= 10 {
		for _, m := range []int{1, 2, 5} {
			if ts := try(years(m * n)); ts != nil || m*n > 10_000 {
				return ts, "2006"
			}
		}
	}
}

// timeAxis gives go-chart a time axis from from to to, ticked on period starts that fit
// in width pixels. go-chart takes an axis's range from its first and last tick, so the
// ends are ticks too, unlabelled unless they are a period's start.
func timeAxis(from, to time.Time, width int) chart.XAxis {
	ts, layout := timeTicks(from, to, width)
	ticks := []chart.Tick{{Value: chart.TimeToFloat64(from)}}
	for _, t := range ts {
		v := chart.TimeToFloat64(t)
		if v == ticks[len(ticks)-1].Value {
			ticks = ticks[:len(ticks)-1]
		}
		ticks = append(ticks, chart.Tick{Value: v, Label: t.Format(layout)})
	}
	if end := chart.TimeToFloat64(to); end > ticks[len(ticks)-1].Value {
		ticks = append(ticks, chart.Tick{Value: end})
	}
	// A label is centred on its tick: one within half its width of the axis's right end
	// runs past it ("Jan 2026" on an axis ending on 18 January) into the value axis, which
	// is drawn on the right. Its tick stays; the label goes, unless it is the only one.
	lo, hi := ticks[0].Value, ticks[len(ticks)-1].Value
	var drop []int
	for i, t := range ticks {
		if t.Label != "" && width-at(t.Value, lo, hi, width) < labelWidth(layout)/2-12 {
			drop = append(drop, i)
		}
	}
	if len(drop) < countLabels(ticks) {
		for _, i := range drop {
			ticks[i].Label = ""
		}
	}
	return chart.XAxis{Ticks: ticks, Range: &chart.ContinuousRange{Min: ticks[0].Value, Max: ticks[len(ticks)-1].Value}}
}

func countLabels(ticks []chart.Tick) int {
	n := 0
	for _, t := range ticks {
		if t.Label != "" {
			n++
		}
	}
	return n
}
