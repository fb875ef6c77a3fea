package main_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// operationResponse is the body of a recorded POST /api/operations.
type operationResponse struct {
	EventID         string `json:"event_id"`
	Product         string `json:"product"`
	Type            string `json:"type"`
	Quantity        string `json:"quantity"`
	Stock           string `json:"stock"`
	AlreadyRecorded bool   `json:"already_recorded"`
	Message         string `json:"message"`
}

func decodeOperation(t *testing.T, r response) operationResponse {
	t.Helper()
	var o operationResponse
	if err := json.Unmarshal([]byte(r.body), &o); err != nil || o.EventID == "" {
		t.Fatalf("not a recorded operation (%v): %d\n%s", err, r.status, r.body)
	}
	return o
}

// cliMessage is what stockctl printed for an error, without its "stockctl: " prefix.
func cliMessage(r result) string {
	return strings.TrimPrefix(strings.TrimSpace(r.stderr), "stockctl: ")
}

// TestServeAPI checks every API route, its status codes and its error shape, and that
// the API decides and words things as the CLI does.
func TestServeAPI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServe(t, dir, nil)

	if r := s.post(`{"product":"P1","type":"restock","quantity":"10","date":"2024-05-01"}`); r.status != 201 || decodeOperation(t, r).Stock != "10.00" {
		t.Fatalf("restock: %d %s", r.status, r.body)
	}
	if o := decodeOperation(t, s.post(`{"product":"P1","type":"sale","quantity":3}`)); o.Stock != "7.00" || o.Type != "sale" {
		t.Fatalf("sale: %+v", o)
	}

	// Refused by the ledger: 409, with the CLI's words for the same refusal.
	cli := run(t, dir, "sell", "P1", "8")
	if cli.code != 1 {
		t.Fatalf("want exit 1 from the CLI, got %v", cli)
	}
	r := s.post(`{"product":"P1","type":"sale","quantity":"8"}`)
	if e := r.apiError(t); r.status != 409 || e.Error.Code != "insufficient_stock" || e.Error.Field != "quantity" || e.Error.Message != cliMessage(cli) {
		t.Fatalf("oversale: %d %+v; the CLI said %q", r.status, e.Error, cliMessage(cli))
	}

	cliComma := run(t, dir, "sell", "P1", "12,5")
	for _, tc := range []struct {
		name, body string
		header     []string
		status     int
		code       string
		field      string
		message    string // when set, the exact message
	}{
		{"comma for decimals", `{"product":"P1","type":"sale","quantity":"12,5"}`, nil, 400, "invalid_quantity", "quantity", strings.TrimPrefix(cliMessage(cliComma), "sell: ")},
		{"zero quantity", `{"product":"P1","type":"sale","quantity":0}`, nil, 400, "invalid_quantity", "quantity", ""},
		{"quantity in exponent form", `{"product":"P1","type":"sale","quantity":1e3}`, nil, 400, "invalid_quantity", "quantity", ""},
		{"quantity as an object", `{"product":"P1","type":"sale","quantity":{"n":1}}`, nil, 400, "invalid_quantity", "quantity", ""},
		{"empty product", `{"product":"","type":"sale","quantity":"1"}`, nil, 400, "invalid_product", "product", ""},
		{"65-character product", `{"product":"` + strings.Repeat("p", 65) + `","type":"sale","quantity":"1"}`, nil, 400, "invalid_product", "product", ""},
		{"unknown type", `{"product":"P1","type":"steal","quantity":"1"}`, nil, 400, "invalid_type", "type", ""},
		{"31 February", `{"product":"P1","type":"sale","quantity":"1","date":"2024-02-31"}`, nil, 400, "invalid_date", "date", ""},
		{"501-character note", `{"product":"P1","type":"sale","quantity":"1","note":"` + strings.Repeat("n", 501) + `"}`, nil, 400, "invalid_input", "note", "note has 501 characters, at most 500 allowed"},
		{"control character in operator", `{"product":"P1","type":"sale","quantity":"1","operator":"a\u0007"}`, nil, 400, "invalid_input", "operator", ""},
		{"unknown field", `{"product":"P1","type":"sale","quantity":"1","price":3}`, nil, 400, "invalid_json", "", ""},
		{"not JSON", `product=P1`, nil, 400, "invalid_json", "", ""},
		{"two JSON values", `{"product":"P1","type":"sale","quantity":"1"} {}`, nil, 400, "invalid_json", "", ""},
		{"101-character idempotency key", `{"product":"P1","type":"sale","quantity":"1"}`, []string{"Idempotency-Key", strings.Repeat("k", 101)}, 400, "invalid_input", "idempotency_key", ""},
		{"form content type", `{"product":"P1","type":"sale","quantity":"1"}`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media_type", "", ""},
		{"100 KB body", `{"product":"P1","type":"sale","quantity":"1","note":"` + strings.Repeat("n", 100_000) + `"}`, nil, 413, "too_large", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.post(tc.body, tc.header...)
			e := r.apiError(t)
			if r.status != tc.status || e.Error.Code != tc.code || e.Error.Field != tc.field {
				t.Fatalf("got %d %+v, want %d %s field %q", r.status, e.Error, tc.status, tc.code, tc.field)
			}
			if tc.message != "" && e.Error.Message != tc.message {
				t.Fatalf("message %q, want %q", e.Error.Message, tc.message)
			}
		})
	}

	// An Idempotency-Key records once; used again for another operation, it is refused.
	first := s.post(`{"product":"P1","type":"sale","quantity":"1"}`, "Idempotency-Key", "order-1182")
	again := s.post(`{"product":"P1","type":"sale","quantity":"1"}`, "Idempotency-Key", "order-1182")
	if first.status != 201 || again.status != 200 || !decodeOperation(t, again).AlreadyRecorded ||
		decodeOperation(t, first).EventID != decodeOperation(t, again).EventID {
		t.Fatalf("idempotent retry: %d %s / %d %s", first.status, first.body, again.status, again.body)
	}
	if r := s.post(`{"product":"P1","type":"sale","quantity":"2"}`, "Idempotency-Key", "order-1182"); r.status != 400 || r.apiError(t).Error.Code != "idempotency_key_reused" {
		t.Fatalf("key reused for another operation: %d %s", r.status, r.body)
	}
	// The CLI's key and the API's are one: the same operation is already recorded.
	if cli := mustRun(t, dir, "sell", "P1", "1", "--idempotency-key", "order-1182"); !strings.Contains(cli.stdout, "already recorded") {
		t.Fatalf("the CLI recorded the API's operation again: %v", cli)
	}
	if h := history(t, dir, "P1"); len(h) != 3 || h[2].Stock != "6.00" {
		t.Fatalf("history after the refused requests: %+v", h)
	}

	var stock struct {
		Products []stockLevel `json:"products"`
	}
	r = s.get("/api/stock")
	if err := json.Unmarshal([]byte(r.body), &stock); r.status != 200 || err != nil || len(stock.Products) != 1 || stock.Products[0].Stock != "6.00" {
		t.Fatalf("GET /api/stock: %d %s", r.status, r.body)
	}
	if r := s.get("/api/stock?product=NOPE"); r.status != 200 || !strings.Contains(r.body, `"products": []`) {
		t.Fatalf("GET /api/stock?product=NOPE: %d %s", r.status, r.body)
	}
	var hist struct {
		Product    string         `json:"product"`
		Stock      string         `json:"stock"`
		Operations []historyEntry `json:"operations"`
	}
	r = s.get("/api/products/P1/history")
	if err := json.Unmarshal([]byte(r.body), &hist); r.status != 200 || err != nil || hist.Stock != "6.00" || len(hist.Operations) != 3 {
		t.Fatalf("GET /api/products/P1/history: %d %s", r.status, r.body)
	}

	for _, tc := range []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"GET", "/api/stock?product=" + strings.Repeat("p", 65), 400, "invalid_product", ""},
		{"GET", "/api/products/NOPE/history", 404, "unknown_product", ""},
		{"GET", "/api/products/" + strings.Repeat("p", 65) + "/history", 400, "invalid_product", ""},
		{"DELETE", "/api/stock", 405, "method_not_allowed", "GET"},
		{"GET", "/api/operations", 400, "invalid_format", ""}, // a download needs ?format=
		{"PUT", "/api/operations", 405, "method_not_allowed", "GET, HEAD, POST"},
		{"POST", "/api/events", 405, "method_not_allowed", "GET"},
		{"GET", "/api/nothing", 404, "not_found", ""},
	} {
		r := s.do(nil, tc.method, tc.path, nil)
		if e := r.apiError(t); r.status != tc.status || e.Error.Code != tc.code || r.header.Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d %+v Allow %q, want %d %s", tc.method, tc.path, r.status, e.Error, r.header.Get("Allow"), tc.status, tc.code)
		}
	}
}

// TestServePages checks every page route: status, type and what it must show.
func TestServePages(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "10", "--date", "2024-05-01")
	mustRun(t, dir, "sell", "P1", "4", "--date", "2024-05-02", "--note", "<script>alert(1)</script>")
	mustRun(t, dir, "restock", "Q1", "5", "--date", "2024-05-01")
	s := startServe(t, dir, nil)
	long := strings.Repeat("p", 65)
	for _, tc := range []struct {
		path   string
		status int
		ctype  string
		want   []string
	}{
		{"/", 200, "text/html", []string{"Stock dashboard", `data-live="/fragments/dashboard"`, `<tr data-product="P1"><td><a href="/products/P1">P1</a></td><td class="num" data-stock>6.00</td>`, "<svg", "&lt;script&gt;"}},
		{"/?from=2024-05-02&to=2024-05-31&products=P1", 200, "text/html", []string{`data-live="/fragments/dashboard?from=2024-05-02&amp;products=P1&amp;to=2024-05-31"`, "Operations from 2024-05-02 to 2024-05-31 of P1"}},
		{"/?from=2024-13-01", 400, "text/html", []string{`from &#34;2024-13-01&#34;: use a date YYYY-MM-DD`}},
		{"/?from=2024-05-02&to=2024-05-01", 400, "text/html", []string{"is before from"}},
		{"/?products=" + long, 400, "text/html", []string{"65 characters"}},
		{"/fragments/dashboard?products=P1", 200, "text/html", []string{"data-stock", "<svg"}},
		{"/fragments/dashboard?to=x", 400, "text/plain", nil},
		{"/products/P1", 200, "text/html", []string{"Product P1", "In stock: <strong data-stock-now>6.00</strong>", `name="csrf"`, "History", "&lt;script&gt;alert(1)&lt;/script&gt;"}},
		{"/products/NEW", 200, "text/html", []string{"none recorded", "new product"}},
		{"/products/P1", 200, "text/html", []string{"2 accepted operations, the last dated"}},
		{"/products/Q1", 200, "text/html", []string{"1 accepted operation, the last dated"}},
		{"/products/" + long, 400, "text/html", []string{"65 characters"}},
		{"/fragments/products/P1", 200, "text/html", []string{"data-stock-now", "<svg"}},
		{"/fragments/products/" + long, 400, "text/plain", nil},
		{"/operations/new", 200, "text/html", []string{`name="nonce"`, `name="csrf"`, `<option value="P1">6.00 in stock</option>`}},
		{"/operations/new?product=P1", 200, "text/html", []string{"in stock: 6.00"}},
		{"/assets/app.js", 200, "text/javascript", []string{"EventSource"}},
		{"/assets/style.css", 200, "text/css", []string{".cards"}},
		{"/assets/nothing.js", 404, "text/html", nil},
		{"/nothing", 404, "text/html", []string{"No page at /nothing"}},
	} {
		r := s.get(tc.path)
		if r.status != tc.status || !strings.HasPrefix(r.header.Get("Content-Type"), tc.ctype) {
			t.Errorf("GET %s: %d %q, want %d %s\n%.300s", tc.path, r.status, r.header.Get("Content-Type"), tc.status, tc.ctype, r.body)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(r.body, w) {
				t.Errorf("GET %s lacks %q", tc.path, w)
			}
		}
		if strings.Contains(r.body, "<script>alert(1)") {
			t.Errorf("GET %s shows a note as markup", tc.path)
		}
		// A repeated id breaks labels and scripts: the product page's live part once took
		// the form's id="product", and the Product field lost its label.
		ids := map[string]bool{}
		for _, m := range regexp.MustCompile(` id="([^"]+)"`).FindAllStringSubmatch(r.body, -1) {
			if ids[m[1]] {
				t.Errorf("GET %s: two elements have id=%q", tc.path, m[1])
			}
			ids[m[1]] = true
		}
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("GET %s: Content-Security-Policy %q", tc.path, csp)
		}
	}
	if r := s.get("/"); !strings.HasPrefix(r.header.Get("Server-Timing"), "render;dur=") {
		t.Errorf("the dashboard does not report its render time: %q", r.header.Get("Server-Timing"))
	}
	// Served on loopback without a token, it answers only to loopback names: a page on
	// another site cannot read it through DNS rebinding.
	for _, path := range []string{"/", "/api/stock"} {
		if r := s.get(path, "Host", "evil.example:80"); r.status != 403 {
			t.Errorf("GET %s with Host evil.example: %d", path, r.status)
		}
	}
	if r := s.get("/api/stock", "Host", "evil.example"); r.apiError(t).Error.Code != "forbidden_host" {
		t.Errorf("refused host: %s", r.body)
	}
	if r := s.get("/", "Host", "localhost:8501"); r.status != 200 {
		t.Errorf("GET / with Host localhost: %d", r.status)
	}
}

var (
	nonceField = regexp.MustCompile(`name="nonce" value="([^"]+)"`)
	csrfField  = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
)

// entryForm fetches a new entry form and returns its nonce and CSRF token.
func (s *server) entryForm(c *http.Client) (nonce, csrf string) {
	s.t.Helper()
	r := s.do(c, "GET", "/operations/new", nil)
	n, k := nonceField.FindStringSubmatch(r.body), csrfField.FindStringSubmatch(r.body)
	if r.status != 200 || n == nil || k == nil {
		s.t.Fatalf("GET /operations/new: %d, no nonce or csrf\n%.500s", r.status, r.body)
	}
	return n[1], k[1]
}

func (s *server) submit(c *http.Client, form url.Values, header ...string) response {
	s.t.Helper()
	return s.do(c, "POST", "/operations", strings.NewReader(form.Encode()), append([]string{"Content-Type", "application/x-www-form-urlencoded"}, header...)...)
}

// TestServeForm records through the entry form: errors next to their field with what
// was typed kept, a double submit recorded once, CSRF refused.
func TestServeForm(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "10")
	s := startServe(t, dir, nil)
	c := client()

	nonce, csrf := s.entryForm(c)
	form := url.Values{"nonce": {nonce}, "csrf": {csrf}, "product": {"P1"}, "type": {"sale"}, "quantity": {"2"}, "note": {"counter sale"}}
	r := s.submit(c, form)
	loc := r.header.Get("Location")
	if r.status != http.StatusSeeOther || loc != "/products/P1?recorded="+url.QueryEscape(nonce) {
		t.Fatalf("submit: %d Location %q\n%.300s", r.status, loc, r.body)
	}
	if page := s.do(c, "GET", loc, nil); !strings.Contains(page.body, "Sold 2.00 of &#34;P1&#34;") || !strings.Contains(page.body, "stock after it: 8.00") {
		t.Fatalf("the product page does not confirm the sale:\n%.2000s", page.body)
	}
	// The back button and a second click send the same form again: recorded once.
	r = s.submit(c, form)
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "again=1") {
		t.Fatalf("second submit: %d %q", r.status, r.header.Get("Location"))
	}
	if page := s.do(c, "GET", r.header.Get("Location"), nil); !strings.Contains(page.body, "already submitted; it was recorded once") {
		t.Fatal("the second submit is not told it was recorded once")
	}
	nonce2, csrf2 := s.entryForm(c)
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := url.Values{"nonce": {nonce2}, "csrf": {csrf2}, "product": {"P1"}, "type": {"restock"}, "quantity": {"1"}}
			r, err := s.try(client(), "POST", "/operations", strings.NewReader(f.Encode()), "Content-Type", "application/x-www-form-urlencoded")
			if err != nil {
				t.Errorf("concurrent submit of one form: %v%s", err, s.exitReport())
			} else if r.status != http.StatusSeeOther {
				t.Errorf("concurrent submit of one form: %d", r.status)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if h := history(t, dir, "P1"); len(h) != 3 || h[1].Note != "counter sale" || h[1].RecordedBy != "web" || h[2].Stock != "9.00" {
		t.Fatalf("want restock, one sale and one restock, got %+v", h)
	}

	cliComma := run(t, dir, "sell", "P1", "12,5")
	for _, tc := range []struct {
		name   string
		set    map[string]string
		status int
		field  string
		want   string
	}{
		{"comma for decimals", map[string]string{"quantity": "12,5"}, 400, "quantity", strings.TrimPrefix(cliMessage(cliComma), "sell: ")},
		{"oversale", map[string]string{"quantity": "100"}, 409, "quantity", "insufficient stock for &#34;P1&#34;: 9.00 available, 100.00 requested"},
		{"no product", map[string]string{"product": ""}, 400, "product", "invalid product ID"},
		{"no type", map[string]string{"type": ""}, 400, "type", "give &#34;sale&#34; or &#34;restock&#34;"},
		{"bad date", map[string]string{"date": "31/02/2024"}, 400, "date", "invalid date"},
		{"long note", map[string]string{"note": strings.Repeat("n", 501)}, 400, "note", "note has 501 characters, at most 500 allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nonce, csrf := s.entryForm(c)
			f := url.Values{"nonce": {nonce}, "csrf": {csrf}, "product": {"P1"}, "type": {"sale"}, "quantity": {"1"}}
			for k, v := range tc.set {
				f.Set(k, v)
			}
			r := s.submit(c, f)
			m := regexp.MustCompile(`id="` + tc.field + `-error">([^<]*)<`).FindStringSubmatch(r.body)
			if r.status != tc.status || m == nil || !strings.Contains(m[1], strings.ReplaceAll(tc.want, `"`, "&#34;")) {
				t.Fatalf("got %d, error next to %s: %v, want %q\n%.3000s", r.status, tc.field, m, tc.want, r.body)
			}
			if !strings.Contains(r.body, `value="`+nonce+`"`) || (tc.set["quantity"] != "" && !strings.Contains(r.body, `value="`+tc.set["quantity"]+`"`)) {
				t.Fatal("the form lost its nonce or what was typed")
			}
		})
	}

	// Forged, missing or cross-site: refused, nothing recorded.
	nonce, csrf = s.entryForm(c)
	ok := url.Values{"nonce": {nonce}, "csrf": {csrf}, "product": {"P1"}, "type": {"sale"}, "quantity": {"1"}}
	for _, tc := range []struct {
		name   string
		form   url.Values
		header []string
	}{
		{"forged token", url.Values{"nonce": {nonce}, "csrf": {"AAAA" + csrf[4:]}, "product": {"P1"}, "type": {"sale"}, "quantity": {"1"}}, nil},
		{"no token", url.Values{"nonce": {nonce}, "product": {"P1"}, "type": {"sale"}, "quantity": {"1"}}, nil},
		{"another form's nonce", url.Values{"nonce": {nonce2}, "csrf": {csrf}, "product": {"P1"}, "type": {"sale"}, "quantity": {"1"}}, nil},
		{"cross-site", ok, []string{"Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site"}},
	} {
		if r := s.submit(c, tc.form, tc.header...); r.status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", tc.name, r.status)
		}
	}
	if r := s.post(`{"product":"P1","type":"sale","quantity":"1"}`, "Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden ||
		r.apiError(t).Error.Code != "cross_origin" {
		t.Errorf("cross-site API post: %d %s, want 403 cross_origin", r.status, r.body)
	}
	if h := history(t, dir, "P1"); len(h) != 3 {
		t.Fatalf("refused forms recorded something: %+v", h)
	}
}

// TestServeToken: any address but loopback needs a token; with one, every request must
// carry it.
func TestServeToken(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, args := range [][]string{{"serve", "--listen", "0.0.0.0:0"}, {"serve", "--listen", ":8501"}, {"serve", "--token", "short"}} {
		if r := run(t, dir, args...); r.code != 2 || !strings.Contains(r.stderr, "--token") {
			t.Errorf("want exit 2 naming --token, got %v", r)
		}
	}
	const token = "s3cret-token-for-tests"
	s := startServe(t, dir, []string{"STOCKCTL_TOKEN=" + token}, "--listen", "0.0.0.0:0")
	s.url = strings.Replace(s.url, "0.0.0.0", "127.0.0.1", 1)
	for _, tc := range []struct {
		path   string
		header []string
		status int
	}{
		{"/api/stock", nil, 401},
		{"/api/stock", []string{"Authorization", "Bearer wrong-token-of-same-size"}, 401},
		{"/api/stock", []string{"Authorization", "Bearer " + token}, 200},
		{"/api/events", nil, 401},
		{"/", nil, 401},
		{"/operations/new", []string{"Authorization", "Bearer " + token[:len(token)-1]}, 401},
		{"/?token=nope", nil, 401},
		{"/", []string{"Authorization", "Bearer " + token, "Host", "stock.example.com"}, 200},
	} {
		r := s.get(tc.path, tc.header...)
		if r.status != tc.status {
			t.Errorf("GET %s %v: %d, want %d", tc.path, tc.header, r.status, tc.status)
		}
		if r.status == 401 && strings.HasPrefix(tc.path, "/api/") && r.apiError(t).Error.Code != "unauthorized" {
			t.Errorf("GET %s: %s", tc.path, r.body)
		}
	}
	if r := s.post(`{"product":"P1","type":"restock","quantity":"1"}`); r.status != 401 {
		t.Errorf("POST without the token: %d", r.status)
	}
	// A browser opens the page once with ?token=: a cookie keeps it and the address drops it.
	c := client()
	r := s.do(c, "GET", "/?token="+token+"&products=P1", nil)
	if loginTarget(t, r) != "/?products=P1" || !strings.Contains(r.header.Get("Set-Cookie"), "HttpOnly") ||
		!strings.Contains(r.header.Get("Set-Cookie"), "SameSite=Strict") || strings.Contains(r.header.Get("Set-Cookie"), "Secure") ||
		strings.Contains(r.header.Get("Set-Cookie"), token) {
		t.Fatalf("login with ?token=: %d %q Set-Cookie %q", r.status, loginTarget(t, r), r.header.Get("Set-Cookie"))
	}
	if r := s.do(c, "GET", "/?products=P1", nil); r.status != 200 {
		t.Fatalf("with the cookie: %d", r.status)
	}
	// The redirect stays on this server.
	if r := s.get("//evil.example/x?token=" + token); loginTarget(t, r) != "/evil.example/x" {
		t.Fatalf("login at //evil.example/x: %d %q", r.status, loginTarget(t, r))
	}
	if r := run(t, dir, "history", "P1"); r.code != 1 {
		t.Fatalf("unauthorised requests recorded something: %v", r)
	}
}

// TestServeLiveEvents: whoever writes, this server's API or another process, the
// event stream tells every subscriber.
func TestServeLiveEvents(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServe(t, dir, nil)
	a, b := s.subscribe(), s.subscribe()
	mustRun(t, dir, "restock", "P1", "5", "--operator", "cli")
	for _, ev := range []*events{a, b} {
		_, data := ev.next(t, "operation", 20*time.Second)
		if !strings.Contains(data, `"product":"P1","type":"restock","quantity":"5.00","stock":"5.00","status":"accepted"`) || !strings.Contains(data, `"recorded_by":"cli"`) {
			t.Fatalf("operation event: %s", data)
		}
		ev.next(t, "change", 20*time.Second)
	}
	decodeOperation(t, s.post(`{"product":"P1","type":"sale","quantity":"2"}`))
	if _, data := a.next(t, "operation", 20*time.Second); !strings.Contains(data, `"type":"sale","quantity":"2.00","stock":"3.00"`) {
		t.Fatalf("operation event: %s", data)
	}
	// A writer with a read model of its own, as on another host: the server learns of
	// its sale from the log alone.
	other := filepath.Join(t.TempDir(), "other.db")
	mustRun(t, dir, "--db", other, "sell", "P1", "1", "--operator", "elsewhere")
	if _, data := a.next(t, "operation", 20*time.Second); !strings.Contains(data, `"stock":"2.00"`) || !strings.Contains(data, `"recorded_by":"elsewhere"`) {
		t.Fatalf("operation event: %s", data)
	}
}

// TestServeConcurrentPOSTs: 50 sales of one unit at once on a product holding 25: every
// request is answered, 25 are recorded and 25 refused, and stock ends at zero.
func TestServeConcurrentPOSTs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServe(t, dir, nil)
	decodeOperation(t, s.post(`{"product":"HOT","type":"restock","quantity":"25"}`))
	statuses := make(chan response, 50)
	errs := make(chan error, 50)
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := s.tryPost(`{"product":"HOT","type":"sale","quantity":"1"}`)
			if err != nil {
				errs <- err
				return
			}
			statuses <- r
		}()
	}
	wg.Wait()
	close(statuses)
	close(errs)
	if err := <-errs; err != nil {
		t.Fatalf("%d of 50 requests got no answer; the first: %v%s", len(errs)+1, err, s.exitReport())
	}
	counts := map[string]int{}
	for r := range statuses {
		switch r.status {
		case 201:
			counts["201"]++
		case 409:
			counts["409 "+r.apiError(t).Error.Code]++
		default:
			t.Errorf("unexpected answer %d %s", r.status, r.body)
		}
	}
	if counts["201"] != 25 || counts["409 insufficient_stock"] != 25 {
		t.Fatalf("answers %v, want 25 recorded and 25 refused for insufficient stock", counts)
	}
	h := history(t, dir, "HOT")
	accepted := 0
	for _, e := range h {
		if e.Status == "accepted" {
			accepted++
		}
	}
	if accepted != 26 || h[len(h)-1].Stock != "0.00" {
		t.Fatalf("want 26 accepted operations ending at 0.00, got %d: %+v", accepted, h[len(h)-1])
	}
	if r := mustRun(t, dir, "verify"); !strings.Contains(r.stdout, "verified") {
		t.Fatal(r)
	}
}

// TestServeStopsCleanly: SIGTERM ends the event streams and the process, exit 0, with
// the read model intact.
func TestServeStopsCleanly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServe(t, dir, nil)
	ev := s.subscribe()
	decodeOperation(t, s.post(`{"product":"P1","type":"restock","quantity":"3"}`))
	if code := s.stop(syscall.SIGTERM); code != 0 || !strings.Contains(s.output(), "stopped; the read model is intact") {
		t.Fatalf("exit %d\n%s", code, s.output())
	}
	ev.end(t, 20*time.Second)
	if r := mustRun(t, dir, "verify"); !strings.Contains(r.stdout, "verified") {
		t.Fatal(r)
	}
	if levels := stockLevels(t, dir, "P1"); len(levels) != 1 || levels[0].Stock != "3.00" {
		t.Fatalf("stock after restart: %+v", levels)
	}
}
