package main_test

import (
	"regexp"
	"testing"
)

// TestServeAPIJSONBytes pins the exact bytes of /api/stock and of a product's history on
// a small ledger: field names, order, which fields are left out when empty, and the
// indentation. web owns these rows, filled from the read model's in cmd/stockctl; a
// field renamed, reordered or dropped on either side changes these bytes. Only what
// differs between runs (event IDs, recording times, log positions) is masked.
func TestServeAPIJSONBytes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "10", "--date", "2024-05-01", "--operator", "ann")
	mustRun(t, dir, "sell", "P1", "3", "--date", "2024-05-02", "--operator", "bob", "--note", "counter")
	mustRun(t, dir, "restock", "P2", "2.5", "--date", "2024-05-04", "--operator", "ann")
	s := startServe(t, dir, nil)

	masks := []struct {
		re   *regexp.Regexp
		with string
	}{
		{regexp.MustCompile(`"event_id": "[^"]+"`), `"event_id": "ID"`},
		{regexp.MustCompile(`"recorded_at": "[^"]+"`), `"recorded_at": "T"`},
		{regexp.MustCompile(`"(partition|offset)": \d+`), `"$1": N`},
	}
	mask := func(body string) string {
		for _, m := range masks {
			body = m.re.ReplaceAllString(body, m.with)
		}
		return body
	}
	for _, tc := range []struct{ path, want string }{
		{"/api/stock", `{
  "products": [
    {
      "product": "P1",
      "stock": "7.00",
      "operations": 2,
      "last_operation_date": "2024-05-02 00:00:00"
    },
    {
      "product": "P2",
      "stock": "2.50",
      "operations": 1,
      "last_operation_date": "2024-05-04 00:00:00"
    }
  ]
}
`},
		{"/api/products/P1/history", `{
  "operations": [
    {
      "date": "2024-05-01 00:00:00",
      "type": "restock",
      "quantity": "10.00",
      "stock": "10.00",
      "status": "accepted",
      "recorded_at": "T",
      "recorded_by": "ann",
      "event_id": "ID",
      "partition": N,
      "offset": N,
      "location": "main"
    },
    {
      "date": "2024-05-02 00:00:00",
      "type": "sale",
      "quantity": "3.00",
      "stock": "7.00",
      "status": "accepted",
      "recorded_at": "T",
      "recorded_by": "bob",
      "note": "counter",
      "event_id": "ID",
      "partition": N,
      "offset": N,
      "location": "main"
    }
  ],
  "product": "P1",
  "stock": "7.00"
}
`},
	} {
		r := s.get(tc.path)
		if got := mask(r.body); r.status != 200 || got != tc.want {
			t.Errorf("GET %s: %d\n%s\nwant\n%s", tc.path, r.status, got, tc.want)
		}
	}
}
