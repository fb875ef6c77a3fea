package main_test

import (
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestServeOperationsList checks the operations page against `stockctl export`: every
// filter (a product typed in another case included), cursor paging forward from the
// first page and back from the last giving the same rows, the range shown, bad input
// answered on the page with 400, and the CSV and JSON downloads equal to what the pages
// show and to the export.
func TestServeOperationsList(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	gen := filepath.Join(t.TempDir(), "ops.csv")
	mustRun(t, dir, "generate", "--products", "12", "--days", "40", "--seed", "3", "--out", gen)
	mustRun(t, dir, "import", gen)
	s := startServe(t, dir, nil)

	for _, tc := range []struct {
		name   string
		query  string   // the page's
		export []string // the same filter for stockctl export
		keep   func(exportedOp) bool
	}{
		{"everything", "", nil, nil},
		{"dates", urlQuery("from", "2024-01-10", "to", "2024-01-25"), []string{"--from", "2024-01-10", "--to", "2024-01-25"}, nil},
		{"product in another case", urlQuery("product", "p003"), []string{"--product", "P003"}, nil},
		{"restocks", urlQuery("type", "restock"), nil, func(o exportedOp) bool { return o.Type == "replenishment" }},
		{"product, sales and dates", urlQuery("product", "P002", "type", "sale", "from", "2024-01-05", "to", "2024-02-01"),
			[]string{"--product", "P002", "--from", "2024-01-05", "--to", "2024-02-01"}, func(o exportedOp) bool { return o.Type == "sales" }},
	} {
		var want []string
		for _, o := range exportJSON(t, dir, tc.export...) {
			if tc.keep == nil || tc.keep(o) {
				want = append(want, opKey(o.Date, o.Product, o.Qty, o.Stock))
			}
		}
		if len(want) == 0 {
			t.Fatalf("%s: the export selects nothing; pick another filter", tc.name)
		}
		// By product, the pages show the export's operations, each with the same stock
		// after it (in business-date order, whatever the list's order), product by
		// product. The export lists them by date.
		sep := "?"
		if tc.query != "" {
			sep = "?" + tc.query + "&"
		}
		got, _ := walk(t, s, "/operations"+sep+"sort=product", "next")
		if sortedCopy(got) != sortedCopy(want) || !slices.IsSortedFunc(got, func(a, b string) int { return strings.Compare(opProduct(a), opProduct(b)) }) {
			t.Fatalf("%s, by product: the pages show %d operations, the export %d:\n%v\n%v", tc.name, len(got), len(want), got, want)
		}
		dates, _ := walk(t, s, "/operations"+sep+"sort=date", "next")
		if single := slices.Contains(tc.export, "--product"); single && !slices.Equal(dates, want) {
			t.Fatalf("%s, oldest first: the pages are not the export's order:\n%v\n%v", tc.name, dates, want)
		}
		// Newest first, forward from the first page and back from the last: the same
		// rows, in business-date order.
		forward, ranges := walk(t, s, "/operations"+strings.TrimSuffix(sep, "&"), "next")
		backward, _ := walk(t, s, "/operations"+sep+"before=last", "prev")
		slices.Reverse(backward)
		if !slices.Equal(forward, backward) {
			t.Fatalf("%s: forward and backward paging differ:\n%v\n%v", tc.name, forward, backward)
		}
		if !slices.IsSortedFunc(forward, func(a, b string) int { return strings.Compare(b[:10], a[:10]) }) {
			t.Fatalf("%s: newest first is not in date order: %v", tc.name, forward)
		}
		if sortedCopy(forward) != sortedCopy(want) {
			t.Fatalf("%s: newest first shows other operations than the export", tc.name)
		}
		if n := len(want); n > 50 && (ranges[0] != "1–50 of "+count(n) || ranges[len(ranges)-1] != count(n-(n-1)%50)+"–"+count(n)+" of "+count(n)) {
			t.Fatalf("%s: ranges %q for %d operations", tc.name, ranges, n)
		}

		// The downloads hold what the pages show, in their order, and for one product
		// oldest first are the export byte for byte (several products' operations of one
		// date are listed by product in the export, as recorded in the list).
		csv := s.get("/api/operations?format=csv&" + tc.query)
		if csv.status != 200 || !strings.HasPrefix(csv.header.Get("Content-Disposition"), `attachment; filename="operations`) {
			t.Fatalf("%s: csv %d %v", tc.name, csv.status, csv.header)
		}
		if lines := strings.Count(csv.body, "\r\n") - 1; lines != len(forward) {
			t.Fatalf("%s: the CSV has %d operations, the pages %d", tc.name, lines, len(forward))
		}
		var js []exportedOp
		if r := s.get("/api/operations?format=json&" + tc.query); r.status != 200 || json.Unmarshal([]byte(r.body), &js) != nil {
			t.Fatalf("%s: json %d\n%s", tc.name, r.status, r.body)
		}
		var jsKeys []string
		for _, o := range js {
			jsKeys = append(jsKeys, opKey(o.Date, o.Product, o.Qty, o.Stock))
		}
		if !slices.Equal(jsKeys, forward) {
			t.Fatalf("%s: the JSON download is not what the pages show:\n%v\n%v", tc.name, jsKeys, forward)
		}
		if tc.keep == nil && slices.Contains(tc.export, "--product") {
			for _, format := range []string{"csv", "json"} {
				dl := s.get("/api/operations?format=" + format + "&sort=date&" + tc.query)
				ex := mustRun(t, dir, append([]string{"export", "--format", format}, tc.export...)...)
				if dl.body != ex.stdout {
					t.Fatalf("%s: the %s download oldest first differs from stockctl export:\n%q\n%q", tc.name, format, dl.body, ex.stdout)
				}
			}
		}
	}
	if r := s.get("/api/operations?format=csv&from=2024-01-01&to=2024-01-31"); r.header.Get("Content-Disposition") != `attachment; filename="operations-2024-01-01-to-2024-01-31.csv"` {
		t.Fatalf("file name: %q", r.header.Get("Content-Disposition"))
	}

	// The download links carry the filter and the sort.
	r := s.get("/operations?" + urlQuery("product", "p003", "sort", "quantity"))
	for _, want := range []string{`class="download" data-format="csv" href="/api/operations?format=csv&amp;product=P003&amp;sort=quantity"`,
		`class="download" data-format="json" href="/api/operations?format=json&amp;product=P003&amp;sort=quantity"`, `name="product" value="P003"`} {
		if !strings.Contains(r.body, want) {
			t.Fatalf("want %s in\n%s", want, r.body)
		}
	}

	// Bad input: said on the page, with the filter, and 400.
	for q, msg := range map[string]string{
		urlQuery("from", "2024-02-01", "to", "2024-01-01"): "to 2024-01-01 is before from 2024-02-01",
		urlQuery("from", "2024-13-01"):                     "from &#34;2024-13-01&#34;: use a date YYYY-MM-DD",
		urlQuery("type", "steal"):                          "type &#34;steal&#34;: use sale, restock, adjustment, count",
		urlQuery("after", "garbage"):                       "the page link is damaged",
		// A position past the rows (a hand-made link) once showed "1–50" with a
		// previous link; 0 and 2^63-1 both.
		urlQuery("after", rawCursor(`{"s":"-date","k":"2024-01-01","t":1,"p":9223372036854775807}`)): "the page link is damaged",
		urlQuery("before", rawCursor(`{"s":"-date","k":"2024-01-01","t":1,"p":0}`)):                  "the page link is damaged",
		urlQuery("sort", "price"): "sort &#34;price&#34;: use one of",
		urlQuery("product", " "):  "", // blank: all products
	} {
		r := s.get("/operations?" + q)
		if msg == "" {
			if r.status != 200 {
				t.Fatalf("%s: %d", q, r.status)
			}
			continue
		}
		if r.status != 400 || !strings.Contains(r.body, msg) || !strings.Contains(r.body, `<form class="filter"`) {
			t.Fatalf("%s: want 400 saying %q, got %d\n%s", q, msg, r.status, r.body)
		}
	}
	if r := s.get("/operations?product=nosuch"); r.status != 200 || !strings.Contains(r.body, "No operation was ever recorded for “nosuch”") {
		t.Fatalf("unknown product: %d\n%s", r.status, r.body)
	}
	if r := s.get("/api/operations?format=xml"); r.status != 400 || r.apiError(t).Error.Field != "format" {
		t.Fatalf("format=xml: %d %s", r.status, r.body)
	}
	if r := s.get("/api/operations?format=csv&type=steal"); r.status != 400 {
		t.Fatalf("type=steal: %d %s", r.status, r.body)
	}
}

// TestServeOperationsMethods checks that /api/operations answers GET (downloads) and POST
// (recording) and refuses the rest with 405 and Allow, and what the empty lists say.
func TestServeOperationsMethods(t *testing.T) {
	t.Parallel()
	s := startServe(t, t.TempDir(), nil)
	// An empty ledger says what to do rather than showing an empty table.
	if r := s.get("/products"); r.status != 200 || !strings.Contains(r.body, "No products yet: ") || !strings.Contains(r.body, `href="/operations/new"`) {
		t.Fatalf("/products on an empty ledger: %d\n%s", r.status, r.body)
	}
	if r := s.get("/operations"); r.status != 200 || !strings.Contains(r.body, "No operations yet: ") {
		t.Fatalf("/operations on an empty ledger: %d\n%s", r.status, r.body)
	}
	if r := s.post(`{"product":"P1","type":"restock","quantity":"4","date":"2024-05-01"}`); r.status != 201 {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	if r := s.get("/api/operations?format=json"); r.status != 200 || !strings.Contains(r.body, `"product_ID":"P1"`) {
		t.Fatalf("GET: %d %s", r.status, r.body)
	}
	// HEAD is answered as GET is, and Allow says so.
	if r := s.do(nil, "HEAD", "/api/operations?format=csv", nil); r.status != 200 || !strings.Contains(r.header.Get("Content-Disposition"), "operations.csv") {
		t.Fatalf("HEAD: %d %v", r.status, r.header)
	}
	r := s.do(nil, "DELETE", "/api/operations", nil)
	if r.status != 405 || r.header.Get("Allow") != "GET, HEAD, POST" || r.apiError(t).Error.Code != "method_not_allowed" {
		t.Fatalf("DELETE: %d %v %s", r.status, r.header, r.body)
	}
}

func sortedCopy(s []string) string {
	c := slices.Clone(s)
	slices.Sort(c)
	return strings.Join(c, "\n")
}

// count writes n with thousands separators, as the pages do in English.
func count(n int) string {
	d := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range d {
		if i > 0 && (len(d)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// rawCursor encodes a page link's cursor as readmodel/listpage.go does.
func rawCursor(json string) string { return base64.RawURLEncoding.EncodeToString([]byte(json)) }

// opProduct is the product of an opKey.
func opProduct(key string) string { return strings.Split(key, "|")[1] }
