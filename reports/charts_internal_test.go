package reports

import (
	"math"
	"testing"

	"github.com/wcharczuk/go-chart/v2"
)

// TestSVGRendererMeasuresLikeGoChart checks that measuring with a cached face gives the
// boxes go-chart's own SVG renderer gives, so that every label lands where it did.
func TestSVGRendererMeasuresLikeGoChart(t *testing.T) {
	f, err := chart.GetDefaultFont()
	if err != nil {
		t.Fatal(err)
	}
	ours, err := escapedSVG(400, 300)
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := chart.SVG(400, 300)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []chart.Renderer{ours, theirs} {
		r.SetDPI(96)
		r.SetFont(f)
	}
	for _, size := range []float64{8, 10, 11, 12.5} {
		for _, rot := range []float64{0, math.Pi / 4} {
			for _, r := range []chart.Renderer{ours, theirs} {
				r.SetFontSize(size)
				if rot == 0 {
					r.ClearTextRotation()
				} else {
					r.SetTextRotation(rot)
				}
			}
			for _, text := range []string{"P0001", "units in stock", "2024-05-01", "<script>&", ""} {
				if a, b := ours.MeasureText(text), theirs.MeasureText(text); a != b {
					t.Errorf("size %v, rotation %v, %q: measured %+v, go-chart %+v", size, rot, text, a, b)
				}
			}
		}
	}
}
