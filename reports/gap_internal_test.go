package reports

import (
	"strings"
	"testing"
	"time"
)

// TestGapNoteWhole: the note in a stock chart's long stretch without operations says
// both dates whole, on two lines when one is too long, never cut with an ellipsis; on a
// phone's narrow chart too.
func TestGapNoteWhole(t *testing.T) {
	d := func(s string) time.Time { return date(s) }
	ps := []StockPoint{{Date: d("2025-01-10"), Cents: 50_300}, {Date: d("2025-01-23"), Cents: 49_800},
		{Date: d("2025-02-22"), Cents: 49_300}, {Date: d("2026-01-18"), Cents: 43_800}, {Date: d("2026-11-27"), Cents: 43_500}}
	for _, narrow := range []bool{false, true} {
		img, err := stockChart("LAMP-07", "", ps, time.Time{}, time.Time{}, periodWidth, chartHeight, formats{svg: true, narrow: narrow, num: English})
		if err != nil {
			t.Fatal(err)
		}
		svg := string(img.SVG)
		if !strings.Contains(svg, ">2025-02-22 → 2026-01-18<") && !strings.Contains(svg, ">no operation from 2025-02-22 to 2026-01-18<") &&
			!(strings.Contains(svg, ">2025-02-22 →<") && strings.Contains(svg, ">2026-01-18<")) {
			t.Errorf("narrow %v: the gap note does not hold both dates whole", narrow)
		}
		for _, text := range svgTexts(svg) {
			if strings.Contains(text, "…") {
				t.Errorf("narrow %v: the chart cuts %q", narrow, text)
			}
		}
	}
}

// svgTexts returns the text of every <text> of svg.
func svgTexts(svg string) []string {
	var out []string
	for _, part := range strings.Split(svg, "<text")[1:] {
		if i := strings.Index(part, ">"); i >= 0 {
			if j := strings.Index(part[i:], "<"); j >= 0 {
				out = append(out, part[i+1:i+j])
			}
		}
	}
	return out
}
