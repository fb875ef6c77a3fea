package main_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestServeDotProducts: products "." and "..", which a browser and the router resolve
// away as path segments, have pages, and their form lands on them.
func TestServeDotProducts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", ".", "5")
	mustRun(t, dir, "restock", "..", "7")
	s := startServe(t, dir, nil)
	for _, tc := range []struct{ id, stock string }{{".", "5.00"}, {"..", "7.00"}} {
		page := s.get("/products/?id=" + url.QueryEscape(tc.id))
		if page.status != 200 || !strings.Contains(page.body, "Product "+tc.id+"<") ||
			!strings.Contains(page.body, "In stock: <strong data-stock-now>"+tc.stock+"</strong>") ||
			!strings.Contains(page.body, `data-live="/fragments/products/?id=`+url.QueryEscape(tc.id)+`"`) {
			t.Fatalf("page of %q: %d\n%.3000s", tc.id, page.status, page.body)
		}
		if r := s.get("/fragments/products/?id=" + url.QueryEscape(tc.id)); r.status != 200 || !strings.Contains(r.body, tc.stock) {
			t.Errorf("fragment of %q: %d", tc.id, r.status)
		}
		if r := s.get("/api/products/history?id=" + url.QueryEscape(tc.id)); r.status != 200 || !strings.Contains(r.body, `"stock": "`+tc.stock+`"`) {
			t.Errorf("history of %q: %d %s", tc.id, r.status, r.body)
		}
		// Clients that send %2E as it is reach the product too.
		dots := strings.Repeat("%2E", len(tc.id))
		if r := s.get("/products/" + dots); r.status != 200 || !strings.Contains(r.body, "Product "+tc.id+"<") {
			t.Errorf("GET /products/%s: %d", dots, r.status)
		}

		c := client()
		nonce, csrf := s.entryForm(c)
		r := s.submit(c, url.Values{"nonce": {nonce}, "csrf": {csrf}, "product": {tc.id}, "type": {"sale"}, "quantity": {"1"}})
		want := "/products/?id=" + url.QueryEscape(tc.id) + "&recorded=" + url.QueryEscape(nonce)
		if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || loc != want {
			t.Fatalf("form for %q: %d Location %q, want %q", tc.id, r.status, loc, want)
		}
		if page := s.do(c, "GET", want, nil); !strings.Contains(page.body, "Sold 1.00 of &#34;"+tc.id+"&#34;") {
			t.Errorf("the page of %q does not confirm the sale:\n%.3000s", tc.id, page.body)
		}
	}
	if r := s.get("/products/"); r.status != 400 {
		t.Errorf("GET /products/ with no ID: %d", r.status)
	}
}

// TestServeFormDecimalComma: in a browser whose language writes 12,5 the form takes
// it, and the confirmation says what was understood; elsewhere, and in the JSON API,
// it is refused with the CLI's message.
func TestServeFormDecimalComma(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "2000")
	s := startServe(t, dir, nil)
	cliComma := strings.TrimPrefix(cliMessage(run(t, dir, "sell", "P1", "12,5")), "sell: ")
	errorNext := regexp.MustCompile(`id="quantity-error">([^<]*)<`)
	for _, tc := range []struct {
		lang, qty string
		ok        bool
		want      string // the confirmation, or the error next to the quantity
	}{
		{"fr-FR,fr;q=0.9,en;q=0.8", "12,5", true, "Sold 12.50 of &#34;P1&#34;"},
		{"de-DE", "0,75", true, "Sold 0.75 of &#34;P1&#34;"},
		{"en-GB;q=0.5,de-AT", "2,5", true, "Sold 2.50 of &#34;P1&#34;"},
		{"fr-FR", "3.5", true, "Sold 3.50 of &#34;P1&#34;"},
		{"pt-BR", " 1,5 ", true, "Sold 1.50 of &#34;P1&#34;"},
		{"en-US,en;q=0.9", "12,5", false, cliComma},
		{"de-CH", "12,5", false, cliComma},
		{"", "12,5", false, cliComma},
		// Written as the German pages write it, with a thousands separator.
		{"de-DE", "1.234,5", true, "Sold 1,234.50 of &#34;P1&#34;"},
		{"en-US", "1.234,5", false, `&#34;1.234,5&#34;: not a decimal number`},
		{"de-DE", "1.23,5", false, `&#34;1.23,5&#34;: not a decimal number`},
		{"de-DE", "1,2,3", false, `&#34;1,2,3&#34;: not a decimal number`},
	} {
		c := client()
		nonce, csrf := s.entryForm(c)
		r := s.submit(c, url.Values{"nonce": {nonce}, "csrf": {csrf}, "product": {"P1"}, "type": {"sale"}, "quantity": {tc.qty}},
			"Accept-Language", tc.lang)
		if !tc.ok {
			m := errorNext.FindStringSubmatch(r.body)
			if r.status != 400 || m == nil || !strings.Contains(m[1], strings.ReplaceAll(tc.want, `"`, "&#34;")) {
				t.Errorf("%q in %q: %d, error %v, want %q", tc.qty, tc.lang, r.status, m, tc.want)
			}
			continue
		}
		if r.status != http.StatusSeeOther {
			t.Errorf("%q in %q: %d\n%.2000s", tc.qty, tc.lang, r.status, r.body)
			continue
		}
		if page := s.do(c, "GET", r.header.Get("Location"), nil); !strings.Contains(page.body, tc.want) {
			t.Errorf("%q in %q: the confirmation lacks %q", tc.qty, tc.lang, tc.want)
		}
	}
	if levels := stockLevels(t, dir, "P1"); len(levels) != 1 || levels[0].Stock != "744.75" {
		t.Errorf("stock after 12.50, 0.75, 2.50, 3.50, 1.50 and 1,234.50 sold of 2,000: %+v", levels)
	}
	// The form says which decimal mark it takes.
	if r := s.get("/operations/new", "Accept-Language", "fr"); !strings.Contains(r.body, `placeholder="e.g. 12,5"`) {
		t.Error("the French form does not show 12,5 as an example")
	}
	// The JSON API keeps the dot, whatever the language.
	r := s.post(`{"product":"P1","type":"sale","quantity":"12,5"}`, "Accept-Language", "fr-FR")
	if e := r.apiError(t); r.status != 400 || e.Error.Code != "invalid_quantity" || e.Error.Message != cliComma {
		t.Errorf("API with 12,5 in French: %d %+v", r.status, e.Error)
	}
}
