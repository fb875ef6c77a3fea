package main_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// attentionRow is the "Needs attention" panel's row of a product's total.
func attentionRow(product string) string {
	return `#needs-attention tr[data-product="` + product + `"][data-location=""]`
}

// TestServeNeedsAttentionInABrowser is issue 20's browser test: with the dashboard open,
// a sale from another process that takes a product to its minimum puts it in the "Needs
// attention" panel at the top, without a reload, with its stock, its minimum and its
// suggested order; the product page then shows the threshold, the forecast and, on its
// chart, the minimum's line and the forecast's dashed line. It takes the review's
// screenshots of the panel empty and with the product, and of the product page, at 390
// and 1280 px (in $STOCKCTL_SCREENSHOT_DIR when set), and checks that none looks broken.
func TestServeNeedsAttentionInABrowser(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "30")
	mustRun(t, dir, "restock", "P2", "100")
	mustRun(t, dir, "threshold", "set", "P1", "--min", "20", "--reorder-qty", "50", "--lead-time", "7d")
	s := startServe(t, dir, nil)

	var logs console
	dash := browser(t)
	logs.watch(t, dash)
	do(t, dash, "open the dashboard", chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS(`#needs-attention`)),
		chromedp.WaitVisible(chromedp.CSS(`#live[data-status="live"]`)))
	// Lost on a reload: shows the page was updated in place.
	eval(t, dash, `window.notReloaded = true`)
	if calm := text(t, dash, "#needs-attention .calm"); !strings.HasPrefix(calm, "Nothing needs attention") {
		t.Fatalf("before the sale the panel says %q", calm)
	}
	review := func(ctx context.Context, what, name string) {
		t.Helper()
		for _, w := range []int64{390, 1280} {
			settle(t, ctx, w)
			if problems := looks(t, ctx); len(problems) > 0 {
				t.Errorf("%s at %d px: %s", what, w, strings.Join(problems, "; "))
			}
			screenshot(t, ctx, name+"-"+strconv.FormatInt(w, 10)+".png")
		}
		settle(t, ctx, 1280)
	}
	review(dash, "the dashboard with nothing needing attention", "attention-empty")

	mustRun(t, dir, "sell", "P1", "10", "--operator", "cli")
	waitFor(t, dash, "P1 in the panel", `!!document.querySelector(`+strconv.Quote(attentionRow("P1"))+`)`)
	if !eval(t, dash, `window.notReloaded === true`) {
		t.Fatal("the dashboard was reloaded instead of updated in place")
	}
	for sel, want := range map[string]string{
		attentionRow("P1") + " .badge": "at or below its minimum",
		attentionRow("P1") + " .stock": "20.00",
		attentionRow("P1") + " .min":   "20.00",
		"#needs-attention h2 .count":   "1",
	} {
		waitForText(t, dash, sel, want)
	}
	// P2 has no minimum and no recent sale: it is not listed.
	if eval(t, dash, `!!document.querySelector(`+strconv.Quote(attentionRow("P2"))+`)`) {
		t.Error("P2 is listed in the panel: it has no minimum and sold nothing")
	}
	// The panel is the first thing under the filter.
	if !eval(t, dash, `document.querySelector("#dashboard > *") === document.querySelector("#needs-attention")`) {
		t.Error("the panel is not the first thing of the dashboard's views")
	}
	review(dash, "the dashboard with P1 needing attention", "attention-panel")

	do(t, dash, "follow P1's link to its page", chromedp.Click(chromedp.CSS(attentionRow("P1")+" a")),
		chromedp.WaitVisible(chromedp.CSS(`#watch`)))
	if got := text(t, dash, `table.thresholds tr[data-scope="all locations"] [data-min]`); got != "20.00" {
		t.Errorf("the product page's minimum is %q, want 20.00", got)
	}
	if got := text(t, dash, `[data-forecast]`); !strings.Contains(got, "days of cover") {
		t.Errorf("the product page's forecast says %q", got)
	}
	// The chart draws the forecast dashed, and labels the minimum's line.
	chart := `document.querySelector(".stock-chart .chart-wide")`
	if !strings.Contains(evalString(t, dash, chart+`.innerHTML`), "stroke-dasharray") {
		t.Error("the product page's chart has no dashed line")
	}
	if got := evalString(t, dash, chart+`.textContent`); !strings.Contains(got, "min 20") {
		t.Errorf("the chart does not label the minimum: its text is %q", got)
	}
	review(dash, "the product page with a minimum and a forecast", "attention-product")

	// A product that sold nothing has no forecast, and says so; nor a minimum.
	do(t, dash, "open P2's page", chromedp.Navigate(s.url+"/products/P2"), chromedp.WaitVisible(chromedp.CSS(`#watch`)))
	if got := text(t, dash, `[data-forecast]`); got != "No sales in the last 28 days: no forecast." {
		t.Errorf("P2's forecast says %q", got)
	}
	if eval(t, dash, `!!document.querySelector("table.thresholds")`) {
		t.Error("P2's page shows a threshold table, and it has no threshold")
	}
	logs.check(t)
}
