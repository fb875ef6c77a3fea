package main_test

import (
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// productsOf returns the product IDs of `stockctl stock`, in its order.
func productsOf(t *testing.T, dir string) []string {
	t.Helper()
	var ids []string
	for _, l := range stockLevels(t, dir) {
		ids = append(ids, l.Product)
	}
	return ids
}

// TestLookAlikeProductIDs: with P1 in stock, restocks that would create p1, "P 1", P-1 or
// Cyrillic Р1 are refused with exit 2 and nothing appended; full-width, invisible and
// mixed-script IDs are refused as invalid; --new-product creates the look-alike; a sale
// of a never-restocked look-alike says which product was probably meant; NFD "Café" is
// the NFC product.
func TestLookAlikeProductIDs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "--date", "2024-05-01", "P1", "10")
	mustRun(t, dir, "restock", "--date", "2024-05-01", "Caf\u00e9", "5")
	wantProducts := []string{"Caf\u00e9", "P1"}
	wantP1 := history(t, dir, "P1")

	lookAlike := func(id string) string {
		return `restock: product "` + id + `" is new, but "P1" exists: did you mean "P1"? Add --new-product to create it`
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"lower case", []string{"restock", "p1", "5"}, lookAlike("p1")},
		{"space inside", []string{"restock", "P 1", "5"}, lookAlike("P 1")},
		{"dash inside", []string{"restock", "P-1", "5"}, lookAlike("P-1")},
		{"wholly Cyrillic Р1", []string{"restock", "\u04201", "5"}, lookAlike("\u04201")},
		{"wholly Greek Ρ1", []string{"restock", "\u03a11", "5"}, lookAlike("\u03a11")},
		{"full-width P1", []string{"restock", "P\uff11", "5"}, `restock: invalid product ID: "P１" uses compatibility characters (full-width or styled letters and digits, ligatures, superscripts); use "P1"`},
		{"full-width P1 sold", []string{"sell", "P\uff11", "1"}, `sell: invalid product ID: "P１" uses compatibility characters`},
		{"Hangul filler U+3164", []string{"restock", "\u3164", "5"}, `restock: invalid product ID: "ㅤ" has the invisible or blank character U+3164 at position 1; remove it`},
		{"Hangul filler inside", []string{"restock", "P\u31641", "5"}, `invisible or blank character U+3164 at position 2`},
		{"braille blank U+2800", []string{"restock", "\u2800", "5"}, `invisible or blank character U+2800 at position 1`},
		{"variation selector", []string{"restock", "Q1\ufe0f", "5"}, `invisible or blank character U+FE0F at position 3`},
		{"Cyrillic letter among Latin ones", []string{"restock", "\u0420RO1", "5"}, `restock: invalid product ID: "РRO1" mixes Cyrillic and Latin letters: Cyrillic "Р" (U+0420) looks like Latin "P"; write it in one script`},
		{"Greek letter among Latin ones", []string{"sell", "P\u039f1", "1"}, `mixes Greek and Latin letters`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, dir, tc.args...)
			if r.code != 2 || !strings.Contains(cliMessage(r), tc.want) {
				t.Errorf("want exit 2 and %q, got %v", tc.want, r)
			}
			if r.stdout != "" {
				t.Errorf("want nothing on stdout, got %q", r.stdout)
			}
			if got := productsOf(t, dir); !slices.Equal(got, wantProducts) {
				t.Errorf("products changed: want %q, got %q", wantProducts, got)
				wantProducts = got
			}
		})
	}
	if got := history(t, dir, "P1"); !slices.Equal(got, wantP1) {
		t.Fatalf("P1's history changed: %+v", got)
	}

	// A sale of a product never restocked that looks like one in stock: exit 1, as
	// before, with a hint.
	r := run(t, dir, "sell", "p1", "1")
	if want := `sell: insufficient stock for "p1": it has never been restocked (0.00 available, 1.00 requested); did you mean "P1"?`; r.code != 1 || cliMessage(r) != want {
		t.Errorf("sell p1: want exit 1 and %q, got %v", want, r)
	}
	if r := run(t, dir, "sell", "Z9", "1"); r.code != 1 || strings.Contains(r.stderr, "did you mean") {
		t.Errorf("sell Z9: want exit 1 without a hint, got %v", r)
	}

	// The decomposed spelling of Café is the same product.
	r = mustRun(t, dir, "sell", "Cafe\u0301", "2")
	if !strings.Contains(r.stdout, `sold 2.00 of "Caf`+"\u00e9"+`"`) || !strings.Contains(r.stdout, "stock now 3.00") {
		t.Errorf("sell of NFD Café: %v", r)
	}
	if h := history(t, dir, "Cafe\u0301"); len(h) != 2 {
		t.Errorf("history of NFD Café: want the NFC product's 2 operations, got %+v", h)
	}

	// --new-product creates the look-alike; restocking it again needs no flag.
	mustRun(t, dir, "restock", "--new-product", "p1", "4")
	mustRun(t, dir, "restock", "p1", "1")
	if levels := stockLevels(t, dir); len(levels) != 3 || levels[1].Product != "P1" || levels[1].Stock != "10.00" || levels[2].Product != "p1" || levels[2].Stock != "5.00" {
		t.Errorf("after --new-product: %+v; want Café, P1 at 10.00 and p1 at 5.00", levels)
	}
	if r := run(t, dir, "sell", "--new-product", "P1", "1"); r.code != 2 || !strings.Contains(r.stderr, "flag provided but not defined: -new-product") {
		t.Errorf("sell --new-product: want a usage error, got %v", r)
	}
}

// TestImportLookAlikeProductIDs: an import whose rows create a product that looks like
// one in the ledger, or like another new product of the same file, is refused with exit 2
// before anything is appended, unless --new-product; IDs are read in NFC and full-width
// ones are invalid rows.
func TestImportLookAlikeProductIDs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "--date", "2024-05-01", "P1", "10")
	write := func(name, rows string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("operation_date;product_ID;operation_qt\n"+rows), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for _, tc := range []struct {
		name, rows, want string
	}{
		{"look-alike of a ledger product", "02/05/2024;P1;1\n02/05/2024;Q1;3\n03/05/2024;p 1;2\n",
			`import: line 4: product "p 1" is new, but "P1" exists: did you mean "P1"? Add --new-product to create it`},
		{"two new look-alikes in one file", "02/05/2024;Q1;3\n02/05/2024;R1;3\n03/05/2024;q1;2\n",
			`import: line 4: product "q1" is new, and so is "Q1" on line 2, which looks the same: did you mean "Q1"? Add --new-product to create both`},
		{"Cyrillic look-alike", "02/05/2024;\u04201;1\n",
			`import: line 2: product "Р1" is new, but "P1" exists`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := write(strings.ReplaceAll(tc.name, " ", "-")+".csv", tc.rows)
			for _, args := range [][]string{{"import", path}, {"import", "--dry-run", path}} {
				r := run(t, dir, args...)
				if r.code != 2 || !strings.HasPrefix(cliMessage(r), tc.want) {
					t.Errorf("want exit 2 and %q, got %v", tc.want, r)
				}
			}
			if got := productsOf(t, dir); !slices.Equal(got, []string{"P1"}) {
				t.Fatalf("the refused import appended: products %q", got)
			}
			if h := history(t, dir, "P1"); len(h) != 1 {
				t.Fatalf("the refused import appended to P1: %+v", h)
			}
		})
	}

	// A sale row of a look-alike is refused like any sale of an unknown product, with the hint.
	r := run(t, dir, "import", write("sale.csv", "02/05/2024;p1;-1\n"))
	if r.code != 1 || !strings.Contains(r.stderr, `refused: line 2: insufficient stock for "p1": it has never been restocked (0.00 available, 1.00 requested); did you mean "P1"?`) {
		t.Errorf("import of a sale of p1: %v", r)
	}

	// Full-width digits are an invalid row.
	r = run(t, dir, "import", write("wide.csv", "02/05/2024;P\uff12;1\n"))
	if r.code != 2 || !strings.Contains(r.stderr, `line 2: product: invalid product ID: "P２" uses compatibility characters`) {
		t.Errorf("import of a full-width ID: %v", r)
	}

	path := write("new.csv", "02/05/2024;Q1;3\n02/05/2024;q1;2\n03/05/2024;p1;1\n04/05/2024;Cafe\u0301;1\n")
	mustRun(t, dir, "import", "--new-product", path)
	if got, want := productsOf(t, dir), []string{"Caf\u00e9", "P1", "Q1", "p1", "q1"}; !slices.Equal(got, want) {
		t.Fatalf("after import --new-product: products %q, want %q", got, want)
	}
}

// TestServeLookAlikeProductIDs: the JSON API and the entry form refuse a new look-alike
// product as the CLI does (400, code look_alike_product), and create it with
// "new_product": true or the form's checkbox; IDs are stored in NFC.
func TestServeLookAlikeProductIDs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "10")
	s := startServe(t, dir, nil)

	cli := run(t, dir, "restock", "p1", "5")
	r := s.post(`{"product":"p1","type":"restock","quantity":"5"}`)
	e := r.apiError(t)
	wantAPI := strings.Replace(cliMessage(cli), "Add --new-product", `Set "new_product": true`, 1)
	if r.status != 400 || e.Error.Code != "look_alike_product" || e.Error.Field != "product" || e.Error.Message != wantAPI {
		t.Fatalf("API restock of p1: %d %+v; want 400 look_alike_product %q (the CLI said %q)", r.status, e.Error, wantAPI, cliMessage(cli))
	}
	r = s.post(`{"product":"P\uff11","type":"restock","quantity":"5"}`)
	if e := r.apiError(t); r.status != 400 || e.Error.Code != "invalid_product" || !strings.Contains(e.Error.Message, `use \"P1\"`) && !strings.Contains(e.Error.Message, `use "P1"`) {
		t.Fatalf("API restock of full-width P1: %d %+v", r.status, e.Error)
	}
	if o := decodeOperation(t, s.post(`{"product":"Cafe\u0301","type":"restock","quantity":"2"}`)); o.Product != "Caf\u00e9" {
		t.Fatalf("API restock of NFD Café stored %q, want NFC", o.Product)
	}
	if got := productsOf(t, dir); !slices.Equal(got, []string{"Caf\u00e9", "P1"}) {
		t.Fatalf("products after the refusals: %q", got)
	}
	// Pages and the API read a typed ID as the CLI's stock and history do: NFD Café is Café.
	for _, path := range []string{"/api/products/Cafe%CC%81/history", "/products/Cafe%CC%81", "/api/stock?product=Cafe%CC%81"} {
		if r := s.do(client(), "GET", path, nil); r.status != 200 || !strings.Contains(r.body, "2.00") {
			t.Errorf("GET %s: %d %.200s; want 200 with Café's stock 2.00", path, r.status, r.body)
		}
	}
	if o := decodeOperation(t, s.post(`{"product":"p1","type":"restock","quantity":"5","new_product":true}`)); o.Product != "p1" || o.Stock != "5.00" {
		t.Fatalf("API restock of p1 with new_product: %+v", o)
	}

	c := client()
	nonce, csrf := s.entryForm(c)
	if page := s.do(c, "GET", "/operations/new", nil); !strings.Contains(page.body, `name="new_product"`) {
		t.Fatal("the entry form has no new_product checkbox")
	}
	form := url.Values{"nonce": {nonce}, "csrf": {csrf}, "product": {"P 1"}, "type": {"restock"}, "quantity": {"1"}}
	r = s.submit(c, form)
	// The form's words are the CLI's less the command's prefix (the form names the operation).
	want := `product "P 1" is new, but "P1" exists: did you mean "P1"? Tick "this is a new product" to create it`
	if r.status != http.StatusBadRequest || !strings.Contains(html.UnescapeString(r.body), `<p class="error" id="product-error">`+want) {
		t.Fatalf("form restock of \"P 1\": %d, want 400 showing %q\n%.3000s", r.status, want, r.body)
	}
	form.Set("new_product", "1")
	if r = s.submit(c, form); r.status != http.StatusSeeOther {
		t.Fatalf("form restock of \"P 1\" with the box ticked: %d\n%.2000s", r.status, r.body)
	}
	if got := productsOf(t, dir); !slices.Equal(got, []string{"Caf\u00e9", "P 1", "P1", "p1"}) {
		t.Fatalf("products: %q", got)
	}
}
