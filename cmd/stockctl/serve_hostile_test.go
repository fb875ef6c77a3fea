package main_test

import (
	"bufio"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawGet sends target as the request line's target byte for byte (a Go client would
// escape a backslash or refuse a tab) and reads the answer.
func (s *server) rawGet(target string) response {
	s.t.Helper()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(s.url, "http://"), 10*time.Second)
	if err != nil {
		s.t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", target)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		s.t.Fatalf("GET %q: %v", target, err)
	}
	defer res.Body.Close()
	var b strings.Builder
	if _, err := bufio.NewReader(res.Body).WriteTo(&b); err != nil {
		s.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b.String()}
}

var refreshTo = regexp.MustCompile(`<meta http-equiv="refresh" content="0; url=([^"]*)">`)

// loginTarget checks that r is the answer to a ?token= login and returns where it sends
// the browser on to.
func loginTarget(t *testing.T, r response) string {
	t.Helper()
	m := refreshTo.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil || r.header.Get("Location") != "" {
		t.Fatalf("login: %d Location %q, want 200 with a meta refresh\n%s", r.status, r.header.Get("Location"), r.body)
	}
	return html.UnescapeString(m[1])
}

// TestServeLoginRedirect: the login with ?token= sends the browser on only to a path on
// this server, whatever the path it came with, and sets a Strict cookie, Secure with
// --secure-cookie.
func TestServeLoginRedirect(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const token = "s3cret-token-for-tests"
	s := startServe(t, dir, []string{"STOCKCTL_TOKEN=" + token}, "--secure-cookie")
	for _, tc := range []struct{ target, want string }{
		{`/%5Cevil.example`, `/%5Cevil.example`},
		{`/\evil.example`, `/%5Cevil.example`},
		{`/%5C%5Cevil.example`, `/%5C%5Cevil.example`},
		{`/%09/evil.example`, `/%09/evil.example`},
		{`/%2F%2Fevil.example`, `/%2F%2Fevil.example`},
		{`//evil.example/x`, `/evil.example/x`},
		{`///evil.example`, `/evil.example`},
		{`/./%2E//evil.example`, `/evil.example`},
		{`/a/%2E%2E/%2E%2E//evil.example`, `/evil.example`},
		{`/%0D%0ALocation:%20http://evil.example`, `/%0D%0ALocation:%20http:/evil.example`},
		{`/%0a/evil.example`, `/%0A/evil.example`},
		{`/%20/evil.example`, `/%20/evil.example`},
		{`/products/P%2F1`, `/products/P%2F1`},
		{`/products/`, `/products/`},
	} {
		r := s.rawGet(tc.target + "?products=P1&token=" + token)
		got := loginTarget(t, r)
		if got != tc.want+"?products=P1" {
			t.Errorf("login at %q sends on to %q, want %q", tc.target, got, tc.want+"?products=P1")
		}
		// What a browser makes of it: it drops tabs, CR and LF, and reads "\" as "/".
		seen := strings.NewReplacer("\t", "", "\r", "", "\n", "", `\`, "/").Replace(got)
		if !strings.HasPrefix(seen, "/") || strings.HasPrefix(seen, "//") || strings.ContainsFunc(got, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			t.Errorf("login at %q sends on to %q, another host for a browser", tc.target, got)
		}
		c := r.header.Get("Set-Cookie")
		for _, attr := range []string{"HttpOnly", "SameSite=Strict", "Secure", "Path=/"} {
			if !strings.Contains(c, attr) {
				t.Errorf("login cookie %q lacks %s", c, attr)
			}
		}
	}
}

// TestServeStrictJSON: the API refuses member names that do not match exactly, unknown
// and duplicate members, and strings that are not UTF-8, naming the member; nothing is
// recorded.
func TestServeStrictJSON(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "10")
	mustRun(t, dir, "restock", "P2", "10")
	s := startServe(t, dir, nil)
	for _, tc := range []struct{ name, body, field, message string }{
		{"duplicate member", `{"product":"P1","type":"sale","quantity":"1","product":"P2"}`, "product", `"product" is given more than once`},
		{"member in capitals after the right one", `{"product":"P1","type":"sale","quantity":"1","PRODUCT":"P2"}`, "", `unknown member "PRODUCT": names are matched exactly; did you mean "product"?`},
		{"member in another case", `{"Product":"P1","type":"sale","quantity":"1"}`, "", `unknown member "Product"`},
		{"duplicate quantity", `{"product":"P1","type":"sale","quantity":"1","quantity":"9"}`, "quantity", `"quantity" is given more than once`},
		{"unknown member", `{"product":"P1","type":"sale","quantity":"1","price":3}`, "", `unknown member "price": give product, type, quantity, date, note, operator`},
		{"invalid UTF-8 in product", "{\"product\":\"P\xff1\",\"type\":\"sale\",\"quantity\":\"1\"}", "product", `"product" is not valid UTF-8`},
		{"lone surrogate in product", `{"product":"P\ud8001","type":"sale","quantity":"1"}`, "product", `"product" is not valid UTF-8`},
		{"invalid UTF-8 in note", "{\"product\":\"P1\",\"type\":\"sale\",\"quantity\":\"1\",\"note\":\"a\xc3\"}", "note", `"note" is not valid UTF-8`},
		{"lone low surrogate in operator", `{"product":"P1","type":"sale","quantity":"1","operator":"\udc00"}`, "operator", `"operator" is not valid UTF-8`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.post(tc.body)
			e := r.apiError(t)
			if r.status != 400 || e.Error.Code != "invalid_json" || e.Error.Field != tc.field || !strings.Contains(e.Error.Message, tc.message) {
				t.Fatalf("got %d %+v, want 400 invalid_json field %q with %q", r.status, e.Error, tc.field, tc.message)
			}
		})
	}
	// A surrogate pair is one valid character.
	if r := s.post(`{"product":"P1","type":"sale","quantity":"1","note":"\ud83d\udce6"}`); r.status != 201 {
		t.Fatalf("a note with an escaped surrogate pair: %d %s", r.status, r.body)
	}
	if levels := stockLevels(t, dir); len(levels) != 2 || levels[0].Stock != "9.00" || levels[1].Stock != "10.00" {
		t.Fatalf("refused bodies recorded something: %+v", levels)
	}
	// The form posts what the browser sends as bytes: not UTF-8, refused as by the CLI.
	c := client()
	for _, field := range []string{"product", "note", "operator"} {
		nonce, csrf := s.entryForm(c)
		f := url.Values{"nonce": {nonce}, "csrf": {csrf}, "product": {"P1"}, "type": {"sale"}, "quantity": {"1"}}
		f.Set(field, "P\xff1")
		if r := s.submit(c, f); r.status != 400 || !strings.Contains(r.body, `id="`+field+`-error"`) {
			t.Errorf("form with invalid UTF-8 in %s: %d\n%.2000s", field, r.status, r.body)
		}
	}
	if levels := stockLevels(t, dir); len(levels) != 2 || levels[0].Stock != "9.00" {
		t.Fatalf("refused forms recorded something: %+v", levels)
	}
}

// TestServeIdempotencyKeyReused: a key given again with another date or note is refused
// as the CLI refuses it; without a date, or with the same one, it is the same operation.
func TestServeIdempotencyKeyReused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServe(t, dir, nil)
	key := []string{"Idempotency-Key", "order-7"}
	if r := s.post(`{"product":"P1","type":"restock","quantity":"10","date":"2024-05-01","note":"po 7"}`, key...); r.status != 201 {
		t.Fatalf("restock: %d %s", r.status, r.body)
	}
	cli := run(t, dir, "restock", "P1", "10", "--date", "2024-05-02", "--note", "po 7", "--idempotency-key", "order-7")
	if cli.code != 2 {
		t.Fatalf("the CLI with another date: %v", cli)
	}
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"another date", `{"product":"P1","type":"restock","quantity":"10","date":"2024-05-02","note":"po 7"}`, 400},
		{"another time", `{"product":"P1","type":"restock","quantity":"10","date":"2024-05-01 10:00:00","note":"po 7"}`, 400},
		{"another note", `{"product":"P1","type":"restock","quantity":"10","date":"2024-05-01","note":"po 8"}`, 400},
		{"no note", `{"product":"P1","type":"restock","quantity":"10","date":"2024-05-01"}`, 400},
		{"the same date", `{"product":"P1","type":"restock","quantity":"10","date":"2024-05-01","note":"po 7"}`, 200},
		{"no date: a retry", `{"product":"P1","type":"restock","quantity":"10","note":"po 7"}`, 200},
	} {
		r := s.post(tc.body, key...)
		if r.status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.status)
			continue
		}
		if r.status == 400 {
			if e := r.apiError(t); e.Error.Code != "idempotency_key_reused" || !strings.Contains(e.Error.Message, `recorded a restock of 10.00 "P1" on 2024-05-01 00:00:00 with note "po 7"`) {
				t.Errorf("%s: %+v", tc.name, e.Error)
			}
		} else if !decodeOperation(t, r).AlreadyRecorded {
			t.Errorf("%s: not already recorded: %s", tc.name, r.body)
		}
	}
	if r := s.post(`{"product":"P1","type":"restock","quantity":"10","date":"2024-05-02","note":"po 7"}`, key...); r.apiError(t).Error.Message != cliMessage(cli) {
		t.Errorf("the API says %q, the CLI %q", r.apiError(t).Error.Message, cliMessage(cli))
	}
	if levels := stockLevels(t, dir); len(levels) != 1 || levels[0].Stock != "10.00" {
		t.Fatalf("want one restock of 10, got %+v", levels)
	}
}

// TestServeFilterCap: a filter naming more than 500 products is refused with 400, on the
// dashboard and the API, instead of reaching SQLite's limit on variables (503).
func TestServeFilterCap(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "10")
	s := startServe(t, dir, nil)
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = strconv.FormatInt(int64(i), 36)
		}
		return out
	}
	// As many as a request line holds: more than SQLite's 32,766 variables, twice over.
	if r := s.get("/?products=" + strings.Join(ids(16500), ",")); r.status != 400 || !strings.Contains(r.body, "products: 16500 given, at most 500 at once") {
		t.Errorf("dashboard with 16,500 products: %d\n%.1000s", r.status, r.body)
	}
	if r := s.get("/fragments/dashboard?products=" + strings.Join(ids(501), ",")); r.status != 400 {
		t.Errorf("dashboard fragment with 501 products: %d", r.status)
	}
	if r := s.get("/?products=" + strings.Join(append(ids(499), "P1"), ",")); r.status != 200 {
		t.Errorf("dashboard with 500 products: %d", r.status)
	}
	if r := s.get("/?products=" + strings.Repeat("P1,", 2000)); r.status != 200 {
		t.Errorf("dashboard with one product 2,000 times: %d", r.status)
	}
	q := "product=" + strings.Join(ids(501), "&product=")
	if r := s.get("/api/stock?" + q); r.status != 400 || r.apiError(t).Error.Code != "too_many_products" || r.apiError(t).Error.Field != "product" {
		t.Errorf("/api/stock with 501 products: %d %s", r.status, r.body)
	}
	if r := s.get("/api/stock?product=P1&product=" + strings.Join(ids(499), "&product=")); r.status != 200 {
		t.Errorf("/api/stock with 500 products: %d %s", r.status, r.body)
	}
}
