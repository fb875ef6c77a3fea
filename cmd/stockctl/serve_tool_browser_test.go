package main_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// TestWebAppAsATool uses `stockctl serve` as a shop manager would, in headless Chromium,
// typing one address only: dashboard → Products → a search typed in lower case → the
// product → a sale recorded with the keyboard → Operations, where the sale comes first →
// a filter → the CSV download, which must hold exactly what `stockctl export` gives for
// the same filter. On the way it looks at each page at a phone's and a desktop's width
// (see shots.review): the dashboard, the products list, a product page, the operations
// page, the entry form with errors and the HTML report of `stockctl report`.
func TestWebAppAsATool(t *testing.T) {
	started := time.Now()
	dir := t.TempDir()
	sh := seedShop(t, dir)
	s := startServe(t, dir, nil)
	shots := newShots(t)
	defer func() {
		t.Logf("screenshots: %s; %s", strings.Join(shots.taken, " "), time.Since(started).Round(time.Second))
	}()

	ctx := browser(t)
	checkConsole := watchConsole(t, ctx)
	settle(t, ctx, desktopWidth)

	// The report first: it needs no server, and it is looked at whatever the pages do.
	report := filepath.Join(t.TempDir(), "report")
	mustRun(t, dir, "report", "--out", report, "--format", "html")
	paper := tab(t, ctx)
	settle(t, paper, desktopWidth)
	do(t, paper, "open the report", chromedp.Navigate("file://"+filepath.Join(report, "index.html")), chromedp.WaitVisible(chromedp.CSS("h1")))
	shots.review(t, paper, "report")

	do(t, ctx, "open the dashboard", chromedp.Navigate(s.url+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#live[data-status="live"]`)))
	shots.review(t, ctx, "dashboard")

	// Products, paged: next and back.
	click(t, ctx, "click Products in the nav", `header nav a[href="/products"]`)
	do(t, ctx, "open the products list", chromedp.WaitVisible(chromedp.CSS(`table.products tr[data-product]`)))
	shots.review(t, ctx, "products")
	firstRow := `document.querySelector("table.products tr[data-product]").getAttribute("data-product")`
	page1 := evalString(t, ctx, firstRow)
	click(t, ctx, "follow the products list's next page", `a[rel=next]`)
	waitFor(t, ctx, "the second page of products", `new URLSearchParams(location.search).get("page") === "2" && !!document.querySelector("table.products tr[data-product]") && `+firstRow+` !== `+strconv.Quote(page1))
	click(t, ctx, "go back to the first page", `a[rel=prev]`)
	waitFor(t, ctx, "the first page of products again", `!!document.querySelector("table.products tr[data-product]") && `+firstRow+` === `+strconv.Quote(page1))

	// A search typed in lower case finds the upper-case IDs, and only them.
	const typed = "lamp-0"
	typeInto(t, ctx, "search the products", `form.search input#q`, typed+"\r")
	waitFor(t, ctx, "the search's results", `new URLSearchParams(location.search).get("q") === `+strconv.Quote(typed)+` && !!document.querySelector("table.products tr[data-product]")`)
	var want []string
	for _, p := range sh.products {
		if strings.Contains(strings.ToLower(p), typed) {
			want = append(want, p)
		}
	}
	found := strings.Fields(evalString(t, ctx, `[...document.querySelectorAll("table.products tr[data-product]")].map(r => r.getAttribute("data-product")).join(" ")`))
	slices.Sort(found)
	if !slices.Equal(found, want) {
		t.Errorf("searching %q lists %q, want %q", typed, found, want)
	}

	// The product page: its stock, then a sale typed and sent with Enter.
	click(t, ctx, "open the product from the list", fmt.Sprintf(`table.products tr[data-product=%q] a[href^="/products/"]`, sh.target))
	do(t, ctx, "open the product page", chromedp.WaitVisible(chromedp.CSS(`[data-stock-now]`)))
	if path := evalString(t, ctx, `location.pathname`); path != "/products/"+sh.target {
		t.Fatalf("the product's link led to %s", path)
	}
	before := stockNow(t, ctx)
	if !eval(t, ctx, `!!document.querySelector('input[name=type][value=sale]:checked')`) {
		t.Error("the product page's form does not offer a sale first")
		do(t, ctx, "choose a sale with the keyboard", chromedp.Focus(chromedp.CSS(`input[name=type][value=sale]`)), chromedp.KeyEvent(" "))
	}
	retry(t, ctx, "record a sale with the keyboard", chromedp.Focus(chromedp.CSS(`#quantity`)), chromedp.KeyEvent("3\r"))
	do(t, ctx, "see the sale recorded", chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	waitFor(t, ctx, "the stock to drop by 3", fmt.Sprintf(`(() => { const e = document.querySelector("[data-stock-now]"); return !!e && %s === %d; })()`, parseJS("e.textContent"), before-300))
	if got := text(t, ctx, `[data-stock-now]`); !thousands(got) {
		t.Errorf("the stock reads %q: no thousands separator", got)
	}
	shots.review(t, ctx, "product")

	// Operations: the sale first, newest first by default.
	click(t, ctx, "click Operations in the nav", `header nav a[href="/operations"]`)
	do(t, ctx, "open the operations page", chromedp.WaitVisible(chromedp.CSS(`table.operations tr[data-product]`)))
	if first := evalString(t, ctx, `document.querySelector("table.operations tr[data-product]").getAttribute("data-product")`); first != sh.target {
		t.Errorf("the operations page's first row is of %q, want the sale of %s just recorded", first, sh.target)
	}
	shots.review(t, ctx, "operations")
	if !eval(t, ctx, `!!document.querySelector("a[rel=next]")`) {
		t.Error("the operations page has no next page, although the ledger holds 900 operations")
	}
	checkDownload(t, ctx, dir, sh.target)

	// The form, sent with two bad fields at once.
	click(t, ctx, "click Record an operation in the nav", `header nav a[href="/operations/new"]`)
	do(t, ctx, "open the entry form", chromedp.WaitVisible(chromedp.CSS(`#quantity`)))
	typeInto(t, ctx, "send the form with no product and a bad quantity", `#quantity`, "twelve\r")
	do(t, ctx, "see the form's errors", chromedp.WaitVisible(chromedp.CSS(`#quantity-error`)))
	if !eval(t, ctx, `!!document.querySelector("#product-error")`) {
		t.Error("the form flags the quantity but not the missing product")
	}
	shots.review(t, ctx, "form-errors")
	checkConsole()
}

// watchConsole collects the errors and exceptions the tab of ctx reports, and returns
// the check that fails the test on any but the form's answer 400 to invalid fields.
func watchConsole(t *testing.T, ctx context.Context) func() {
	var mu sync.Mutex
	var errs []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			expected := strings.HasSuffix(m.URL, "/operations") && strings.Contains(m.Text, "status of 400")
			if (m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException) && !expected {
				mu.Lock()
				errs = append(errs, fmt.Sprintf("%s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line))
				mu.Unlock()
			}
		}
	}()
	return func() {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		for _, e := range errs {
			t.Errorf("the page reported %s", e)
		}
	}
}

// checkDownload filters the operations page by a product typed in lower case and a date,
// follows its CSV link with the browser and compares the file with `stockctl export`.
func checkDownload(t *testing.T, ctx context.Context, dir, product string) {
	t.Helper()
	const from = "2025-06-01"
	if !eval(t, ctx, fmt.Sprintf(`(() => { const f = document.querySelector("form.filter"); if (!f || !f.elements.from) return false; f.elements.from.value = %q; return true; })()`, from)) {
		t.Fatal("the operations page has no filter form with a from date")
	}
	typeInto(t, ctx, "filter the operations by product", `form.filter [name=product]`, strings.ToLower(product)+"\r")
	waitFor(t, ctx, "the filtered operations", fmt.Sprintf(`new URLSearchParams(location.search).get("from") === %q && !!document.querySelector("table.operations tr[data-product]") && [...document.querySelectorAll("table.operations tr[data-product]")].every(r => r.getAttribute("data-product") === %q)`, from, product))
	href := evalString(t, ctx, `(document.querySelector('a.download[data-format="csv"]') || {}).href || ""`)
	if !strings.Contains(href, "/api/operations?") || !strings.Contains(href, "format=csv") || !strings.Contains(href, "from="+from) {
		t.Fatalf("the CSV link is %q, not the page's filter", href)
	}

	downloads := t.TempDir()
	progress := chromedp.BrowserEvents(ctx, cdpbrowser.DownloadProgress)
	do(t, ctx, "allow downloads", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: ptrTo(true)})
		return err
	}))
	click(t, ctx, "follow the CSV link", `a.download[data-format="csv"]`)
	deadline, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var file string
	for ev, err := range progress {
		if err != nil || deadline.Err() != nil {
			t.Fatalf("the CSV download did not finish: %v %v", err, deadline.Err())
		}
		if ev.State == cdpbrowser.DownloadProgressStateCanceled {
			t.Fatal("the CSV download was cancelled")
		}
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			file = filepath.Join(downloads, ev.GUID)
			break
		}
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	exported := mustRun(t, dir, "export", "--product", product, "--from", from).stdout
	compareDownload(t, string(got), exported)
}

// stockNow reads the product page's current stock, in hundredths.
func stockNow(t *testing.T, ctx context.Context) int64 {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`(() => { const e = document.querySelector("[data-stock-now]"); return `+parseJS("e.textContent")+`; })()`))
	if err != nil {
		t.Fatalf("read the stock: %v", err)
	}
	return v
}

// parseJS is a JavaScript expression reading the quantity in the string expression s,
// written with thousands separators, as hundredths.
func parseJS(s string) string {
	return `Math.round(Number((` + s + `).trim().replace(/[,\s\u00a0\u202f]/g, "")) * 100)`
}

// thousands reports whether a quantity of four digits or more has separators.
func thousands(s string) bool {
	digits := strings.TrimLeft(strings.Split(s, ".")[0], "-")
	return len(digits) < 4 || strings.ContainsAny(digits, ", \u00a0\u202f")
}

// evalString evaluates a JavaScript expression to a string.
func evalString(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds, without reloading the page; a
// page that updates itself live may be between two versions at any one time, and one
// that navigates loses the poll's JavaScript context, so the poll starts again in the
// new page.
func waitFor(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		_, err := chromedp.Run(c, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingInterval(50*time.Millisecond)))
		if err == nil {
			return
		}
		select {
		case <-c.Done():
			t.Fatalf("waiting for %s at %s: %v", what, evalString(t, ctx, "location.href"), err)
		case <-tick.C:
		}
	}
}

// click clicks the element sel finds.
func click(t *testing.T, ctx context.Context, what, sel string) {
	t.Helper()
	retry(t, ctx, what, chromedp.Click(chromedp.CSS(sel)))
}

// typeInto replaces the value of the field sel finds by typing keys into it.
func typeInto(t *testing.T, ctx context.Context, what, sel, keys string) {
	t.Helper()
	// chromedp.SetValue refuses "" (it takes the value read back for a failure).
	clear := fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) throw new Error("no node yet"); e.value = ""; return true; })()`, sel)
	retry(t, ctx, what, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](clear)(ctx, tg)
		return err
	}), chromedp.SendKeys(chromedp.CSS(sel), keys))
}

// retry runs actions again when the page replaced the element they act on between
// finding it and acting: a live part of a page is replaced whenever the ledger moves,
// and a page that has just loaded may still renumber its nodes.
func retry(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		err := chromedp.Do(c, actions...)
		if err == nil {
			return
		}
		if !strings.Contains(err.Error(), "node") && !strings.Contains(err.Error(), "context") {
			t.Fatalf("%s: %v", what, err)
		}
		select {
		case <-c.Done():
			t.Fatalf("%s: %v", what, err)
		case <-tick.C:
		}
	}
}

func ptrTo[T any](v T) *T { return &v }

// compareDownload checks that the downloaded CSV holds the operations that `stockctl
// export` wrote for the same filter (the same days, products and signed quantities, as
// many times each), newest first as the page shows them.
func compareDownload(t *testing.T, downloaded, exported string) {
	t.Helper()
	got, want := csvOperations(t, "the download", downloaded), csvOperations(t, "stockctl export", exported)
	for i := 1; i < len(got); i++ {
		if got[i].day > got[i-1].day {
			t.Errorf("the download is not newest first: %s after %s", got[i].day, got[i-1].day)
			break
		}
	}
	keys := func(ops []csvOperation) []string {
		var k []string
		for _, o := range ops {
			k = append(k, o.day+" "+o.product+" "+strconv.FormatInt(o.cents, 10))
		}
		slices.Sort(k)
		return k
	}
	if g, w := keys(got), keys(want); !slices.Equal(g, w) || len(g) == 0 {
		t.Errorf("the download holds %d operations, stockctl export %d for the same filter:\ndownload: %q\nexport:   %q", len(g), len(w), g, w)
	} else {
		t.Logf("the CSV download holds the %d operations stockctl export gives for the same filter", len(g))
	}
}

// csvOperation is one operation of a CSV file: its business day (YYYY-MM-DD), product
// and signed quantity in hundredths.
type csvOperation struct {
	day, product string
	cents        int64
}

// csvOperations reads a CSV of operations by its header's names: the original format
// (operation_date;product_ID;operation_qt;stock) or one with a type column and unsigned
// quantities, ';' or ',' separated, dates dd/mm/yyyy or ISO.
func csvOperations(t *testing.T, what, data string) []csvOperation {
	t.Helper()
	data = strings.TrimPrefix(data, "\uFEFF")
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(data, "\r\n", "\n")), "\n")
	if len(lines) == 0 || lines[0] == "" {
		t.Fatalf("%s is empty", what)
	}
	sep := ","
	if strings.Count(lines[0], ";") > strings.Count(lines[0], ",") {
		sep = ";"
	}
	col := map[string]int{}
	for i, h := range strings.Split(lines[0], sep) {
		h = strings.ToLower(strings.Trim(h, `" `))
		for _, name := range []string{"date", "product", "qt", "quantity", "type"} {
			if _, ok := col[name]; !ok && strings.Contains(h, name) && !strings.Contains(h, "recorded") {
				col[name] = i
			}
		}
	}
	if _, ok := col["quantity"]; !ok {
		col["quantity"] = col["qt"]
	}
	if _, ok := col["date"]; !ok {
		t.Fatalf("%s has no date column: %q", what, lines[0])
	}
	var out []csvOperation
	for _, line := range lines[1:] {
		f := strings.Split(line, sep)
		field := func(name string) string {
			if i, ok := col[name]; ok && i < len(f) {
				return strings.Trim(f[i], `" `)
			}
			return ""
		}
		day := strings.Fields(field("date"))
		if len(day) == 0 {
			t.Fatalf("%s: a line without a date: %q", what, line)
		}
		d := strings.SplitN(day[0], "T", 2)[0]
		if p := strings.Split(d, "/"); len(p) == 3 {
			d = p[2] + "-" + p[1] + "-" + p[0]
		}
		q, err := strconv.ParseFloat(field("quantity"), 64)
		if err != nil {
			t.Fatalf("%s: quantity of %q: %v", what, line, err)
		}
		cents := int64(q*100 + 0.5*sign(q))
		if typ := field("type"); typ == "sale" && cents > 0 {
			cents = -cents
		}
		out = append(out, csvOperation{day: d, product: field("product"), cents: cents})
	}
	return out
}

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}
