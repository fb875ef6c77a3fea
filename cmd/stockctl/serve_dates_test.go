package main_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestTwoClocksFrontEnds: a backdated sale the stock did not cover at its date is
// refused in the CLI's words by the CLI (exit 1), the API (409, the same message) and
// the form (without the command's prefix); a date more than a day ahead is invalid input
// (exit 2, 400 future_date on the date field) naming each front end's way to record it
// anyway, which then records it.
func TestTwoClocksFrontEnds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P", "10", "--date", "2024-05-01")
	today := time.Now().Format("2006-01-02")

	const backdated = `insufficient stock for "P" on 2024-04-01: selling 5.00 would make its stock negative on 2024-04-01: ` +
		`0.00 available then (no stock until 2024-05-01)`
	cli := run(t, dir, "sell", "P", "5", "--date", "2024-04-01")
	if cli.code != 1 || cliMessage(cli) != "sell: "+backdated {
		t.Fatalf("backdated sale: want exit 1 with %q: %v", backdated, cli)
	}
	future := run(t, dir, "restock", "P", "1", "--date", "2099-12-31")
	if want := "restock: --date: 2099-12-31 is more than a day after today (" + today + "): if it is meant, give --allow-future"; future.code != 2 || cliMessage(future) != want {
		t.Fatalf("future restock: want exit 2 with %q: %v", want, future)
	}

	s := startServe(t, dir, nil)
	r := s.post(`{"product":"P","type":"sale","quantity":"5","date":"2024-04-01"}`)
	if e := r.apiError(t); r.status != http.StatusConflict || e.Error.Code != "insufficient_stock" || e.Error.Message != cliMessage(cli) {
		t.Errorf("backdated sale through the API: %d %+v, want 409 with the CLI's %q", r.status, e.Error, cliMessage(cli))
	}
	r = s.post(`{"product":"P","type":"restock","quantity":"1","date":"2099-12-31"}`)
	if e := r.apiError(t); r.status != http.StatusBadRequest || e.Error.Code != "future_date" || e.Error.Field != "date" ||
		e.Error.Message != "2099-12-31 is more than a day after today ("+today+`): if it is meant, set "allow_future": true` {
		t.Errorf("future date through the API: %d %+v", r.status, e.Error)
	}
	if r = s.post(`{"product":"P","type":"restock","quantity":"1","date":"2099-12-30","allow_future":true}`); r.status != http.StatusCreated {
		t.Errorf("future date with allow_future: %d %s", r.status, r.body)
	}

	c := client()
	form := func(set map[string]string) response {
		nonce, csrf := s.entryForm(c)
		f := url.Values{"nonce": {nonce}, "csrf": {csrf}, "product": {"P"}, "type": {"sale"}, "quantity": {"5"}}
		for k, v := range set {
			f.Set(k, v)
		}
		return s.submit(c, f)
	}
	box := regexp.MustCompile(`<input type="checkbox" name="allow_future" value="1"( checked)?> this date is in the future: record it anyway`)
	r = form(map[string]string{"date": "2024-04-01"})
	if e, _ := fieldError(r.body, "quantity"); r.status != http.StatusConflict || html.UnescapeString(e) != backdated || box.MatchString(r.body) {
		t.Errorf("backdated sale in the form: %d %q, want 409 with %q and no future box", r.status, e, backdated)
	}
	r = form(map[string]string{"type": "restock", "date": "2099-12-31"})
	e, _ := fieldError(r.body, "date")
	if m := box.FindStringSubmatch(r.body); r.status != http.StatusBadRequest || m == nil || m[1] != "" ||
		html.UnescapeString(e) != "2099-12-31 is more than a day after today ("+today+`): if it is meant, tick "record it anyway" below` {
		t.Errorf("future date in the form: %d %q, box %v", r.status, e, m)
	}
	// Ticked beside another field's error, the box stays, ticked.
	r = form(map[string]string{"type": "restock", "quantity": "abc", "date": "2099-12-31", "allow_future": "1"})
	if m := box.FindStringSubmatch(r.body); r.status != http.StatusBadRequest || m == nil || m[1] != " checked" {
		t.Errorf("future date ticked, bad quantity: %d, box %v; want it shown ticked", r.status, m)
	}
	if e, ok := fieldError(r.body, "date"); ok {
		t.Errorf("future date ticked: the date is still flagged: %q", e)
	}
	if r = form(map[string]string{"type": "restock", "date": "2099-12-31", "allow_future": "1"}); r.status != http.StatusSeeOther {
		t.Errorf("future date in the form, ticked: %d", r.status)
	}
	h := history(t, dir, "P")
	if len(h) != 3 || h[1].Date != "2099-12-30 00:00:00" || h[2].Date != "2099-12-31 00:00:00" {
		t.Errorf("history: %+v, want the restock of 2024-05-01 and the two future ones allowed", h)
	}
	if r := run(t, dir, "restock", "P", "1", "--date", "2099-12-29", "--allow-future"); r.code != 0 {
		t.Errorf("restock --allow-future: %v", r)
	}
}

// TestImportFutureDates: rows dated more than a day ahead are listed and refuse the
// import (exit 2, nothing appended) unless --allow-future.
func TestImportFutureDates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// The stock column is the balance right after each row by date, given the rows above.
	file := writeFile(t, t.TempDir(), "future.csv", "operation_date;product_ID;operation_qt;stock\n"+
		"01/05/2024;F;10;10\n31/12/2099;F;-1;9\n02/05/2024;F;-1;9\n01/01/2098;F;1;10\n")
	today := time.Now().Format("2006-01-02")
	r := run(t, dir, "import", file)
	if r.code != 2 || !strings.Contains(r.stderr, "future date: line 3: 2099-12-31 is more than a day after today ("+today+")\n") ||
		!strings.Contains(r.stderr, "future date: line 5: 2098-01-01 is more than a day after today") ||
		!strings.Contains(r.stderr, "import: 2 row(s) dated more than a day after today ("+today+"); nothing was appended: if it is meant, give --allow-future") {
		t.Fatalf("import with future rows: want exit 2 listing lines 3 and 5: %v", r)
	}
	if levels := stockLevels(t, dir); len(levels) != 0 {
		t.Fatalf("a refused import appended operations: %+v", levels)
	}
	if r := run(t, dir, "import", "--allow-future", file); r.code != 0 {
		t.Fatalf("import --allow-future: %v", r)
	}
}
