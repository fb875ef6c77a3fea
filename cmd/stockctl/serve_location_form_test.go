package main_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
)

// placesOf returns each location's stock, from GET /api/locations.
func (s *server) placesOf() map[string]string {
	s.t.Helper()
	var body struct {
		Locations []struct{ Location, Stock string } `json:"locations"`
	}
	r := s.get("/api/locations")
	if err := json.Unmarshal([]byte(r.body), &body); err != nil || r.status != 200 {
		s.t.Fatalf("GET /api/locations: %d %v\n%s", r.status, err, r.body)
	}
	out := make(map[string]string)
	for _, l := range body.Locations {
		out[l.Location] = l.Stock
	}
	return out
}

// TestServeLocationFormsMainOnly: while main is the only location, the entry, count
// and adjust forms have no location field and the product page no Move stock box (the
// forms stay as they were), and the transfer form says there is nowhere to move to.
func TestServeLocationFormsMainOnly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "10", "--date", "2024-05-01")
	s := startServe(t, dir, nil)
	for _, path := range []string{"/operations/new", "/products/P1"} {
		if page := s.get(path).body; strings.Contains(page, `name="location"`) || strings.Contains(page, `id="move-box"`) {
			t.Errorf("%s with main alone shows a location field or the Move stock box", path)
		}
	}
	if page := s.get("/transfers/new?product=P1"); page.status != 200 || !strings.Contains(page.body, "only one location, main") ||
		strings.Contains(page.body, `action="/transfers"`) {
		t.Errorf("the transfer form with main alone: %d\n%.1500s", page.status, page.body)
	}
}

// TestServeLocationForms: with several locations the forms offer the open ones (with
// their names, not a closed one); a bad or closed location posted is 400 with the open
// ones listed and nothing written; a sale, a count and an adjustment land where picked;
// the transfer form moves stock (one transfer, on the event stream with its location
// and destination) and refuses in plain words: 409 when the source lacks the stock,
// 400 for an unknown location or the same one twice, nothing moved.
func TestServeLocationForms(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "location", "add", "north", "--name", "North warehouse")
	mustRun(t, dir, "location", "add", "old", "--name", "Old shed")
	mustRun(t, dir, "location", "close", "old")
	mustRun(t, dir, "restock", "P1", "10", "--date", "2024-05-01")
	s := startServe(t, dir, nil, "--operator", "manager")
	c := client()

	page := s.do(c, "GET", "/products/P1", nil).body
	for _, want := range []string{`<select id="location" name="location"`, `<select id="count-location" name="location"`,
		`<select id="adjust-location" name="location"`, `<option value="north">north · North warehouse</option>`, `in stock: 10.00 in all locations`,
		`id="move-box"`, `href="/transfers/new?product=P1"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the product page lacks %s", want)
		}
	}
	if entry := s.get("/operations/new").body; !strings.Contains(entry, `<a href="/transfers/new">Move stock</a>`) ||
		!strings.Contains(entry, `<select id="location" name="location"`) {
		t.Error("the entry form has no location select or no way to the transfer form")
	}
	if strings.Contains(page, `value="old"`) {
		t.Error("the closed location old is offered")
	}
	post := func(action string, v url.Values) response {
		t.Helper()
		nonce, csrf := formOn(t, s.do(c, "GET", "/products/P1", nil).body, action)
		v.Set("nonce", nonce)
		v.Set("csrf", csrf)
		v.Set("product", "P1")
		return s.postForm(c, action, v)
	}
	unchanged := func(what string) {
		t.Helper()
		if got := s.placesOf(); got["main"] != "10.00" || got["north"] != "0.00" {
			t.Fatalf("%s wrote something: %v", what, got)
		}
	}
	for _, bad := range []struct{ action, id, location string }{{"/operations", "location", "south"}, {"/operations", "location", "old"},
		{"/counts", "count-location", "south"}, {"/adjustments", "adjust-location", "old"}} {
		r := post(bad.action, url.Values{"type": {"sale"}, "quantity": {"1"}, "reason": {"damaged"}, "location": {bad.location}})
		if e, ok := fieldError(r.body, bad.id); r.status != 400 || !ok || !strings.Contains(e, "open locations: main, north") {
			t.Errorf("%s in %s: %d %q", bad.action, bad.location, r.status, e)
		}
		unchanged(bad.action + " in " + bad.location)
	}
	if r := post("/operations", url.Values{"type": {"sale"}, "quantity": {"1"}, "location": {"north"}}); r.status != 409 {
		t.Errorf("a sale in north, which holds nothing: %d", r.status)
	}
	unchanged("a refused sale in north")
	if r := post("/adjustments", url.Values{"quantity": {"2"}, "direction": {"in"}, "reason": {"found"}, "location": {"north"}}); r.status != 303 {
		t.Fatalf("an adjustment in north: %d\n%.1500s", r.status, r.body)
	}
	if r := post("/counts", url.Values{"quantity": {"9"}, "location": {"main"}}); r.status != 303 {
		t.Fatalf("a count in main: %d\n%.1500s", r.status, r.body)
	}
	if got := s.placesOf(); got["main"] != "9.00" || got["north"] != "2.00" {
		t.Fatalf("after an adjustment in north and a count in main: %v", got)
	}
	a := repaired(t, s.postTo("/api/counts", `{"product":"P1","quantity":"2","location":"north"}`), 201)
	var withLoc struct{ Location string }
	json.Unmarshal([]byte(s.postTo("/api/adjustments", `{"product":"P1","quantity":"-1","reason":"damaged","location":"north"}`).body), &withLoc)
	if withLoc.Location != "north" || !strings.Contains(a.Message, "north") {
		t.Errorf("the API's count and adjustment in north: %+v, %q", a, withLoc.Location)
	}
	refused(t, s.postTo("/api/counts", `{"product":"P1","quantity":"2","location":"south"}`), 400, "unknown_location", "location")
	// Now main 9, north 1.

	form := s.do(c, "GET", "/transfers/new?product=P1", nil)
	for _, want := range []string{`<select id="from" name="from"`, `<select id="to" name="to"`, `<option value="main" selected>`,
		`<option value="north" selected>north · North warehouse</option>`, `<tr data-location="north"><td>north</td><td class="num">1.00</td></tr>`} {
		if !strings.Contains(form.body, want) {
			t.Errorf("the transfer form lacks %s", want)
		}
	}
	move := func(v url.Values) response {
		t.Helper()
		nonce, csrf := formOn(t, s.do(c, "GET", "/transfers/new", nil).body, "/transfers")
		v.Set("nonce", nonce)
		v.Set("csrf", csrf)
		return s.postForm(c, "/transfers", v)
	}
	still := func(what string) {
		t.Helper()
		if got := s.placesOf(); got["main"] != "9.00" || got["north"] != "1.00" {
			t.Fatalf("%s moved something: %v", what, got)
		}
	}
	r := move(url.Values{"product": {"P1"}, "quantity": {"3"}, "from": {"north"}, "to": {"main"}})
	if e, ok := fieldError(r.body, "quantity"); r.status != 409 || !ok || !strings.Contains(e, "only 1.00 of P1 in north on "+time.Now().UTC().Format("2006-01-02")) {
		t.Errorf("moving 3 out of north, which holds 1: %d %q", r.status, e)
	}
	still("a refused transfer")
	r = move(url.Values{"product": {"P1"}, "quantity": {"1"}, "from": {"main"}, "to": {"south"}})
	if e, ok := fieldError(r.body, "to"); r.status != 400 || !ok || !strings.Contains(e, `&#34;south&#34; is not a location. Open locations: main, north.`) {
		t.Errorf("a transfer to south: %d %q", r.status, e)
	}
	r = move(url.Values{"product": {"P1"}, "quantity": {"1"}, "from": {"old"}, "to": {"north"}})
	if e, ok := fieldError(r.body, "from"); r.status != 400 || !ok || !strings.Contains(e, "main, north") {
		t.Errorf("a transfer from the closed old: %d %q", r.status, e)
	}
	r = move(url.Values{"product": {"P1"}, "quantity": {"1"}, "from": {"north"}, "to": {"north"}})
	if e, ok := fieldError(r.body, "to"); r.status != 400 || !ok || !strings.Contains(e, "already in north") {
		t.Errorf("a transfer from north to north: %d %q", r.status, e)
	}
	still("refused transfers")

	ev := s.subscribe()
	r = move(url.Values{"product": {"P1"}, "quantity": {"4"}, "from": {"main"}, "to": {"north"}})
	if r.status != 303 || !strings.HasPrefix(r.header.Get("Location"), "/products/P1?recorded=") {
		t.Fatalf("a transfer of 4 from main to north: %d\n%.1500s", r.status, r.body)
	}
	if shown := s.do(c, "GET", r.header.Get("Location"), nil).body; !strings.Contains(shown, `Moved 4.00 of &#34;P1&#34; from main to north on `) {
		t.Errorf("the product page after the transfer does not say what moved")
	}
	if got := s.placesOf(); got["main"] != "5.00" || got["north"] != "5.00" {
		t.Fatalf("after moving 4 from main to north: %v", got)
	}
	var op struct{ Type, Location, To, Quantity string }
	_, data := ev.next(t, "operation", 10*time.Second)
	if err := json.Unmarshal([]byte(data), &op); err != nil || op.Type != "transfer" || op.Location != "main" || op.To != "north" || op.Quantity != "4.00" {
		t.Errorf("the event stream tells the transfer as %s (%v)", data, err)
	}
}
