package main_test

import (
	"cmp"
	"encoding/json"
	"html"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// listRow is one <tr data-product> of a list page: its cells as text.
type listRow struct {
	product string
	cells   []string
}

var (
	rowRE  = regexp.MustCompile(`(?s)<tr data-product="([^"]*)"[^>]*>(.*?)</tr>`)
	cellRE = regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`)
	tagRE  = regexp.MustCompile(`<[^>]*>`)
)

// listRows reads the rows of a list page.
func listRows(body string) []listRow {
	var out []listRow
	for _, m := range rowRE.FindAllStringSubmatch(body, -1) {
		r := listRow{product: html.UnescapeString(m[1])}
		for _, c := range cellRE.FindAllStringSubmatch(m[2], -1) {
			r.cells = append(r.cells, strings.TrimSpace(html.UnescapeString(tagRE.ReplaceAllString(c[1], ""))))
		}
		out = append(out, r)
	}
	return out
}

// relLink returns the href of the page's a[rel=rel], "" when there is none.
func relLink(body, rel string) string {
	m := regexp.MustCompile(`<a rel="` + rel + `" href="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// number reads a quantity as the lists show it: "1,234.5" or "out 0".
func number(t *testing.T, s string) float64 {
	t.Helper()
	f := strings.Fields(s)
	v, err := strconv.ParseFloat(strings.ReplaceAll(f[len(f)-1], ",", ""), 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}

// TestServeProductsList checks the products list: paging at exactly 50 and 51 products,
// search ignoring case with prefixes first, every sort both ways by what the columns
// show, the stock shown against `stockctl stock`, and bad input answered on the page.
func TestServeProductsList(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	gen := filepath.Join(t.TempDir(), "ops.csv")
	mustRun(t, dir, "generate", "--products", "50", "--days", "20", "--seed", "7", "--out", gen)
	mustRun(t, dir, "import", gen)
	s := startServe(t, dir, nil)

	// Exactly 50: one page, no next link.
	r := s.get("/products")
	if rows := listRows(r.body); r.status != 200 || len(rows) != 50 || relLink(r.body, "next") != "" || relLink(r.body, "prev") != "" ||
		!strings.Contains(r.body, "Products 1–50 of 50") {
		t.Fatalf("50 products: %d, %d rows, next %q\n%s", r.status, len(rows), relLink(r.body, "next"), r.body)
	}
	// The 51st makes a second page of one row.
	if r := s.post(`{"product":"AP001","type":"restock","quantity":"3","date":"2024-01-05"}`); r.status != 201 {
		t.Fatalf("restock AP001: %d %s", r.status, r.body)
	}
	r = s.get("/products")
	next := relLink(r.body, "next")
	if rows := listRows(r.body); len(rows) != 50 || next != "/products?page=2" || !strings.Contains(r.body, "Products 1–50 of 51") {
		t.Fatalf("51 products, page 1: %d rows, next %q", len(rows), next)
	}
	r = s.get(next)
	if rows := listRows(r.body); len(rows) != 1 || rows[0].product != "P050" || relLink(r.body, "next") != "" ||
		relLink(r.body, "prev") != "/products" || !strings.Contains(r.body, "Products 51–51 of 51") {
		t.Fatalf("51 products, page 2: %+v, prev %q\n%s", rows, relLink(r.body, "prev"), r.body)
	}

	// Low and empty stock say so in words, not only in colour.
	if rows := listRows(s.get("/products?q=ap001").body); len(rows) != 1 || rows[0].cells[1] != "low 3.00" {
		t.Fatalf("AP001 at 3, --low 5: %+v", rows)
	}
	if r := s.post(`{"product":"AP001","type":"sale","quantity":"3","date":"2024-01-06"}`); r.status != 201 {
		t.Fatalf("sell AP001: %d %s", r.status, r.body)
	}
	if rows := listRows(s.get("/products?q=ap001").body); len(rows) != 1 || rows[0].cells[1] != "out 0.00" {
		t.Fatalf("AP001 at 0: %+v", rows)
	}

	// Search ignores case; IDs that start with it come first.
	r = s.get("/products?q=p001")
	rows := listRows(r.body)
	if len(rows) != 2 || rows[0].product != "P001" || rows[1].product != "AP001" || !strings.Contains(rows[0].cells[0], "P001") {
		t.Fatalf("q=p001: %+v", rows)
	}
	if r := s.get("/products?q=zz%22z"); r.status != 200 || len(listRows(r.body)) != 0 || !strings.Contains(r.body, "No product matches “zz&#34;z”") {
		t.Fatalf("q with no match: %d\n%s", r.status, r.body)
	}

	// What the page shows is what `stockctl stock` says.
	want := map[string]float64{}
	for _, l := range stockLevels(t, dir) {
		want[l.Product] = number(t, l.Stock)
	}
	for _, sort := range []string{"product", "-product", "stock", "-stock", "movement", "-movement", "last", "-last"} {
		var all []listRow
		for page := "/products?sort=" + sort; page != ""; {
			r := s.get(page)
			if r.status != 200 {
				t.Fatalf("%s: %d", page, r.status)
			}
			all = append(all, listRows(r.body)...)
			aria := "ascending"
			if strings.HasPrefix(sort, "-") {
				aria = "descending"
			}
			if strings.Count(r.body, "aria-sort=") != 1 || !strings.Contains(r.body, `aria-sort="`+aria+`"`) {
				t.Fatalf("%s: want one column with aria-sort=%s", page, aria)
			}
			page = relLink(r.body, "next")
		}
		if len(all) != 51 {
			t.Fatalf("sort %s: %d rows over the pages, want 51", sort, len(all))
		}
		col := map[string]int{"product": 0, "stock": 1, "movement": 2, "last": 5}[strings.TrimPrefix(sort, "-")]
		sorted := slices.IsSortedFunc(all, func(a, b listRow) int {
			var c int
			if col == 0 || col == 5 {
				c = cmp.Compare(a.cells[col], b.cells[col])
			} else {
				c = cmp.Compare(number(t, a.cells[col]), number(t, b.cells[col]))
			}
			if c == 0 {
				c = cmp.Compare(a.product, b.product)
				if strings.HasPrefix(sort, "-") {
					c = -c
				}
			}
			if strings.HasPrefix(sort, "-") {
				return -c
			}
			return c
		})
		if !sorted {
			t.Fatalf("sort %s: rows out of order: %v", sort, all)
		}
		for _, row := range all {
			if number(t, row.cells[1]) != want[row.product] {
				t.Fatalf("sort %s: %s shows stock %q, stockctl stock says %v", sort, row.product, row.cells[1], want[row.product])
			}
		}
	}

	// Bad input is said on the page, next to the list, with 400.
	for path, msg := range map[string]string{
		"/products?sort=price": `sort &#34;price&#34;: use one of`,
		"/products?page=0":     `page &#34;0&#34;: use a page number from 1`,
		"/products?page=3":     `page 3: there are 2 pages of 51 products`,
	} {
		if r := s.get(path); r.status != 400 || !strings.Contains(r.body, msg) || !strings.Contains(r.body, `id="q"`) {
			t.Fatalf("%s: want 400 saying %q, got %d\n%s", path, msg, r.status, r.body)
		}
	}
}

// opKey is an operation as the operations page and an export both tell it.
func opKey(date, product string, signed, stock float64) string {
	return strings.TrimSuffix(date, " 00:00:00") + "|" + product + "|" + strconv.FormatFloat(signed, 'f', 2, 64) + "|" + strconv.FormatFloat(stock, 'f', 2, 64)
}

// pageKey is a page row's opKey.
func pageKey(t *testing.T, r listRow) string {
	t.Helper()
	q := number(t, r.cells[3])
	if r.cells[2] == "sale" {
		q = -q
	}
	return opKey(r.cells[0], r.product, q, number(t, r.cells[4]))
}

// walk reads every page of an operations list from path, following rel (next or prev),
// and returns the rows in the order read and the range texts shown.
func walk(t *testing.T, s *server, path, rel string) ([]string, []string) {
	t.Helper()
	var keys, ranges []string
	for path != "" {
		r := s.get(path)
		if r.status != 200 {
			t.Fatalf("%s: %d\n%s", path, r.status, r.body)
		}
		var page []string
		for _, row := range listRows(r.body) {
			page = append(page, pageKey(t, row))
		}
		if rel == "prev" {
			slices.Reverse(page)
		}
		keys = append(keys, page...)
		m := regexp.MustCompile(`<span>([^<]*)</span>`).FindStringSubmatch(r.body)
		if m == nil {
			t.Fatalf("%s: no range of rows shown\n%s", path, r.body)
		}
		ranges = append(ranges, m[1])
		path = relLink(r.body, rel)
	}
	return keys, ranges
}

// exportKeys returns `stockctl export --format json`'s operations with filter args as
// opKeys, in its order.
func exportKeys(t *testing.T, dir string, args ...string) []string {
	t.Helper()
	var keys []string
	for _, o := range exportJSON(t, dir, args...) {
		keys = append(keys, opKey(o.Date, o.Product, o.Qty, o.Stock))
	}
	return keys
}

type exportedOp struct {
	Date    string  `json:"operation_date"`
	Product string  `json:"product_ID"`
	Qty     float64 `json:"operation_qt"`
	Stock   float64 `json:"stock"`
	Type    string  `json:"operation_type"`
}

func exportJSON(t *testing.T, dir string, args ...string) []exportedOp {
	t.Helper()
	var ops []exportedOp
	if err := json.Unmarshal([]byte(mustRun(t, dir, append([]string{"export", "--format", "json"}, args...)...).stdout), &ops); err != nil {
		t.Fatal(err)
	}
	return ops
}

func urlQuery(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}
