package reports

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestNiceTicks: value axes are ticked in steps of 1, 2 or 5 times a power of ten, from
// zero to a tick at or above the largest value, never the even fifths of it go-chart
// picked (636, 478, 319, 160).
func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		max    int
		want   []float64
	}{
		{0, 636, 8, []float64{0, 100, 200, 300, 400, 500, 600, 700}},
		{0, 636, 5, []float64{0, 200, 400, 600, 800}},
		{0, 10.5, 8, []float64{0, 2, 4, 6, 8, 10, 12}},
		{0, 400, 5, []float64{0, 100, 200, 300, 400}},
		{0, 3, 8, []float64{0, 0.5, 1, 1.5, 2, 2.5, 3}},
		{0, 2629500.25, 6, []float64{0, 1e6, 2e6, 3e6}},
		{0, 0, 5, []float64{0, 0.5, 1}},
		{0, 0.03, 5, []float64{0, 0.01, 0.02, 0.03}},
		{-7, 12, 6, []float64{-10, -5, 0, 5, 10, 15}},
	} {
		t.Run(fmt.Sprintf("%v to %v in %d", tc.lo, tc.hi, tc.max), func(t *testing.T) {
			got := niceTicks(tc.lo, tc.hi, tc.max)
			if !slices.Equal(got, tc.want) {
				t.Errorf("niceTicks = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestValueTicksLabels: tick labels carry the viewer's separators.
func TestValueTicksLabels(t *testing.T) {
	ticks, rng := valueTicks([]float64{0, 2629500.25}, 6, Numbers{Group: ".", Decimal: ","})
	var labels []string
	for _, tk := range ticks {
		labels = append(labels, tk.Label)
	}
	if want := []string{"0", "1.000.000", "2.000.000", "3.000.000"}; !slices.Equal(labels, want) {
		t.Errorf("labels %q, want %q", labels, want)
	}
	if rng.Min != 0 || rng.Max != 3e6 {
		t.Errorf("range %v to %v, want 0 to 3,000,000: the axis ends on a tick", rng.Min, rng.Max)
	}
}

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		t, err = time.Parse("2006-01-02", s)
	}
	if err != nil {
		panic(err)
	}
	return t
}

// TestTimeTicks: a time axis is ticked on real starts of periods, the finest whose labels
// fit: days, Mondays, firsts of months, of quarters, of years; across month and year ends,
// never a date such as 2023-03-19 labelled as a month's start.
func TestTimeTicks(t *testing.T) {
	for _, tc := range []struct {
		name     string
		from, to string
		width    int
		want     []string
	}{
		{"days", "2024-02-27 10:00", "2024-03-02", 800, []string{"2024-02-28", "2024-02-29", "2024-03-01", "2024-03-02"}},
		{"Mondays across a year's end", "2023-12-20", "2024-01-20", 500, []string{"2023-12-25", "2024-01-01", "2024-01-08", "2024-01-15"}},
		{"months", "2023-03-19", "2023-08-02", 600, []string{"Apr 2023", "May 2023", "Jun 2023", "Jul 2023", "Aug 2023"}},
		{"quarters when narrow", "2024-01-01", "2024-12-30", 390, []string{"Jan 2024", "Apr 2024", "Jul 2024", "Oct 2024"}},
		{"months when wide", "2024-01-01", "2024-06-30", 900, []string{"Jan 2024", "Feb 2024", "Mar 2024", "Apr 2024", "May 2024", "Jun 2024"}},
		{"half years on a phone", "2025-01-06", "2026-01-18", 260, []string{"Jul 2025", "Jan 2026"}},
		{"years", "2019-05-01", "2024-12-30", 400, []string{"2020", "2021", "2022", "2023", "2024"}},
		{"every five years", "2004-05-01", "2024-12-30", 400, []string{"2005", "2010", "2015", "2020"}},
		{"a day in March, no daylight saving", "2024-03-30", "2024-04-01", 800, []string{"2024-03-30", "2024-03-31", "2024-04-01"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts, layout := timeTicks(date(tc.from), date(tc.to), tc.width)
			var got []string
			for _, x := range ts {
				if x.Hour() != 0 || x.Minute() != 0 || x.Location() != time.UTC {
					t.Errorf("tick %v is not a day's start in UTC", x)
				}
				got = append(got, x.Format(layout))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("ticks %q, want %q", got, tc.want)
			}
		})
	}
}

// TestTimeAxisBoundedByData: the axis runs from the first date given to the last, not to
// the ticks around them, so a chart is bounded by its data's own dates.
func TestTimeAxisBoundedByData(t *testing.T) {
	from, to := date("2024-01-05 09:00"), date("2024-03-04 17:00")
	ax := timeAxis(from, to, 400)
	if got := ax.Range.GetMin(); got != float64(from.UnixNano()) {
		t.Errorf("axis starts at %v, want %v", time.Unix(0, int64(got)).UTC(), from)
	}
	if got := ax.Range.GetMax(); got != float64(to.UnixNano()) {
		t.Errorf("axis ends at %v, want %v", time.Unix(0, int64(got)).UTC(), to)
	}
	if ax.Ticks[0].Label != "" || ax.Ticks[len(ax.Ticks)-1].Label != "" {
		t.Errorf("the ends, not period starts, are labelled: %v", ax.Ticks)
	}
}

// TestTimeAxisLabelInsideItsEnd: a period start too near the axis's right end for its
// label, centred on it, to fit keeps its tick but not its label, which ran past the axis
// ("Jan 2026" on an axis ending on 18 January); the only label is kept.
func TestTimeAxisLabelInsideItsEnd(t *testing.T) {
	ax := timeAxis(date("2025-01-06"), date("2026-01-18"), 390)
	var labels []string
	for _, tk := range ax.Ticks {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if !slices.Equal(labels, []string{"Apr 2025", "Jul 2025", "Oct 2025"}) {
		t.Errorf("labels %q, want Apr, Jul and Oct 2025 and no Jan 2026 at the axis's end", labels)
	}
	ax = timeAxis(date("2025-10-15"), date("2026-01-10"), 100)
	if n := countLabels(ax.Ticks); n != 1 {
		t.Errorf("%d labels on a short axis, want its only one kept: %v", n, ax.Ticks)
	}
}
