package main_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/stockctl/stockctl/internal/testbrowser"
)

// browser starts headless Chromium and returns a context for its first tab.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(testbrowser.Chromium(t)), chromedp.NoSandbox,
		chromedp.WindowSize(1200, 1600), chromedp.UserDataDir(t.TempDir()))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	// The first run starts the browser, which lives as long as the context of that run:
	// it gets one with no deadline. Tabs made after it open in this browser.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// tab opens another tab in the browser of ctx.
func tab(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	c, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(c); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return c
}

// console collects the errors and exceptions a tab reports.
type console struct {
	mu     sync.Mutex
	errors []string
}

func (c *console) watch(t *testing.T, ctx context.Context) {
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// A refused form (an oversale, 409; bad fields, 400) is answered with the form
			// again, which Chromium logs.
			expected := strings.HasSuffix(m.URL, "/operations") && (strings.Contains(m.Text, "status of 409") || strings.Contains(m.Text, "status of 400"))
			if (m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException) && !expected {
				c.mu.Lock()
				c.errors = append(c.errors, fmt.Sprintf("%s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line))
				c.mu.Unlock()
			}
		}
	}()
}

func (c *console) check(t *testing.T) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.errors {
		t.Errorf("the page reported %s", e)
	}
}

// do runs browser actions with a deadline.
func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(c, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// text reads an element's text.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(c, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// eval evaluates a JavaScript expression to a boolean.
func eval(t *testing.T, ctx context.Context, expr string) bool {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// screenshot saves the page of ctx in the test's temp dir (and $STOCKCTL_SCREENSHOT_DIR).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil || len(png) < 10_000 {
		t.Fatalf("screenshot %s: %v (%d bytes)", name, err, len(png))
	}
	for _, dir := range []string{t.TempDir(), os.Getenv("STOCKCTL_SCREENSHOT_DIR")} {
		if dir != "" {
			if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

const stockOfP1 = `tr[data-product="P1"] [data-stock]`

// waitForText waits until the element's text is want, without reloading the page.
func waitForText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	expr := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.textContent.trim() === %q; })()`, sel, want)
	if _, err := chromedp.Run(c, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("%s did not become %q: it shows %q (%v)", sel, want, text(t, ctx, sel), err)
	}
}

// TestServeInABrowser: in headless Chromium, a sale recorded through the form shows on
// the dashboard of another tab without a reload, and so does a sale from the CLI.
func TestServeInABrowser(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "10", "--date", "2024-05-01")
	mustRun(t, dir, "restock", "P2", "4", "--date", "2024-05-01")
	s := startServe(t, dir, nil)

	var logs console
	dash := browser(t)
	other := tab(t, dash)
	for _, c := range []context.Context{dash, other} {
		logs.watch(t, c)
		do(t, c, "open the dashboard", chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS(stockOfP1)),
			chromedp.WaitVisible(chromedp.CSS(`#live[data-status="live"]`)))
		// Lost on a reload: shows the page was updated in place.
		eval(t, c, `window.notReloaded = true`)
		waitForText(t, c, stockOfP1, "10.00")
	}

	form := tab(t, dash)
	logs.watch(t, form)
	do(t, form, "record a sale through the form",
		chromedp.Navigate(s.url+"/operations/new?product=P1"),
		chromedp.WaitVisible(chromedp.CSS(`#quantity`)),
		chromedp.SendKeys(chromedp.CSS(`#quantity`), "3"),
		chromedp.SendKeys(chromedp.CSS(`#note`), "browser sale"),
		chromedp.Click(chromedp.CSS(`#record`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if flash := text(t, form, ".flash"); !strings.Contains(flash, `Sold 3.00 of "P1"`) {
		t.Fatalf("after the form: flash %q", flash)
	}
	// Polled: the page may be replacing its live part with a fresh copy as it is read.
	waitForText(t, form, "[data-stock-now]", "7.00")
	for _, c := range []context.Context{dash, other} {
		waitForText(t, c, stockOfP1, "7.00")
	}
	screenshot(t, form, "product.png")

	mustRun(t, dir, "sell", "P1", "2", "--operator", "cli")
	for _, c := range []context.Context{dash, other} {
		waitForText(t, c, stockOfP1, "5.00")
		if !eval(t, c, `window.notReloaded === true`) {
			t.Fatal("the dashboard was reloaded instead of updated in place")
		}
	}
	// The form refuses an oversale next to the quantity, with the CLI's words less the
	// command's prefix: the form says which operation it is.
	do(t, form, "refuse an oversale",
		chromedp.Navigate(s.url+"/operations/new?product=P1"),
		chromedp.WaitVisible(chromedp.CSS(`#quantity`)),
		chromedp.SendKeys(chromedp.CSS(`#quantity`), "50"),
		chromedp.Click(chromedp.CSS(`#record`)),
		chromedp.WaitVisible(chromedp.CSS(`#quantity-error`)))
	if refusal := text(t, form, "#quantity-error"); refusal != `insufficient stock for "P1": 5.00 available, 50.00 requested` {
		t.Fatalf("refusal next to the quantity: %q", refusal)
	}
	screenshot(t, dash, "dashboard.png")
	logs.check(t)
}
