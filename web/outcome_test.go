package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/web"
)

// unknownLedger fails every operation as the command handlers do when the log
// acknowledged the event but the read model could not learn the ledger's decision.
type unknownLedger struct{}

func (unknownLedger) Record(_ context.Context, _ domain.EventType, op commands.Operation) (commands.Result, error) {
	return commands.Result{}, &commands.OutcomeUnknownError{Product: op.Product, Quantity: op.Quantity, Key: op.Key,
		Acked: &domain.Position{Partition: 1, Offset: 7}, Err: errors.New("attempt to write a readonly database")}
}

// TestAPIOutcomeUnknown: a write whose outcome is unknown answers 503 with its own code,
// not the plain "unavailable", and a message saying it may have been recorded, with the
// idempotency key to retry with.
func TestAPIOutcomeUnknown(t *testing.T) {
	// The store is never reached by POST /api/operations.
	srv := web.New(web.Config{Store: struct{ web.Store }{}, Ledger: unknownLedger{}, Hub: web.NewHub()})
	req := httptest.NewRequest("POST", "/api/operations", strings.NewReader(`{"product":"P1","type":"sale","quantity":"3"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "k-42")
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, rec.Body)
	}
	if rec.Code != http.StatusServiceUnavailable || body.Error.Code != "outcome_unknown" ||
		!strings.Contains(body.Error.Message, "may have been recorded") && !strings.Contains(body.Error.Message, "acknowledged") ||
		!strings.Contains(body.Error.Message, `"k-42"`) {
		t.Fatalf("want 503 outcome_unknown naming the key k-42, got %d %s", rec.Code, rec.Body)
	}
}

// TestAPIOutcomeUnknownRetryAfter: Retry-After invites an immediate resend, safe after
// an unknown outcome only under the same Idempotency-Key.
func TestAPIOutcomeUnknownRetryAfter(t *testing.T) {
	srv := web.New(web.Config{Store: struct{ web.Store }{}, Ledger: unknownLedger{}, Hub: web.NewHub()})
	for _, key := range []string{"", "k-43"} {
		req := httptest.NewRequest("POST", "/api/operations", strings.NewReader(`{"product":"P1","type":"sale","quantity":"3"}`))
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		if got, want := rec.Header().Get("Retry-After") != "", key != ""; rec.Code != http.StatusServiceUnavailable || got != want {
			t.Errorf("key %q: %d, Retry-After present %v; want 503 and %v", key, rec.Code, got, want)
		}
	}
}

// levelsOnly is a store that knows no product: all the entry form reads.
type levelsOnly struct{ web.Store }

func (levelsOnly) StockLevels(context.Context, ...string) ([]web.StockLevel, error) {
	return nil, nil
}

// Locations: main alone, the forms then have no location field.
func (levelsOnly) Locations(context.Context) ([]web.Location, error) {
	return []web.Location{{ID: "main", Status: "open"}}, nil
}

// TestFormOutcomeUnknown: the form never says "Nothing was recorded" about an operation
// that may have been, and keeps its nonce (the idempotency key) for a safe resend.
func TestFormOutcomeUnknown(t *testing.T) {
	srv := web.New(web.Config{Store: levelsOnly{}, Ledger: unknownLedger{}, Hub: web.NewHub()})
	get := httptest.NewRecorder()
	srv.Handler().ServeHTTP(get, httptest.NewRequest("GET", "/operations/new", nil))
	field := func(page, name string) string {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no %s in the form:\n%s", name, page)
		}
		return html.UnescapeString(m[1])
	}
	nonce, csrf := field(get.Body.String(), "nonce"), field(get.Body.String(), "csrf")
	form := url.Values{"nonce": {nonce}, "csrf": {csrf}, "product": {"P1"}, "type": {"sale"}, "quantity": {"3"}}
	req := httptest.NewRequest("POST", "/operations", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	page := html.UnescapeString(rec.Body.String())
	if rec.Code != http.StatusServiceUnavailable || strings.Contains(page, "Nothing was recorded") ||
		!strings.Contains(page, "may have been recorded") || field(rec.Body.String(), "nonce") != nonce {
		t.Fatalf("want 503 saying the sale may have been recorded, with the same nonce %q; got %d:\n%s", nonce, rec.Code, page)
	}
}
