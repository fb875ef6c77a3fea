package main_test

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestServeLoginFromAnotherSite: in headless Chromium, a ?token= link followed from
// another site logs in and shows its page, although the login cookie is SameSite=Strict
// (which a browser leaves out at the end of a redirect another site started), and the
// address then holds no token.
func TestServeLoginFromAnotherSite(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "10")
	const token = "s3cret-token-for-tests"
	s := startServe(t, dir, []string{"STOCKCTL_TOKEN=" + token})
	target := s.url + "/products/P1?token=" + token
	// localhost is another site than 127.0.0.1.
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>elsewhere</title><a id="go" href="%s">stock</a>`, html.EscapeString(target))
	}))
	defer other.Close()
	ctx := browser(t)
	do(t, ctx, "follow the link from another site", chromedp.Navigate(strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+"/"),
		chromedp.Click(chromedp.CSS("#go")), chromedp.WaitVisible(chromedp.CSS("[data-stock-now]")))
	if got := text(t, ctx, "[data-stock-now]"); got != "10.00" {
		t.Errorf("the product page shows %q in stock", got)
	}
	if eval(t, ctx, `location.href.includes("token")`) || !eval(t, ctx, `location.pathname === "/products/P1"`) {
		t.Error("the address after the login is not /products/P1 without the token")
	}
	// The cookie is kept: the next visit needs no token.
	do(t, ctx, "open the dashboard", chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS(stockOfP1)))
}
