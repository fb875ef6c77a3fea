package web

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stockctl/stockctl/reports"
)

// TestReportOptionsLinkAndWriteNumbers: every view of package reports the web shows gets
// links to the web's pages and the browser's way of writing numbers.
func TestReportOptionsLinkAndWriteNumbers(t *testing.T) {
	s := &Server{cfg: Config{LowCents: 500, Now: time.Now}}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Language", "de-DE")
	opt := s.reportOptions(r, reports.Filter{Products: []string{"P1"}})
	if opt.Links == nil || opt.Links.Product == nil {
		t.Fatal("no links")
	}
	for id, want := range map[string]string{"P1": "/products/P1", "a b": "/products/a%20b", "..": "/products/?id=.."} {
		if got := opt.Links.Product(id); got != want {
			t.Errorf("link to %q: %q, want %q", id, got, want)
		}
	}
	if opt.Links.Products != "/products" || opt.Links.Operations != "/operations" || opt.Links.NewOperation != "/operations/new" {
		t.Errorf("links %+v", *opt.Links)
	}
	if got := opt.Numbers.Fixed(123456789); got != "1.234.567,89" {
		t.Errorf("German numbers write %q", got)
	}
	if opt.LowCents != 500 || len(opt.Filter.Products) != 1 {
		t.Errorf("options %+v", opt)
	}
}

// TestResolveID: a typed ID in the dashboard's filter is the stored one it names: the
// same, else the one equal ignoring case, else the one equal ignoring dashes and spaces
// too; one naming several is refused with their names.
func TestResolveID(t *testing.T) {
	ids := []string{"AB", "Ab", "P-188", "P1", "x"}
	q := dashboardQuery{filter: reports.Filter{Products: []string{"p1", "P1", "zz", "X", "p188"}}}
	if err := q.resolve(ids); err != nil || q.Products != "P1, zz, x, P-188" {
		t.Errorf("the filter p1, P1, zz, X, p188 resolves to %q, %v", q.Products, err)
	}
	q = dashboardQuery{filter: reports.Filter{Products: []string{"ab"}}}
	if err := q.resolve(ids); err == nil || err.Error() != `products: product "ab" matches AB and Ab: give one of them` {
		t.Errorf("ab, with AB and Ab stored: %v", err)
	}
	if m := matchingProducts(ids, "Ab"); len(m) != 1 || m[0] != "Ab" {
		t.Errorf("Ab, stored, matches %v", m)
	}
}
