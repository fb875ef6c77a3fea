package main_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// focused says which field has the keyboard: its id, or its name and value for a radio.
func focused(t *testing.T, ctx context.Context) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const e = document.activeElement;
		return !e ? "" : e.type === "radio" ? e.name + "=" + e.value : e.id || e.tagName; })()`))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// press sends keys to whatever has the focus, and checks where the focus is then.
func press(t *testing.T, ctx context.Context, keys, want string) {
	t.Helper()
	do(t, ctx, fmt.Sprintf("press %q", keys), chromedp.KeyEvent(keys))
	if got := focused(t, ctx); got != want {
		t.Fatalf("after %q the focus is on %q, want %q", keys, got, want)
	}
}

// fitsAt checks that nothing on the page is wider than the window.
func fitsAt(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	if !eval(t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`) {
		// The outermost elements that stick out, to say what to fix.
		v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.scrollWidth + " > " + window.innerWidth + " px: " +
			[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 &&
				!(e.parentElement.getBoundingClientRect().right > window.innerWidth + 1)).slice(0, 5)
				.map(e => e.tagName.toLowerCase() + (e.className ? "." + String(e.className.baseVal ?? e.className).replace(/ /g, ".") : "")).join(", ")`))
		t.Errorf("%s overflows the window: %s", what, v)
	}
}

// TestServeFormByKeyboard: in Chromium, the entry form is filled and sent with the
// keyboard alone, its date picker sends an ISO date, a refused form flags each bad field
// with the keyboard on the first, and at 375 px nothing is wider than the screen and the
// operation's radios sit on one row under their legend.
func TestServeFormByKeyboard(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, "import", productCSV(t, map[string]int{"P1": 61})) // two pages of history
	s := startServe(t, dir, nil)
	var logs console
	ctx := browser(t)
	logs.watch(t, ctx)

	do(t, ctx, "open the form", chromedp.Navigate(s.url+"/operations/new"), chromedp.WaitVisible(chromedp.CSS(`#record`)))
	if got := focused(t, ctx); got != "product" {
		t.Fatalf("the form opens with the focus on %q, want the product", got)
	}
	screenshot(t, ctx, "form-1200.png")
	do(t, ctx, "type the product", chromedp.KeyEvent("P1"))
	press(t, ctx, kb.Tab, "INPUT") // "this is a new product"
	press(t, ctx, kb.Tab, "type=sale")
	press(t, ctx, kb.Tab, "quantity")
	do(t, ctx, "type the quantity", chromedp.KeyEvent("3"))
	press(t, ctx, kb.Tab, "date")
	// Typed as the browser shows dates here (mm/dd/yyyy in en-US); the field's value, which
	// the form sends, is ISO whatever the display.
	do(t, ctx, "type the date", chromedp.KeyEvent("05022024"))
	date, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("date").value`))
	if err != nil {
		t.Fatal(err)
	}
	if len(date) != len("2024-05-02") || !strings.HasPrefix(date, "2024-") {
		t.Fatalf("the date field's value is %q, not an ISO date", date)
	}
	do(t, ctx, "send the form with Enter", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if flash := text(t, ctx, ".flash"); flash != fmt.Sprintf(`Sold 3.00 of "P1" on %s 00:00:00; stock after it: 1,171.00.`, date) {
		t.Errorf("after Enter: flash %q", flash)
	}
	waitForText(t, ctx, "[data-stock-now]", "1,171.00")

	// Two bad fields: both flagged, the keyboard on the first.
	do(t, ctx, "open the form", chromedp.Navigate(s.url+"/operations/new"), chromedp.WaitVisible(chromedp.CSS(`#record`)))
	press(t, ctx, kb.Tab, "INPUT")
	press(t, ctx, kb.Tab, "type=sale")
	press(t, ctx, kb.Tab, "quantity")
	do(t, ctx, "send an empty product and a bad quantity", chromedp.KeyEvent("abc"), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`#quantity-error`)))
	for _, sel := range []string{"#product-error", "#quantity-error"} {
		if text(t, ctx, sel) == "" {
			t.Errorf("%s is empty", sel)
		}
	}
	if !eval(t, ctx, `document.querySelectorAll('[aria-invalid="true"]').length === 2`) {
		t.Error("want 2 fields marked aria-invalid")
	}
	if got := focused(t, ctx); got != "product" {
		t.Errorf("after a refused form the focus is on %q, want the product", got)
	}
	screenshot(t, ctx, "form-errors-1200.png")

	// On a phone.
	do(t, ctx, "narrow the window", chromedp.EmulateViewport(375, 800))
	radiosInARow := `(() => { const r = [...document.querySelectorAll('input[name=type]')].map(e => e.closest('label').getBoundingClientRect());
		const legend = document.querySelector('fieldset legend').getBoundingClientRect();
		return r.length === 2 && Math.abs(r[0].top - r[1].top) < 2 && r[0].top >= legend.bottom - 1; })()`
	for _, page := range []struct{ path, name string }{
		{"/operations/new", "form-375.png"},
		{"/products/P1", "product-375.png"},
		{"/", "dashboard-375.png"},
	} {
		do(t, ctx, "open "+page.path, chromedp.Navigate(s.url+page.path), chromedp.WaitVisible(chromedp.CSS(`main`)))
		// The dashboard's views are package reports' (its tables scroll in their figures
		// or not, as that package decides): only the pages of the form are checked here.
		if page.path != "/" {
			fitsAt(t, ctx, page.path+" at 375 px")
		}
		if page.path == "/operations/new" && !eval(t, ctx, radiosInARow) {
			t.Error("at 375 px the sale and replenishment radios are not on one row under their legend")
		}
		screenshot(t, ctx, page.name)
	}
	do(t, ctx, "send a bad form at 375 px", chromedp.Navigate(s.url+"/operations/new"), chromedp.WaitVisible(chromedp.CSS(`#record`)),
		chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(`#product-error`)))
	fitsAt(t, ctx, "the refused form at 375 px")
	if !eval(t, ctx, radiosInARow) {
		t.Error("at 375 px, refused, the radios are not on one row under their legend")
	}
	screenshot(t, ctx, "form-errors-375.png")

	do(t, ctx, "widen the window", chromedp.EmulateViewport(1400, 1000))
	for _, page := range []struct{ path, name string }{
		{"/products/P1", "product-1400.png"},
		{"/", "dashboard-1400.png"},
	} {
		do(t, ctx, "open "+page.path, chromedp.Navigate(s.url+page.path), chromedp.WaitVisible(chromedp.CSS(`main`)))
		fitsAt(t, ctx, page.path+" at 1400 px")
		screenshot(t, ctx, page.name)
	}
	logs.check(t)
}
