package main_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// repairAnswer is the body of an accepted repair from the API.
type repairAnswer struct {
	EventID         string `json:"event_id"`
	Type            string `json:"type"`
	Product         string `json:"product"`
	Location        string `json:"location"`
	To              string `json:"to"`
	Target          string `json:"target"`
	Quantity        string `json:"quantity"`
	Delta           string `json:"delta"`
	Expected        string `json:"expected"`
	Date            string `json:"date"`
	Reason          string `json:"reason"`
	Stock           string `json:"stock"`
	AlreadyRecorded bool   `json:"already_recorded"`
	Message         string `json:"message"`
}

// postTo sends a JSON body to an API route.
func (s *server) postTo(path, body string, header ...string) response {
	s.t.Helper()
	return s.do(nil, "POST", path, strings.NewReader(body), append([]string{"Content-Type", "application/json"}, header...)...)
}

// repaired decodes an accepted repair, failing unless the status is want.
func repaired(t *testing.T, r response, want int) repairAnswer {
	t.Helper()
	var a repairAnswer
	if err := json.Unmarshal([]byte(r.body), &a); err != nil || r.status != want || a.EventID == "" {
		t.Fatalf("want %d and a recorded repair, got %d (%v):\n%s", want, r.status, err, r.body)
	}
	return a
}

// refused checks an API error's status, code and field.
func refused(t *testing.T, r response, status int, code, field string) apiErrorBody {
	t.Helper()
	if r.status != status {
		t.Fatalf("want %d %s, got %d:\n%s", status, code, r.status, r.body)
	}
	e := r.apiError(t)
	if e.Error.Code != code || e.Error.Field != field {
		t.Fatalf("want code %q field %q, got %q %q: %s", code, field, e.Error.Code, e.Error.Field, e.Error.Message)
	}
	return e
}

// soldID records a sale through the CLI and returns its event ID.
func soldID(t *testing.T, dir string, args ...string) string {
	t.Helper()
	r := mustRun(t, dir, append([]string{"sell", "-o", "json"}, args...)...)
	var o struct {
		EventID string `json:"event_id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &o); err != nil || o.EventID == "" {
		t.Fatalf("sell -o json: %v\n%v", err, r)
	}
	return o.EventID
}

// apiStock reads one product's stock from GET /api/stock.
func (s *server) apiStock(product string) string {
	s.t.Helper()
	r := s.get("/api/stock?product=" + product)
	var body struct {
		Products []struct {
			Stock string `json:"stock"`
		} `json:"products"`
	}
	if err := json.Unmarshal([]byte(r.body), &body); err != nil || len(body.Products) != 1 {
		s.t.Fatalf("GET /api/stock?product=%s: %v\n%s", product, err, r.body)
	}
	return body.Products[0].Stock
}

// TestServeRepairAPI: POST /api/operations/{event_id}/void and /correct, /api/counts and
// /api/adjustments record through the same rules as the CLI, answer 201 (200 for a
// repeat under the same Idempotency-Key), and refuse with the CLI's codes: 409 for what
// the ledger refuses, 400 for bad input, with nothing written.
func TestServeRepairAPI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "10", "--date", "2024-05-01")
	typo := soldID(t, dir, "P1", "3", "--date", "2024-05-02")
	second := soldID(t, dir, "P1", "2", "--date", "2024-05-03")
	mustRun(t, dir, "restock", "P2", "5", "--date", "2024-05-01")
	mustRun(t, dir, "sell", "P2", "5", "--date", "2024-05-02")
	s := startServe(t, dir, nil)

	// A void by an 8-character prefix, then the same request again: recorded once.
	void := `{"reason":"typed 3 for 0","operator":"alice"}`
	a := repaired(t, s.postTo("/api/operations/"+typo[:8]+"/void", void, "Idempotency-Key", "fix-1"), 201)
	if a.Type != "void" || a.Target != typo || a.Delta != "+3.00" || a.Stock != "8.00" || a.Product != "P1" || a.Reason != "typed 3 for 0" ||
		!strings.HasPrefix(a.Message, `voided the sale of 3.00 of "P1"`) {
		t.Fatalf("void: %+v", a)
	}
	again := repaired(t, s.postTo("/api/operations/"+typo+"/void", void, "Idempotency-Key", "fix-1"), 200)
	if !again.AlreadyRecorded || again.EventID != a.EventID || again.Stock != "8.00" {
		t.Fatalf("the same void again: %+v", again)
	}
	// Refusals: 409 with the CLI's codes.
	e := refused(t, s.postTo("/api/operations/"+typo+"/void", void), 409, "already_voided", "event_id")
	if !strings.Contains(e.Error.Message, a.EventID) {
		t.Errorf("already voided does not name the void: %s", e.Error.Message)
	}
	refused(t, s.postTo("/api/operations/00000000-0000-4000-8000-000000000000/void", void), 409, "no_such_operation", "event_id")
	e = refused(t, s.postTo("/api/operations/"+historyID(t, dir, "P2", "restock")+"/void", void), 409, "insufficient_stock", "quantity")
	if !strings.Contains(e.Error.Message, `voiding this restock would make the stock of P2 negative on 2024-05-02`) {
		t.Errorf("void of a restock whose units were sold: %s", e.Error.Message)
	}
	// Bad input: 400, nothing written.
	refused(t, s.postTo("/api/operations/"+second+"/void", `{}`), 400, "invalid_reason", "reason")
	refused(t, s.postTo("/api/operations/"+second+"/void", `{"reason":"   "}`), 400, "invalid_reason", "reason")
	refused(t, s.postTo("/api/operations/"+second+"/void", `{"reason":"x","why":"y"}`), 400, "invalid_json", "")
	refused(t, s.postTo("/api/operations/"+second+"/void", `{"reason":`), 400, "invalid_json", "reason")
	refused(t, s.postTo("/api/operations/abc/void", void), 400, "ambiguous_event_id", "event_id")
	if r := s.do(nil, "POST", "/api/operations/"+second+"/void", strings.NewReader(void)); r.status != 415 {
		t.Errorf("a void without Content-Type: %d", r.status)
	}
	if r := s.get("/api/operations/" + second + "/void"); r.status != 405 || r.header.Get("Allow") != "POST" {
		t.Errorf("GET on the void route: %d Allow %q", r.status, r.header.Get("Allow"))
	}
	if got := s.apiStock("P1"); got != "8.00" {
		t.Fatalf("stock after refused voids: %s, want 8.00", got)
	}

	// A correction: the sale of 2 was 1.
	c := repaired(t, s.postTo("/api/operations/"+second+"/correct", `{"quantity":"1","reason":"typed 2 for 1"}`), 201)
	if c.Type != "correction" || c.Target != second || c.Quantity != "1.00" || c.Delta != "+1.00" || c.Stock != "9.00" {
		t.Fatalf("correction: %+v", c)
	}
	refused(t, s.postTo("/api/operations/"+second+"/correct", `{"quantity":"1","reason":"again"}`), 409, "already_voided", "event_id")
	refused(t, s.postTo("/api/operations/"+c.EventID+"/correct", `{"quantity":"-1","reason":"x"}`), 400, "invalid_quantity", "quantity")
	refused(t, s.postTo("/api/operations/"+c.EventID+"/correct", `{"quantity":"1"}`), 400, "invalid_reason", "reason")

	// A count of 7 where the ledger holds 9: -2 recorded, and 0 allowed.
	n := repaired(t, s.postTo("/api/counts", `{"product":"P1","quantity":7,"date":"2024-05-04","reason":"shelf count"}`, "Idempotency-Key", "count-1"), 201)
	if n.Type != "count" || n.Quantity != "7.00" || n.Expected != "9.00" || n.Delta != "-2.00" || n.Stock != "7.00" {
		t.Fatalf("count: %+v", n)
	}
	if again := repaired(t, s.postTo("/api/counts", `{"product":"P1","quantity":7,"date":"2024-05-04","reason":"shelf count"}`, "Idempotency-Key", "count-1"), 200); !again.AlreadyRecorded || again.EventID != n.EventID {
		t.Fatalf("the same count again: %+v", again)
	}
	refused(t, s.postTo("/api/counts", `{"product":"P1","quantity":"7","date":"2024-05-04"}`, "Idempotency-Key", "fix-1"), 400, "idempotency_key_reused", "idempotency_key")
	refused(t, s.postTo("/api/counts", `{"product":"P1","quantity":"abc"}`), 400, "invalid_quantity", "quantity")
	refused(t, s.postTo("/api/counts", `{"product":"","quantity":"1"}`), 400, "invalid_product", "product")
	refused(t, s.postTo("/api/counts", `{"product":"P1","quantity":"1","date":"2024-02-30"}`), 400, "invalid_date", "date")
	// P2's 5 were sold on 05-02: a count of 0 on 05-01 would leave that sale short.
	e = refused(t, s.postTo("/api/counts", `{"product":"P2","quantity":"0","date":"2024-05-01"}`), 409, "insufficient_stock", "quantity")
	if !strings.Contains(e.Error.Message, "2024-05-02") {
		t.Errorf("a count that makes a later balance negative does not name the date: %s", e.Error.Message)
	}
	zero := repaired(t, s.postTo("/api/counts", `{"product":"P2","quantity":"0"}`), 201)
	if zero.Delta != "0.00" || zero.Stock != "0.00" {
		t.Fatalf("a count that matches: %+v", zero)
	}

	// Adjustments, signed or with a direction.
	d := repaired(t, s.postTo("/api/adjustments", `{"product":"P1","quantity":"-2","reason":"damaged","note":"dropped"}`, "Idempotency-Key", "adj-1"), 201)
	if d.Type != "adjustment" || d.Delta != "-2.00" || d.Stock != "5.00" || d.Reason != "damaged" {
		t.Fatalf("adjustment: %+v", d)
	}
	if again := repaired(t, s.postTo("/api/adjustments", `{"product":"P1","quantity":"-2","reason":"damaged","note":"dropped"}`, "Idempotency-Key", "adj-1"), 200); !again.AlreadyRecorded {
		t.Fatalf("the same adjustment again: %+v", again)
	}
	if f := repaired(t, s.postTo("/api/adjustments", `{"product":"P1","quantity":"1","direction":"in","reason":"found"}`), 201); f.Delta != "+1.00" || f.Stock != "6.00" {
		t.Fatalf("adjustment in: %+v", f)
	}
	refused(t, s.postTo("/api/adjustments", `{"product":"P1","quantity":"1","reason":"broken"}`), 400, "invalid_reason", "reason")
	refused(t, s.postTo("/api/adjustments", `{"product":"P1","quantity":"-1","direction":"in","reason":"lost"}`), 400, "invalid_direction", "direction")
	refused(t, s.postTo("/api/adjustments", `{"product":"P1","quantity":"1","direction":"up","reason":"lost"}`), 400, "invalid_direction", "direction")
	refused(t, s.postTo("/api/adjustments", `{"product":"P1","quantity":"50","direction":"out","reason":"lost"}`), 409, "insufficient_stock", "quantity")
	if got := s.apiStock("P1"); got != "6.00" {
		t.Fatalf("stock after the repairs: %s, want 6.00", got)
	}
	// The CLI sees what the API recorded.
	if levels := stockLevels(t, dir, "P1"); len(levels) != 1 || levels[0].Stock != "6.00" {
		t.Fatalf("stockctl stock P1: %+v", levels)
	}
}

// historyID returns the event ID of product's first operation of typ, from the CLI.
func historyID(t *testing.T, dir, product, typ string) string {
	t.Helper()
	r := mustRun(t, dir, "history", "--output", "json", product)
	var entries []struct {
		Type    string `json:"type"`
		EventID string `json:"event_id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Type == typ {
			return e.EventID
		}
	}
	t.Fatalf("no %s in the history of %s", typ, product)
	return ""
}
