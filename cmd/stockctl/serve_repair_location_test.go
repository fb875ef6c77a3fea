package main_test

import (
	"encoding/json"
	"html"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestServeVoidPerLocation: the void page of a transfer words it from main to north with
// each place's stock before and after, and warns that north would go below zero; voiding it once north has sold the goods is
// refused with 409 and the rule's message, from the form and from the API, and nothing
// moves; the void page of a sale in north names north. A correction, a count, an
// adjustment and a void in north answer location north (a repeat too), a void of a
// transfer its source and destination, and the event stream tells each with them.
func TestServeVoidPerLocation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "location", "add", "north", "--name", "North warehouse")
	mustRun(t, dir, "restock", "P1", "10", "--date", "2024-05-01")
	transfer := eventIDOf(t, dir, "transfer", "P1", "4", "--from", "main", "--to", "north", "--date", "2024-05-02")
	sale := soldID(t, dir, "P1", "3", "--location", "north", "--date", "2024-05-03")
	s := startServe(t, dir, nil)
	c := client()

	voidURL := "/operations/" + transfer + "/void"
	page := s.do(c, "GET", "/products/P1", nil)
	if !strings.Contains(page.body, `href="`+voidURL+`"`) {
		t.Errorf("the product page of a product kept in two locations has no Void button for its transfer")
	}
	confirm := s.do(c, "GET", voidURL, nil)
	body := html.UnescapeString(confirm.body)
	for _, want := range []string{"Void the transfer of 4.00 of P1 from main to north?",
		"the stock of P1 in main goes from <strong>6.00</strong> to <strong>10.00</strong>; the stock of P1 in north goes from <strong>1.00</strong> to <strong>-3.00</strong>",
		"P1 in north would go below zero: the void will be refused."} {
		if confirm.status != 200 || !strings.Contains(body, want) {
			t.Errorf("the transfer's void page (%d) lacks %q:\n%.3000s", confirm.status, want, body)
		}
	}
	msg := "voiding this transfer would make the stock of P1 in north negative on 2024-05-03 (1.00 in stock then)"
	nonce, csrf := formOn(t, confirm.body, voidURL)
	r := s.postForm(c, voidURL, url.Values{"nonce": {nonce}, "csrf": {csrf}, "reason": {"never left"}})
	if r.status != 409 || !strings.Contains(html.UnescapeString(r.body), msg) {
		t.Errorf("voiding the transfer from its page: %d, want 409 with %q:\n%.3000s", r.status, msg, r.body)
	}
	e := refused(t, s.postTo("/api/operations/"+transfer+"/void", `{"reason":"never left"}`), 409, "insufficient_stock", "quantity")
	if !strings.Contains(e.Error.Message, msg) {
		t.Errorf("the API's refusal says %q, want %q", e.Error.Message, msg)
	}
	if got := strings.Join(byLocation(t, dir), ","); got != "P1 main 6.00,P1 north 1.00,P1 total 7.00" {
		t.Errorf("refused voids moved the stock: %s", got)
	}
	if body := html.UnescapeString(s.do(c, "GET", "/operations/"+sale+"/void", nil).body); !strings.Contains(body, "Void the sale of 3.00 of P1 in north?") {
		t.Errorf("the void page of a sale in north does not name north:\n%.2000s", body)
	}

	ev := s.subscribe()
	told := func(what string) {
		t.Helper()
		var op struct{ Type, Location, To string }
		_, data := ev.next(t, "operation", 10*time.Second)
		if err := json.Unmarshal([]byte(data), &op); err != nil || op.Type+" "+op.Location+" "+op.To != what {
			t.Errorf("the event stream tells %s, want %q (%v)", data, what, err)
		}
	}
	answered := func(a repairAnswer, what string) {
		t.Helper()
		if got := a.Type + " " + a.Location + " " + a.To; got != what {
			t.Errorf("the API answers a %s with location %q to %q, want %q", a.Type, a.Location, a.To, what)
		}
	}
	answered(repaired(t, s.postTo("/api/operations/"+sale+"/correct", `{"quantity":"2","reason":"typed 3 for 2"}`), 201), "correction north ")
	told("correction north ")
	answered(repaired(t, s.postTo("/api/counts", `{"product":"P1","quantity":"2","location":"north","reason":"shelf check"}`), 201), "count north ")
	told("count north ")
	adj := repaired(t, s.postTo("/api/adjustments", `{"product":"P1","quantity":"-1","location":"north","reason":"damaged"}`), 201)
	answered(adj, "adjustment north ")
	told("adjustment north ")
	key := []string{"Idempotency-Key", "void-adj-north"}
	answered(repaired(t, s.postTo("/api/operations/"+adj.EventID+"/void", `{"reason":"not broken"}`, key...), 201), "void north ")
	told("void north ")
	answered(repaired(t, s.postTo("/api/operations/"+adj.EventID+"/void", `{"reason":"not broken"}`, key...), 200), "void north ")
	back := eventIDOf(t, dir, "transfer", "P1", "1", "--from", "main", "--to", "north", "--date", "2024-05-04")
	told("transfer main north")
	answered(repaired(t, s.postTo("/api/operations/"+back+"/void", `{"reason":"never left"}`), 201), "void main north")
	told("void main north")
}
