package main_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// recorded is the answer of POST /api/operations or /api/transfers.
type recorded struct {
	EventID         string `json:"event_id"`
	Type            string `json:"type"`
	Stock           string `json:"stock"`
	Location        string `json:"location"`
	To              string `json:"to"`
	LocationStock   string `json:"location_stock"`
	AlreadyRecorded bool   `json:"already_recorded"`
	Message         string `json:"message"`
}

func decodeRecorded(t *testing.T, r response, want int) recorded {
	t.Helper()
	var a recorded
	if err := json.Unmarshal([]byte(r.body), &a); err != nil || r.status != want || a.EventID == "" {
		t.Fatalf("want %d and a recorded operation, got %d (%v):\n%s", want, r.status, err, r.body)
	}
	return a
}

// TestServeLocationsAPI: GET /api/locations lists the locations with their stock;
// POST /api/transfers moves stock (201, the same Idempotency-Key again 200 and nothing
// new), refuses a source that lacks it (409), an unknown location (400, listing the
// open ones) and a missing one (400); POST /api/operations takes a location and answers
// it with the stock there.
func TestServeLocationsAPI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "location", "add", "north", "--name", "North warehouse")
	mustRun(t, dir, "restock", "P1", "10", "--date", "2024-05-01")
	s := startServe(t, dir, nil, "--operator", "manager")

	tr := decodeRecorded(t, s.postTo("/api/transfers", `{"product":"P1","quantity":"4","from":"main","to":"north","date":"2024-05-02"}`,
		"Idempotency-Key", "move-1"), 201)
	if tr.Type != "transfer" || tr.Location != "main" || tr.To != "north" || tr.Stock != "10.00" || tr.LocationStock != "6.00" {
		t.Errorf("the transfer's answer: %+v", tr)
	}
	again := decodeRecorded(t, s.postTo("/api/transfers", `{"product":"P1","quantity":"4","from":"main","to":"north","date":"2024-05-02"}`,
		"Idempotency-Key", "move-1"), 200)
	if !again.AlreadyRecorded || again.EventID != tr.EventID || again.To != "north" || !strings.Contains(again.Message, "from main to north") {
		t.Errorf("the same transfer again: %+v", again)
	}
	refused(t, s.postTo("/api/transfers", `{"product":"P1","quantity":"5","from":"north","to":"main"}`), 409, "insufficient_stock", "quantity")
	e := refused(t, s.postTo("/api/transfers", `{"product":"P1","quantity":"1","from":"main","to":"south"}`), 400, "unknown_location", "location")
	if !strings.Contains(e.Error.Message, "open locations: main, north") {
		t.Errorf("an unknown destination: %s", e.Error.Message)
	}
	refused(t, s.postTo("/api/transfers", `{"product":"P1","quantity":"1","from":"main"}`), 400, "invalid_location", "to")
	sale := decodeRecorded(t, s.postTo("/api/operations", `{"product":"P1","type":"sale","quantity":"3","location":"north","date":"2024-05-03"}`), 201)
	if sale.Location != "north" || sale.LocationStock != "1.00" || sale.Stock != "7.00" {
		t.Errorf("a sale in north: %+v", sale)
	}
	refused(t, s.postTo("/api/operations", `{"product":"P1","type":"sale","quantity":"2","location":"north"}`), 409, "insufficient_stock", "quantity")

	var body struct {
		Locations []struct {
			Location, Name, Status, Stock string
			Products                      int
		} `json:"locations"`
	}
	r := s.get("/api/locations")
	if err := json.Unmarshal([]byte(r.body), &body); err != nil || r.status != 200 {
		t.Fatalf("GET /api/locations: %d %v\n%s", r.status, err, r.body)
	}
	if len(body.Locations) != 2 || body.Locations[0].Location != "main" || body.Locations[0].Stock != "6.00" ||
		body.Locations[1].Name != "North warehouse" || body.Locations[1].Stock != "1.00" || body.Locations[1].Status != "open" {
		t.Errorf("GET /api/locations: %+v", body.Locations)
	}
	// The product page shows the stock per location, and the location of each row.
	page := s.get("/products/P1").body
	for _, want := range []string{`<tr data-location="main"><td>main</td><td class="num">6.00</td></tr>`,
		`<tr data-location="north"><td>north</td><td class="num">1.00</td></tr>`, `<span class="where">main→north</span>`} {
		if !strings.Contains(page, want) {
			t.Errorf("GET /products/P1 lacks %s", want)
		}
	}
}
