package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/web"
)

// unknownLedger fails every operation as the command handlers do when the log
// acknowledged the event but the read model could not learn the ledger's decision.
type unknownLedger struct{}

func (unknownLedger) Sell(_ context.Context, op commands.Operation) (commands.Result, error) {
	return commands.Result{}, &commands.OutcomeUnknownError{Product: op.Product, Quantity: op.Quantity, Key: op.Key,
		Acked: &projections.Position{Partition: 1, Offset: 7}, Err: errors.New("attempt to write a readonly database")}
}

func (l unknownLedger) Restock(ctx context.Context, op commands.Operation) (commands.Result, error) {
	return l.Sell(ctx, op)
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
