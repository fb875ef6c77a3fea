package main_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestServeAPIStockAsOf: GET /api/stock?as_of= and ?as_known_at= answer the stock at that
// moment, the moment as understood beside it; a backdated restock shows that as_of is not
// now; a wrong value is a 400 naming its field. The product page lists the history latest
// business date first, with the balance in that order.
func TestServeAPIStockAsOf(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServe(t, dir, nil)
	for _, op := range []string{
		`{"product":"P","type":"restock","quantity":"10","date":"2024-05-01"}`,
		`{"product":"P","type":"sale","quantity":"4","date":"2024-05-02"}`,
		`{"product":"P","type":"restock","quantity":"3","date":"2024-04-15"}`,
	} {
		if r := s.post(op); r.status != 201 {
			t.Fatalf("POST %s: %d %s", op, r.status, r.body)
		}
	}
	type answer struct {
		Products  []map[string]any `json:"products"`
		AsOf      string           `json:"as_of"`
		AsKnownAt string           `json:"as_known_at"`
	}
	get := func(query string) answer {
		t.Helper()
		r := s.get("/api/stock?" + query)
		var a answer
		if err := json.Unmarshal([]byte(r.body), &a); r.status != 200 || err != nil {
			t.Fatalf("GET /api/stock?%s: %d %s", query, r.status, r.body)
		}
		return a
	}
	text := func(a answer) string {
		var out []string
		for _, p := range a.Products {
			out = append(out, p["product"].(string)+" "+p["stock"].(string)+" "+p["last_operation_date"].(string)[:10])
		}
		return strings.Join(out, ", ")
	}
	for _, tc := range []struct{ query, want, asOf, knownAt string }{
		{"product=P", "P 9.00 2024-05-02", "", ""},
		{"product=P&as_of=2024-04-30", "P 3.00 2024-04-15", "2024-04-30 23:59:59", ""},
		{"as_of=2024-05-01", "P 13.00 2024-05-01", "2024-05-01 23:59:59", ""},
		{"as_of=2024-04-14", "", "2024-04-14 23:59:59", ""},
		{"as_known_at=2000-01-01T00:00:00Z", "", "", "2000-01-01T00:00:00Z"},
		{"as_of=2024-05-01&as_known_at=2099-01-01T00:00:00Z", "P 13.00 2024-05-01", "2024-05-01 23:59:59", "2099-01-01T00:00:00Z"},
	} {
		a := get(tc.query)
		if got := text(a); got != tc.want || a.AsOf != tc.asOf || a.AsKnownAt != tc.knownAt {
			t.Errorf("GET /api/stock?%s: %q as_of %q as_known_at %q; want %q as_of %q as_known_at %q",
				tc.query, got, a.AsOf, a.AsKnownAt, tc.want, tc.asOf, tc.knownAt)
		}
		for _, p := range a.Products {
			if _, ok := p["operations"]; ok != (tc.asOf+tc.knownAt == "") {
				t.Errorf("GET /api/stock?%s: operations told %v, want only without a moment: %v", tc.query, ok, p)
			}
		}
	}
	for _, tc := range []struct{ query, field string }{
		{"as_of=2024-13-01", "as_of"},
		{"as_of=", "as_of"},
		{"product=P&as_known_at=soon", "as_known_at"},
	} {
		r := s.get("/api/stock?" + tc.query)
		if r.status != 400 {
			t.Errorf("GET /api/stock?%s: %d %s, want 400", tc.query, r.status, r.body)
			continue
		}
		if e := r.apiError(t).Error; e.Field != tc.field || e.Code != "invalid_date" || !strings.HasPrefix(e.Message, tc.field+": invalid date") {
			t.Errorf("GET /api/stock?%s: %+v, want field %s", tc.query, e, tc.field)
		}
	}

	page := s.get("/products/P")
	var rows []string
	for _, r := range historyRowRE.FindAllStringSubmatch(page.body, -1) {
		rows = append(rows, strings.Join(r[2:6], " "))
	}
	if got, want := strings.Join(rows, "; "), "2024-05-02 sale 4.00 9.00; 2024-05-01 restock 10.00 13.00; 2024-04-15 restock 3.00 3.00"; got != want ||
		!strings.Contains(page.body, "History, latest date first") {
		t.Errorf("product page history:\n got %s\nwant %s (under \"History, latest date first\")", got, want)
	}
}
