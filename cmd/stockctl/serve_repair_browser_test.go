package main_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestServeVoidInABrowser is the browser test: with a product page open in two
// tabs, a sale voided in the first through its Void button and the confirmation changes
// the stock shown in the second without a reload. It takes the review's screenshots of
// the product page with a voided sale, a count and an adjustment, and of the
// confirmation, at 375 and 1400 px (in $STOCKCTL_SCREENSHOT_DIR when set), and checks
// that neither page looks broken at either width.
func TestServeVoidInABrowser(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "40", "--date", "2024-05-01")
	typo := soldID(t, dir, "P1", "30", "--date", "2024-05-02", "--note", "order 1182")
	mustRun(t, dir, "sell", "P1", "3", "--date", "2024-05-02", "--note", "order 1182")
	s := startServe(t, dir, nil, "--operator", "manager")

	// The first tab's refused confirmation (400) is logged by Chromium, and expected.
	var logs, logsOne console
	one := browser(t)
	two := tab(t, one)
	logsOne.watch(t, one)
	logs.watch(t, two)
	for _, c := range []context.Context{one, two} {
		do(t, c, "open the product page", chromedp.Navigate(s.url+"/products/P1"), chromedp.WaitVisible(chromedp.CSS(`[data-stock-now]`)),
			chromedp.WaitVisible(chromedp.CSS(`#live[data-status="live"]`)))
		eval(t, c, `window.notReloaded = true`)
		waitForText(t, c, "[data-stock-now]", "7.00")
	}

	button := `tr[data-event="` + typo + `"] a.void-button`
	do(t, one, "press Void on the sale of 30", chromedp.Click(chromedp.CSS(button)), chromedp.WaitVisible(chromedp.CSS(`#void-reason`)))
	if h := text(t, one, "h1"); h != "Void the sale of 30.00 of P1?" {
		t.Fatalf("the confirmation asks %q", h)
	}
	for _, w := range reviewWidths {
		settle(t, one, w)
		if problems := looks(t, one); len(problems) > 0 {
			t.Errorf("the void confirmation at %d px: %s", w, strings.Join(problems, "; "))
		}
		screenshot(t, one, "void-confirm-"+strconv.FormatInt(w, 10)+".png")
	}
	settle(t, one, 1200)
	// The confirmation refuses an empty reason (the browser lets it through: novalidate).
	do(t, one, "confirm without a reason", chromedp.Click(chromedp.CSS(`#void-confirm`)), chromedp.WaitVisible(chromedp.CSS(`#void-reason-error`)),
		chromedp.Poll[chromedp.Void](`document.readyState === "complete"`, chromedp.WithPollingInterval(20*time.Millisecond)))
	// The answer is a new document: its own reason field, flagged.
	do(t, one, "give a reason and confirm",
		chromedp.WaitVisible(chromedp.CSS(`#void-reason[aria-invalid="true"]`)),
		chromedp.SendKeys(chromedp.CSS(`#void-reason[aria-invalid="true"]`), "typed 30 for 3"),
		chromedp.Click(chromedp.CSS(`#void-confirm`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if flash := text(t, one, ".flash"); !strings.Contains(flash, `Voided the operation of "P1" dated 2024-05-02; stock now 37.00.`) {
		t.Fatalf("after the void: flash %q", flash)
	}
	// The other tab follows, in place.
	waitForText(t, two, "[data-stock-now]", "37.00")
	waitForVoided(t, two, typo)
	if !eval(t, two, `window.notReloaded === true`) {
		t.Fatal("the second tab was reloaded instead of updated in place")
	}
	struck := `getComputedStyle(document.querySelector('tr[data-event="` + typo + `"] td')).textDecorationLine === "line-through"`
	if !eval(t, two, struck) {
		t.Error("the voided sale is not struck through")
	}

	// A count and an adjustment, through their forms, for the screenshots.
	do(t, one, "record a count",
		chromedp.Click(chromedp.CSS(`#count-box > summary`)),
		chromedp.SendKeys(chromedp.CSS(`#count-quantity`), "35"),
		chromedp.SendKeys(chromedp.CSS(`#count-reason`), "monthly count"),
		chromedp.Click(chromedp.CSS(`#count-record`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	waitForText(t, two, "[data-stock-now]", "35.00")
	do(t, one, "record an adjustment",
		chromedp.Click(chromedp.CSS(`#adjust-box > summary`)),
		chromedp.SendKeys(chromedp.CSS(`#adjust-quantity`), "2"),
		chromedp.SetValue(chromedp.CSS(`#adjust-reason`), "damaged"),
		chromedp.SendKeys(chromedp.CSS(`#adjust-note`), "dropped a box"),
		chromedp.Click(chromedp.CSS(`#adjust-record`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	waitForText(t, two, "[data-stock-now]", "33.00")
	for _, w := range reviewWidths {
		settle(t, two, w)
		if problems := looks(t, two); len(problems) > 0 {
			t.Errorf("the product page with repairs at %d px: %s", w, strings.Join(problems, "; "))
		}
		screenshot(t, two, "product-repairs-"+strconv.FormatInt(w, 10)+".png")
	}
	logs.check(t)
	logsOne.mu.Lock()
	defer logsOne.mu.Unlock()
	for _, e := range logsOne.errors {
		if !(strings.Contains(e, "status of 400") && strings.Contains(e, "/void")) {
			t.Errorf("the first tab reported %s", e)
		}
	}
}

// waitForVoided waits until the row of event id says it was voided, without a reload.
func waitForVoided(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	expr := `(() => { const r = document.querySelector('tr.voided[data-event="` + id + `"]'); return !!r && r.cells[4].textContent.startsWith("voided"); })()`
	if _, err := chromedp.Run(c, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("the row of %s does not say voided: %v", id, err)
	}
}
