package main_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// transferWidths are the widths of the transfer form's review: a phone and a desktop.
var transferWidths = []int64{390, 1280}

// TestServeTransferInABrowser is issue 19's browser test: with a product page open in a
// second tab, a transfer made through the form (after one it refused, with nothing
// moved) changes both locations' figures on that page without a reload. It takes the
// review's screenshots of the entry form with its location, the transfer form and its
// refusal, and the product page, at 390 and 1280 px (in $STOCKCTL_SCREENSHOT_DIR when
// set), and checks that none looks broken.
func TestServeTransferInABrowser(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, "location", "add", "north", "--name", "North warehouse")
	mustRun(t, dir, "restock", "P1", "10", "--date", "2024-05-01")
	mustRun(t, dir, "transfer", "P1", "1", "--from", "main", "--to", "north", "--date", "2024-05-02")
	s := startServe(t, dir, nil, "--operator", "manager")

	// The refused transfer's answer (409) is logged by Chromium, and expected.
	var logs, logsOne console
	one := browser(t)
	two := tab(t, one)
	logsOne.watch(t, one)
	logs.watch(t, two)
	place := func(loc string) string { return `table.places tr[data-location="` + loc + `"] td.num` }
	do(t, two, "open the product page", chromedp.Navigate(s.url+"/products/P1"), chromedp.WaitVisible(chromedp.CSS(place("north"))),
		chromedp.WaitVisible(chromedp.CSS(`#live[data-status="live"]`)))
	eval(t, two, `window.notReloaded = true`)
	waitForText(t, two, place("main"), "9.00")
	waitForText(t, two, place("north"), "1.00")

	review := func(ctx context.Context, what, name string) {
		t.Helper()
		for _, w := range transferWidths {
			settle(t, ctx, w)
			if problems := looks(t, ctx); len(problems) > 0 {
				t.Errorf("%s at %d px: %s", what, w, strings.Join(problems, "; "))
			}
			screenshot(t, ctx, name+"-"+strconv.FormatInt(w, 10)+".png")
		}
		settle(t, ctx, 1280)
	}
	do(t, one, "open the entry form", chromedp.Navigate(s.url+"/operations/new"), chromedp.WaitVisible(chromedp.CSS(`#location`)))
	review(one, "the entry form with a location", "entry-locations")

	do(t, two, "press Move stock", chromedp.Click(chromedp.CSS(`#move-link`)), chromedp.WaitVisible(chromedp.CSS(`#move`)))
	if h := text(t, two, "h1"); h != "Move stock" {
		t.Fatalf("Move stock leads to %q", h)
	}
	do(t, two, "back to the product page", chromedp.NavigateBack(), chromedp.WaitVisible(chromedp.CSS(`#live[data-status="live"]`)))
	eval(t, two, `window.notReloaded = true`)

	do(t, one, "open the transfer form", chromedp.Navigate(s.url+"/transfers/new?product=P1"), chromedp.WaitVisible(chromedp.CSS(`#quantity`)))
	review(one, "the transfer form", "transfer-form")
	do(t, one, "move 30, more than main holds",
		chromedp.SendKeys(chromedp.CSS(`#quantity`), "30"),
		chromedp.Click(chromedp.CSS(`#move`)),
		chromedp.WaitVisible(chromedp.CSS(`#quantity-error`)))
	if e := text(t, one, "#quantity-error"); !strings.Contains(e, "only 9.00 of P1 in main on ") {
		t.Fatalf("the refusal says %q", e)
	}
	review(one, "the refused transfer", "transfer-refused")
	waitForText(t, two, place("main"), "9.00")

	do(t, one, "move 4 from main to north",
		chromedp.SetValue(chromedp.CSS(`#quantity`), "4"),
		chromedp.Click(chromedp.CSS(`#move`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if flash := text(t, one, ".flash"); !strings.Contains(flash, `Moved 4.00 of "P1" from main to north`) {
		t.Fatalf("after the transfer: flash %q", flash)
	}
	// The other tab follows, both locations, in place; the total does not move.
	waitForText(t, two, place("main"), "5.00")
	waitForText(t, two, place("north"), "5.00")
	waitForText(t, two, "[data-stock-now]", "10.00")
	if !eval(t, two, `window.notReloaded === true`) {
		t.Fatal("the product page was reloaded instead of updated in place")
	}
	review(two, "the product page with its locations", "product-locations")
	logs.check(t)
	logsOne.mu.Lock()
	defer logsOne.mu.Unlock()
	for _, e := range logsOne.errors {
		if !(strings.Contains(e, "status of 409") && strings.Contains(e, "/transfers")) {
			t.Errorf("the form's tab reported %s", e)
		}
	}
}
