package reports_test

import (
	"context"
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/reports"
)

func dashboard(tb testing.TB, ops []string, f reports.Filter) string {
	tb.Helper()
	var b strings.Builder
	if err := reports.Dashboard(context.Background(), ledger(tb, ops...), reports.Options{Filter: f, LowCents: 500, Rows: 100, Recent: true}, &b); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

var svgElement = regexp.MustCompile(`(?s)<svg.*?</svg>`)

// TestDashboardInlinesSVG checks the fragment a live page embeds: charts as inline SVG,
// no image to fetch, the current stock table with each product's figure.
func TestDashboardInlinesSVG(t *testing.T) {
	page := dashboard(t, sample, reports.Filter{})
	svgs := svgElement.FindAllString(page, -1)
	if len(svgs) < 5 {
		t.Fatalf("%d inline SVG charts, want at least 5 (stock, quantities, operations, periods, current stock)", len(svgs))
	}
	for _, bad := range []string{"<img", "data:image", "http://", "https://", "<html"} {
		if strings.Contains(strings.ToLower(svgElement.ReplaceAllString(page, "")), bad) {
			t.Errorf("the fragment holds %q outside its SVG", bad)
		}
	}
	for _, want := range []string{`<tr data-product="P3"><td>P3</td><td class="num" data-stock>3.00</td>`, "Rejected operations", "Operations, most recently recorded first"} {
		if !strings.Contains(page, want) {
			t.Errorf("the fragment lacks %q", want)
		}
	}
}

// TestDashboardEscapesSVGText checks that a product ID full of markup stays text inside
// the inline SVG: go-chart writes text into SVG unescaped, so stockctl escapes it.
func TestDashboardEscapesSVGText(t *testing.T) {
	const id = `<script>alert(1)</script>&"x"`
	page := dashboard(t, []string{"2024-01-01 00:00:00 " + id + " 5", "2024-01-02 00:00:00 " + id + " -2"}, reports.Filter{})
	if strings.Contains(page, "<script") {
		t.Fatal("a product ID reached the fragment as markup")
	}
	svgs := svgElement.FindAllString(page, -1)
	if len(svgs) == 0 {
		t.Fatal("no inline SVG")
	}
	sawID := false
	for _, svg := range svgs {
		d := xml.NewDecoder(strings.NewReader(svg))
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("an inline SVG is not well-formed XML: %v\n%.300s", err, svg)
			}
			if cd, ok := tok.(xml.CharData); ok && strings.Contains(string(cd), "<script>") {
				sawID = true
			}
		}
	}
	if !sawID {
		t.Error("no chart shows the product ID as text")
	}
}

// TestDashboardOperationsAtOneMoment: operations all at the same time still chart
// (go-chart refuses a time axis of zero length).
func TestDashboardOperationsAtOneMoment(t *testing.T) {
	page := dashboard(t, []string{"2024-05-01 00:00:00 P1 10", "2024-05-01 00:00:00 P1 -4"}, reports.Filter{Products: []string{"P1"}})
	if !strings.Contains(page, "Stock over time") {
		t.Fatal("no stock chart")
	}
}
