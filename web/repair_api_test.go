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
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/web"
)

// failingRepairs fails every repair with err, as the handler does when the broker or the
// read model cannot be reached.
type failingRepairs struct{ err error }

func (f failingRepairs) Handle(context.Context, commands.Repair) (commands.RepairResult, error) {
	return commands.RepairResult{}, f.err
}

// TestRepairAPIUnavailable: a count or an adjustment the infrastructure could not record
// answers 503 (the CLI's exit 3 and 4), with Retry-After; an unknown outcome has its own
// code; a server with no repair handler answers 503 too, never 500.
func TestRepairAPIUnavailable(t *testing.T) {
	unknown := &commands.OutcomeUnknownError{Product: domain.ProductID{}, Key: "k-1", Acked: &domain.Position{Partition: 0, Offset: 3},
		Err: errors.New("attempt to write a readonly database")}
	for _, c := range []struct {
		name    string
		repairs web.Repairer
		code    string
	}{
		{"broker down", failingRepairs{errors.New("kafka: client has run out of available brokers to talk to")}, "unavailable"},
		{"outcome unknown", failingRepairs{unknown}, "outcome_unknown"},
		{"no handler", nil, "unavailable"},
	} {
		srv := web.New(web.Config{Store: struct{ web.Store }{}, Ledger: unknownLedger{}, Repairs: c.repairs, Hub: web.NewHub()})
		for _, r := range []struct{ path, body string }{
			{"/api/counts", `{"product":"P1","quantity":"3"}`},
			{"/api/adjustments", `{"product":"P1","quantity":"-3","reason":"lost"}`},
		} {
			req := httptest.NewRequest("POST", r.path, strings.NewReader(r.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "k-1")
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			var body struct{ Error struct{ Code string } }
			json.Unmarshal(rec.Body.Bytes(), &body)
			if rec.Code != http.StatusServiceUnavailable || body.Error.Code != c.code || rec.Header().Get("Retry-After") != "1" {
				t.Errorf("%s, %s: %d %q Retry-After %q, want 503 %q with Retry-After\n%s", c.name, r.path, rec.Code, body.Error.Code,
					rec.Header().Get("Retry-After"), c.code, rec.Body)
			}
		}
	}
}
