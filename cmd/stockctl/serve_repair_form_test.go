package main_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// formOn returns the nonce and CSRF token of the form posting to action on page.
func formOn(t *testing.T, page, action string) (nonce, csrf string) {
	t.Helper()
	i := strings.Index(page, `action="`+action+`"`)
	if i < 0 {
		t.Fatalf("no form posting to %s on the page:\n%.2000s", action, page)
	}
	form := page[i:]
	form = form[:strings.Index(form, "</form>")]
	n, k := nonceField.FindStringSubmatch(form), csrfField.FindStringSubmatch(form)
	if n == nil || k == nil {
		t.Fatalf("the form posting to %s has no nonce or csrf", action)
	}
	return n[1], k[1]
}

// postForm posts a form and returns the answer, not following a redirect.
func (s *server) postForm(c *http.Client, path string, form url.Values) response {
	s.t.Helper()
	return s.do(c, "POST", path, strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
}

// TestServeRepairForms: the product page's Void button leads to a confirmation that
// needs a reason and the CSRF token, as the entry form does; its Count and Adjust forms
// the same; each records once, however often it is sent, and the page says what it did.
func TestServeRepairForms(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "10", "--date", "2024-05-01")
	typo := soldID(t, dir, "P1", "3", "--date", "2024-05-02", "--note", "order 1182")
	s := startServe(t, dir, nil)
	c := client()

	page := s.do(c, "GET", "/products/P1", nil)
	voidURL := "/operations/" + typo + "/void"
	if page.status != 200 || !strings.Contains(page.body, `href="`+voidURL+`"`) || !strings.Contains(page.body, `title="`+typo+`"`) {
		t.Fatalf("the product page has no Void button or event ID for the sale:\n%.3000s", page.body)
	}
	confirm := s.do(c, "GET", voidURL, nil)
	for _, want := range []string{"Void the sale of 3.00 of P1?", typo, "goes from <strong>7.00</strong> to <strong>10.00</strong>", "order 1182", `id="void-confirm"`} {
		if !strings.Contains(confirm.body, want) {
			t.Errorf("the void confirmation does not show %q", want)
		}
	}
	nonce, csrf := formOn(t, confirm.body, voidURL)

	// No CSRF token, a token of another nonce: 403, nothing voided.
	if r := s.postForm(c, voidURL, url.Values{"nonce": {nonce}, "reason": {"typo"}}); r.status != 403 {
		t.Fatalf("a void without its CSRF token: %d", r.status)
	}
	other, _ := formOn(t, page.body, "/counts")
	if r := s.postForm(c, voidURL, url.Values{"nonce": {other}, "csrf": {csrf}, "reason": {"typo"}}); r.status != 403 {
		t.Fatalf("a void with another form's CSRF token: %d", r.status)
	}
	// No reason: 400, next to the reason, nothing voided.
	r := s.postForm(c, voidURL, url.Values{"nonce": {nonce}, "csrf": {csrf}, "reason": {"  "}})
	if e, ok := fieldError(r.body, "void-reason"); r.status != 400 || !ok || !strings.Contains(e, "reason is required") ||
		!regexp.MustCompile(`id="void-reason"[^>]*aria-invalid="true"`).MatchString(r.body) {
		t.Fatalf("a void without a reason: %d %q", r.status, e)
	}
	if got := s.apiStock("P1"); got != "7.00" {
		t.Fatalf("refused void forms changed the stock to %s", got)
	}
	ok := url.Values{"nonce": {nonce}, "csrf": {csrf}, "reason": {"typed 3 for 0"}, "operator": {"alice"}}
	r = s.postForm(c, voidURL, ok)
	if r.status != 303 || !strings.HasPrefix(r.header.Get("Location"), "/products/P1?recorded=") {
		t.Fatalf("a void: %d to %q\n%.1000s", r.status, r.header.Get("Location"), r.body)
	}
	shown := s.do(c, "GET", r.header.Get("Location"), nil)
	if !strings.Contains(shown.body, `Voided the operation of &#34;P1&#34; dated 2024-05-02; stock now 10.00.`) {
		t.Errorf("the page after a void does not say so:\n%.2000s", shown.body)
	}
	if !regexp.MustCompile(`<tr class="voided" data-event="`+typo+`"`).MatchString(shown.body) ||
		!regexp.MustCompile(`voided <span class="why voided-why">by alice on \d{4}-\d\d-\d\d \d\d:\d\d UTC: typed 3 for 0</span>`).MatchString(shown.body) {
		t.Errorf("the voided sale is not shown struck through with the void's reason and who voided it:\n%.4000s", shown.body)
	}
	// The same form again: recorded once.
	if r := s.postForm(c, voidURL, ok); r.status != 303 || !strings.HasSuffix(r.header.Get("Location"), "&again=1") {
		t.Fatalf("the same void form again: %d %q", r.status, r.header.Get("Location"))
	}
	// A new form for the voided sale: refused, said where the form is.
	confirm = s.do(c, "GET", voidURL, nil)
	if !strings.Contains(confirm.body, "This operation was voided already") || strings.Contains(confirm.body, `id="void-confirm"`) {
		t.Errorf("the confirmation of a voided sale offers to void it again")
	}

	// The Count form: CSRF required, a bad quantity flagged, then -2 recorded.
	page = s.do(c, "GET", "/products/P1", nil)
	nonce, csrf = formOn(t, page.body, "/counts")
	if r := s.postForm(c, "/counts", url.Values{"nonce": {nonce}, "product": {"P1"}, "quantity": {"8"}}); r.status != 403 {
		t.Fatalf("a count without its CSRF token: %d", r.status)
	}
	count := url.Values{"nonce": {nonce}, "csrf": {csrf}, "product": {"P1"}, "quantity": {"eight"}}
	if r := s.postForm(c, "/counts", count); r.status != 400 {
		t.Fatalf("a count of eight: %d", r.status)
	} else if _, ok := fieldError(r.body, "count-quantity"); !ok {
		t.Fatalf("a bad count is not flagged next to its quantity:\n%.2000s", r.body)
	}
	count.Set("quantity", "8")
	count.Set("reason", "shelf count")
	if r := s.postForm(c, "/counts", count); r.status != 303 {
		t.Fatalf("a count: %d\n%.1000s", r.status, r.body)
	}
	if got := s.apiStock("P1"); got != "8.00" {
		t.Fatalf("stock after a count of 8: %s", got)
	}
	if r := s.postForm(c, "/counts", count); r.status != 303 || s.apiStock("P1") != "8.00" {
		t.Fatalf("the same count form again: %d", r.status)
	}

	// The Adjust form: a reason code is required; a refusal is shown with the CLI's words.
	nonce, csrf = formOn(t, page.body, "/adjustments")
	adjust := url.Values{"nonce": {nonce}, "csrf": {csrf}, "product": {"P1"}, "quantity": {"2"}, "direction": {"out"}, "reason": {"broken"}}
	if r := s.postForm(c, "/adjustments", adjust); r.status != 400 {
		t.Fatalf("an adjustment for a reason not on the list: %d", r.status)
	} else if e, _ := fieldError(r.body, "adjust-reason"); !strings.Contains(e, "damaged, lost, expired, found, other") {
		t.Fatalf("a bad reason code: %q", e)
	}
	adjust.Set("reason", "damaged")
	adjust.Set("quantity", "20")
	if r := s.postForm(c, "/adjustments", adjust); r.status != 409 {
		t.Fatalf("an adjustment beyond the stock: %d", r.status)
	} else if e, _ := fieldError(r.body, "adjust-quantity"); !strings.Contains(e, "negative") || strings.HasPrefix(e, "adjust:") {
		t.Fatalf("an adjustment beyond the stock, next to the quantity: %q", e)
	}
	adjust.Set("quantity", "2")
	adjust.Set("note", "dropped a box")
	if r := s.postForm(c, "/adjustments", adjust); r.status != 303 {
		t.Fatalf("an adjustment: %d\n%.1000s", r.status, r.body)
	}
	if got := s.apiStock("P1"); got != "6.00" {
		t.Fatalf("stock after an adjustment of -2: %s", got)
	}
	page = s.do(c, "GET", "/products/P1", nil)
	for _, want := range []string{"counted 8.00, expected 10.00; shelf count", ">-2.00<", "damaged", "dropped a box"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the product page does not show %q", want)
		}
	}
}
