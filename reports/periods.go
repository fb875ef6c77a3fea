package reports

import (
	"context"
	"fmt"
	"time"
)

// The charts per period: units sold and restocked, and, when there were any, the units
// adjustments and counts added and took out, on a scale of their own.

func (p *page) addPeriodChart(ctx context.Context, store Store, f Filter, fm formats) error {
	months, err := store.PeriodTotals(ctx, f, Month)
	if err != nil {
		return err
	}
	from, to := f.From, f.To
	if len(months) > 0 {
		if from.IsZero() {
			from = months[0].Start
		}
		if to.IsZero() {
			to = months[len(months)-1].Start.AddDate(0, 1, -1)
		}
	}
	p.Bucket = Month
	rows := months
	switch span := to.Sub(from); {
	case span <= 62*24*time.Hour:
		p.Bucket = Day
	case span <= 548*24*time.Hour:
		p.Bucket = Week
	}
	if p.Bucket != Month {
		if rows, err = store.PeriodTotals(ctx, f, p.Bucket); err != nil {
			return err
		}
	}
	rows = fillBuckets(rows, p.Bucket)
	img, err := twice(fm, func(fm formats) (image, error) { return periodChart(rows, p.Bucket, periodWidth, fm) })
	if err != nil {
		return err
	}
	img.Name, img.Title = "units-per-period", "Units sold and restocked per "+string(p.Bucket)
	img.Caption = fmt.Sprintf("Total units sold (red) and restocked (blue) in each %s of the period.", p.Bucket)
	p.Periods = &img
	if !adjustedAny(rows) {
		return nil
	}
	adj, err := twice(fm, func(fm formats) (image, error) { return adjustedChart(rows, p.Bucket, periodWidth, fm) })
	if err != nil {
		return err
	}
	adj.Name, adj.Title = "units-adjusted-per-period", "Units adjusted per "+string(p.Bucket)
	adj.Caption = fmt.Sprintf("Units that adjustments and counts added to stock (green) and took out of it (purple) in each %s, "+
		"on a scale of their own; each one is listed under Corrections.", p.Bucket)
	p.Adjusted = &adj
	return nil
}

// fillBuckets adds the empty buckets between the first and the last, so a quiet month
// shows as zero instead of a line drawn across it.
func fillBuckets(rows []PeriodTotals, bucket Bucket) []PeriodTotals {
	if len(rows) < 2 {
		return rows
	}
	step := func(t time.Time) time.Time {
		switch bucket {
		case Day:
			return t.AddDate(0, 0, 1)
		case Week:
			return t.AddDate(0, 0, 7)
		}
		return t.AddDate(0, 1, 0)
	}
	out := make([]PeriodTotals, 0, len(rows))
	i := 0
	for t := rows[0].Start; !t.After(rows[len(rows)-1].Start) && len(out) < 100_000; t = step(t) {
		if i < len(rows) && rows[i].Start.Equal(t) {
			out = append(out, rows[i])
			i++
			continue
		}
		out = append(out, PeriodTotals{Start: t})
	}
	return out
}
