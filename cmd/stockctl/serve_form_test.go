package main_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// fieldError finds the error shown next to a field of the entry form.
func fieldError(page, field string) (string, bool) {
	m := regexp.MustCompile(`id="` + field + `-error">([^<]*)<`).FindStringSubmatch(page)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// TestServeFormFlagsEveryField: the form checks every field before recording anything
// and flags each wrong one at once, next to it, with aria-invalid and aria-describedby,
// the keyboard on the first; its messages have no command prefix, where the API keeps
// the CLI's words.
func TestServeFormFlagsEveryField(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "2000", "--date", "2024-05-01")
	s := startServe(t, dir, nil)
	c := client()
	form := func(set map[string]string, header ...string) response {
		nonce, csrf := s.entryForm(c)
		f := url.Values{"nonce": {nonce}, "csrf": {csrf}, "product": {"P1"}, "type": {"sale"}, "quantity": {"1"}}
		for k, v := range set {
			f.Set(k, v)
		}
		return s.submit(c, f, header...)
	}

	r := form(map[string]string{"product": "", "quantity": "abc", "date": "2024-13-45"})
	if r.status != 400 {
		t.Fatalf("three bad fields: %d", r.status)
	}
	for _, field := range []string{"product", "quantity", "date"} {
		if _, ok := fieldError(r.body, field); !ok {
			t.Errorf("no error next to %s", field)
		}
		if !regexp.MustCompile(`id="`+field+`"[^>]*aria-invalid="true"[^>]*>`).MatchString(r.body) ||
			!regexp.MustCompile(`id="`+field+`"[^>]*aria-describedby="[^"]*`+field+`-error"`).MatchString(r.body) {
			t.Errorf("#%s is not marked aria-invalid and described by its error", field)
		}
	}
	if n := strings.Count(r.body, `aria-invalid="true"`); n != 3 {
		t.Errorf("%d fields marked invalid, want 3", n)
	}
	if n := strings.Count(r.body, "autofocus"); n != 1 || !regexp.MustCompile(`id="product"[^>]*autofocus`).MatchString(r.body) {
		t.Errorf("want the keyboard on #product alone, autofocus %d times", n)
	}
	if !strings.Contains(r.body, "Nothing was recorded: 3 fields need a look.") {
		t.Error("the form does not say how many fields need a look")
	}
	// The type comes second: the first radio gets the keyboard.
	r = form(map[string]string{"type": "gift", "operator": strings.Repeat("o", 65)})
	if _, ok := fieldError(r.body, "type"); !ok || !regexp.MustCompile(`value="sale"[^>]*autofocus`).MatchString(r.body) {
		t.Errorf("a bad type is not flagged, or its radio not focused")
	}
	if e, ok := fieldError(r.body, "operator"); !ok || !strings.Contains(e, "at most 64") {
		t.Errorf("the operator next to a bad type: %q", e)
	}

	// A refusal: the CLI's words without its command's prefix; the API keeps them all.
	r = form(map[string]string{"quantity": "5000"})
	if e, _ := fieldError(r.body, "quantity"); r.status != 409 || e != "insufficient stock for &#34;P1&#34;: 2000.00 available, 5000.00 requested" {
		t.Errorf("oversale in the form: %d %q", r.status, e)
	}
	cli := run(t, dir, "sell", "P1", "5000")
	if e := s.post(`{"product":"P1","type":"sale","quantity":"5000"}`).apiError(t); e.Error.Message != cliMessage(cli) ||
		!strings.HasPrefix(e.Error.Message, "sell: insufficient stock") {
		t.Errorf("the API says %q, the CLI %q", e.Error.Message, cliMessage(cli))
	}

	// The date is the browser's date picker: an ISO date, and an optional time.
	if p := s.get("/operations/new"); !strings.Contains(p.body, `<input type="date" id="date" name="date"`) || !strings.Contains(p.body, `<input type="time" id="time" name="time"`) {
		t.Error("the form has no date picker and time field")
	}
	if r := form(map[string]string{"date": "2024-05-02"}); r.status != http.StatusSeeOther {
		t.Fatalf("an ISO date: %d %s", r.status, r.body)
	}
	if r := form(map[string]string{"date": "2024-05-03", "time": "10:30"}); r.status != http.StatusSeeOther {
		t.Fatalf("a date and a time: %d", r.status)
	}
	if r := form(map[string]string{"time": "10:30"}); r.status != 400 {
		t.Errorf("a time with no date: %d", r.status)
	} else if e, _ := fieldError(r.body, "time"); !strings.Contains(e, "a time needs a date") {
		t.Errorf("a time with no date: %q", e)
	}
	// A bad time is the time's error, and a bad date beside it the date's (both were
	// once the date's, in the CLI's words asking for YYYY-MM-DD beside a date picker).
	if r := form(map[string]string{"date": "2024-02-30", "time": "25:00"}); r.status != 400 {
		t.Errorf("a bad date and time: %d", r.status)
	} else {
		if e, _ := fieldError(r.body, "time"); !strings.Contains(e, "invalid time") || !strings.Contains(e, "25:00") {
			t.Errorf("a bad time: %q", e)
		}
		if e, _ := fieldError(r.body, "date"); !strings.Contains(e, "invalid date") || !strings.Contains(e, "2024-02-30") {
			t.Errorf("a bad date beside a bad time: %q", e)
		}
	}
	h := history(t, dir, "P1")
	if len(h) != 3 || h[1].Date != "2024-05-02 00:00:00" || h[2].Date != "2024-05-03 10:30:00" {
		t.Errorf("dates recorded: %+v", h)
	}

	// German: 12,5 taken, the placeholder and the confirmation in German numbers.
	if p := s.get("/operations/new", "Accept-Language", "de-DE,de;q=0.9"); !strings.Contains(p.body, `placeholder="e.g. 12,5"`) {
		t.Error("the German form does not show 12,5 as an example")
	}
	r = form(map[string]string{"quantity": "12,5"}, "Accept-Language", "de-DE,de;q=0.9")
	if r.status != http.StatusSeeOther {
		t.Fatalf("12,5 in German: %d", r.status)
	}
	page := s.do(c, "GET", r.header.Get("Location"), nil, "Accept-Language", "de-DE")
	if !strings.Contains(page.body, "Sold 12,50 of &#34;P1&#34;") || !strings.Contains(page.body, "stock after it: 1.985,50.") ||
		!strings.Contains(page.body, "<strong data-stock-now>1.985,50</strong>") {
		t.Errorf("the German confirmation and stock:\n%.3000s", page.body)
	}
	if page := s.do(c, "GET", r.header.Get("Location"), nil); !strings.Contains(page.body, "stock after it: 1,985.50.") {
		t.Error("the English confirmation has no thousands separator")
	}
}

// TestServeProductsInAnyCase: the dashboard's filter and a product's address find the
// stored product whatever the case typed; an ID that matches nothing, or two products,
// stays as typed.
func TestServeProductsInAnyCase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "10", "--date", "2024-05-01")
	mustRun(t, dir, "restock", "Ab", "3", "--date", "2024-05-01")
	mustRun(t, dir, "restock", "AB", "4", "--date", "2024-05-01", "--new-product")
	s := startServe(t, dir, nil)

	r := s.get("/?products=p1")
	if r.status != 200 || !strings.Contains(r.body, `data-live="/fragments/dashboard?products=P1"`) || !strings.Contains(r.body, `name="products" value="P1"`) ||
		strings.Contains(r.body, "No operation was ever recorded") {
		t.Errorf("/?products=p1: %d\n%.3000s", r.status, r.body)
	}
	if !strings.Contains(r.body, `list="filter-products"`) || !strings.Contains(r.body, `<option value="AB"></option><option value="Ab"></option><option value="P1"></option>`) {
		t.Error("the filter has no list of the known products")
	}
	if f := s.get("/fragments/dashboard?products=p1"); strings.Contains(f.body, "No operation was ever recorded") || !strings.Contains(f.body, "<svg") {
		t.Errorf("the fragment does not find P1 from p1:\n%.2000s", f.body)
	}
	r = s.get("/?products=p1,zz9")
	if !strings.Contains(r.body, "No operation was ever recorded for: <strong>zz9</strong>") || !strings.Contains(r.body, "of P1, zz9") {
		t.Errorf("an unknown ID is not named as typed:\n%.3000s", r.body)
	}
	// An ID that names two products is a question, not "never recorded" (the review
	// found every page saying so): each page that takes a product says which two.
	const two = `product &#34;ab&#34; matches AB and Ab: give one of them`
	for _, path := range []string{"/?products=p1,ab", "/operations?product=ab"} {
		if r := s.get(path); r.status != 400 || !strings.Contains(r.body, two) || strings.Contains(r.body, "No operation was ever recorded") {
			t.Errorf("GET %s: %d, want 400 saying %s\n%.3000s", path, r.status, two, r.body)
		}
	}
	if r := s.get("/api/operations?format=csv&product=ab"); r.status != 400 || !strings.Contains(r.body, `matches AB and Ab`) {
		t.Errorf("download of ab: %d %s", r.status, r.body)
	}
	// Dashes and spaces are ignored as a restock's look-alike rule ignores them.
	if r := s.get("/operations?product=p-1"); r.status != 200 || !strings.Contains(r.body, `name="product" value="P1"`) {
		t.Errorf("/operations?product=p-1: %d", r.status)
	}
	if r := s.get("/?products=p-1"); r.status != 200 || !strings.Contains(r.body, `name="products" value="P1"`) {
		t.Errorf("/?products=p-1: %d", r.status)
	}

	for _, tc := range []struct{ path, location string }{
		{"/products/p1", "/products/P1"},
		{"/products/p1?page=2", "/products/P1?page=2"},
		{"/products/?id=p1", "/products/P1"},
		{"/products/P1", ""},
		{"/products/ab", ""}, // Ab or AB: not guessed
		{"/products/AB", ""},
		{"/products/zz9", ""},
	} {
		r := s.get(tc.path)
		if loc := r.header.Get("Location"); tc.location != "" && (r.status != http.StatusSeeOther || loc != tc.location) {
			t.Errorf("GET %s: %d %q, want 303 to %s", tc.path, r.status, loc, tc.location)
		} else if tc.location == "" && r.status != 200 {
			t.Errorf("GET %s: %d, want 200", tc.path, r.status)
		}
	}
}
