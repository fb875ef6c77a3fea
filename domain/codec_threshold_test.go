package domain_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
)

func thresholdMeta() domain.Metadata {
	return domain.Metadata{EventID: "ev-t", CommandID: "cmd-t", RecordedBy: "ana", Note: "summer",
		RecordedAt: time.Date(2024, 5, 2, 8, 0, 0, 0, time.UTC)}
}

// Each threshold event goes on the wire in the shape docs/events.md gives and comes back
// as it was: the total without a location, main named "main" when it is the scope.
func TestThresholdEventsRoundTrip(t *testing.T) {
	north, _ := domain.ParseLocationID("north")
	m := thresholdMeta()
	m.BusinessDate = mustDate(t, "2024-05-02 10:00:00")
	set := func(th domain.Threshold) domain.Event {
		e, err := domain.SetThreshold(th, m)
		if err != nil {
			t.Fatalf("SetThreshold(%+v): %v", th, err)
		}
		return e
	}
	p := mustProduct(t, "P1")
	tests := []struct {
		name  string
		event domain.Event
		shape map[string]any // the fields besides the common ones
	}{
		{"set on the total", set(domain.Threshold{Product: p, Min: mustQuantity(t, "20"), ReorderQty: mustQuantity(t, "100"), LeadDays: 7}),
			map[string]any{"min": "20.00", "reorder_qty": "100.00", "lead_time_days": float64(7)}},
		{"set to zero with nothing else", set(domain.Threshold{Product: p}),
			map[string]any{"min": "0.00", "reorder_qty": "0.00", "lead_time_days": float64(0)}},
		{"set on main alone", set(domain.Threshold{Product: p, PerLocation: true, Min: mustQuantity(t, "5")}),
			map[string]any{"location": "main", "min": "5.00", "reorder_qty": "0.00", "lead_time_days": float64(0)}},
		{"set on north", set(domain.Threshold{Product: p, PerLocation: true, Location: north, Min: mustQuantity(t, "2.5"), LeadDays: domain.MaxLeadDays}),
			map[string]any{"location": "north", "min": "2.50", "reorder_qty": "0.00", "lead_time_days": float64(domain.MaxLeadDays)}},
		{"clear the total", domain.ClearThreshold(domain.Threshold{Product: p, Min: mustQuantity(t, "9")}, m), map[string]any{}},
		{"clear main", domain.ClearThreshold(domain.Threshold{Product: p, PerLocation: true}, m), map[string]any{"location": "main"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := domain.MarshalEvent(tt.event)
			if err != nil {
				t.Fatalf("MarshalEvent: %v", err)
			}
			var got map[string]any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			want := map[string]any{"type": string(tt.event.Type), "schema_version": float64(1), "event_id": "ev-t", "command_id": "cmd-t",
				"product_id": "P1", "business_date": "2024-05-02 10:00:00", "recorded_at": "2024-05-02T08:00:00Z",
				"recorded_by": "ana", "note": "summer"}
			for k, v := range tt.shape {
				want[k] = v
			}
			if len(got) != len(want) {
				t.Errorf("fields %v\nwant exactly %v", got, want)
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%q = %#v, want %#v", k, got[k], v)
				}
			}
			back, err := domain.UnmarshalEvent(b)
			if err != nil {
				t.Fatalf("UnmarshalEvent(%s): %v", b, err)
			}
			want2 := tt.event
			if want2.Type == domain.TypeThresholdCleared {
				want2.Min = domain.Quantity{} // a clear carries no setting
			}
			assertSameEvent(t, back, want2)
			if back.Threshold().Scope() != tt.event.Threshold().Scope() {
				t.Errorf("scope %q, want %q", back.Threshold().Scope(), tt.event.Threshold().Scope())
			}
		})
	}
}

// Threshold turns an event into the threshold it sets: the total's scope is "", a
// location's its ID, main's "main".
func TestEventThreshold(t *testing.T) {
	north, _ := domain.ParseLocationID("north")
	p := mustProduct(t, "P1")
	for _, th := range []domain.Threshold{
		{Product: p, Min: mustQuantity(t, "20"), ReorderQty: mustQuantity(t, "100"), LeadDays: 7},
		{Product: p, PerLocation: true, Min: mustQuantity(t, "1")},
		{Product: p, PerLocation: true, Location: north, LeadDays: 3},
	} {
		e, err := domain.SetThreshold(th, thresholdMeta())
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Threshold(); got != th {
			t.Errorf("Threshold() = %+v, want %+v", got, th)
		}
	}
	scopes := map[string]domain.Threshold{"": {Product: p}, "main": {Product: p, PerLocation: true}, "north": {Product: p, PerLocation: true, Location: north}}
	for want, th := range scopes {
		if got := th.Scope(); got != want {
			t.Errorf("Scope(%+v) = %q, want %q", th, got, want)
		}
	}
}

func thresholdEnvelope(typ string) map[string]any {
	m := map[string]any{"type": typ, "schema_version": 1, "event_id": "e-1", "command_id": "c-1", "product_id": "P1",
		"business_date": "2024-05-02 10:00:00", "recorded_at": "2024-05-02T08:00:00Z", "recorded_by": "ana"}
	if typ == "ThresholdSet" {
		m["min"], m["reorder_qty"], m["lead_time_days"] = "20.00", "100.00", 7
	}
	return m
}

// A reader refuses a threshold event that does not say one setting of one scope, on both
// decoding paths.
func TestThresholdEnvelopesMalformed(t *testing.T) {
	tests := []struct {
		name string
		typ  string
		edit func(m map[string]any)
		want string
	}{
		{"set without min", "ThresholdSet", func(m map[string]any) { delete(m, "min") }, "min missing"},
		{"set with a null min", "ThresholdSet", func(m map[string]any) { m["min"] = nil }, "min missing"},
		{"set with a negative min", "ThresholdSet", func(m map[string]any) { m["min"] = "-1.00" }, "must be positive"},
		{"set with a min as a number", "ThresholdSet", func(m map[string]any) { m["min"] = 20 }, "cannot unmarshal number"},
		{"set with a min of three decimals", "ThresholdSet", func(m map[string]any) { m["min"] = "1.005" }, "at most two decimal places"},
		{"set with a negative reorder quantity", "ThresholdSet", func(m map[string]any) { m["reorder_qty"] = "-5" }, "must be positive"},
		{"set with a negative lead time", "ThresholdSet", func(m map[string]any) { m["lead_time_days"] = -1 }, "lead_time_days -1: want 0 to 366"},
		{"set with a lead time over a year", "ThresholdSet", func(m map[string]any) { m["lead_time_days"] = 367 }, "lead_time_days 367"},
		{"set with a lead time of half a day", "ThresholdSet", func(m map[string]any) { m["lead_time_days"] = 1.5 }, "cannot unmarshal number 1.5"},
		{"set with a quantity", "ThresholdSet", func(m map[string]any) { m["quantity"] = "3.00" }, "a threshold event has no quantity"},
		{"set with a sequence", "ThresholdSet", func(m map[string]any) { m["expected_seq"] = 4 }, "a threshold event has no quantity, expected_seq"},
		{"set with a to_location", "ThresholdSet", func(m map[string]any) { m["to_location"] = "north" }, "to_location"},
		{"set with a bad location", "ThresholdSet", func(m map[string]any) { m["location"] = "North" }, `location "North"`},
		{"set without product", "ThresholdSet", func(m map[string]any) { delete(m, "product_id") }, `product_id ""`},
		{"set without date", "ThresholdSet", func(m map[string]any) { delete(m, "business_date") }, `business_date ""`},
		{"set without recorded_at", "ThresholdSet", func(m map[string]any) { delete(m, "recorded_at") }, "recorded_at missing"},
		{"set without command", "ThresholdSet", func(m map[string]any) { delete(m, "command_id") }, "event_id and command_id"},
		{"clear with a min", "ThresholdCleared", func(m map[string]any) { m["min"] = "0.00" }, "a clear has no min"},
		{"clear with a lead time", "ThresholdCleared", func(m map[string]any) { m["lead_time_days"] = 0 }, "a clear has no min"},
		{"clear with a quantity", "ThresholdCleared", func(m map[string]any) { m["quantity"] = "1.00" }, "a threshold event has no quantity"},
		{"clear with a reason", "ThresholdCleared", func(m map[string]any) { m["reason"] = "gone" }, "reason"},
		{"a sale with a min", "StockSold", func(m map[string]any) { m["quantity"], m["expected_seq"], m["min"] = "1.00", 1, "3.00" }, "a StockSold has no min"},
		{"a close with a lead time", "PeriodClosed", func(m map[string]any) { delete(m, "product_id"); m["lead_time_days"] = 3 }, "a PeriodClosed has no min"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := thresholdEnvelope(tt.typ)
			tt.edit(m)
			for name, decode := range map[string]func([]byte) (domain.Event, error){
				"UnmarshalEvent": domain.UnmarshalEvent, "UnmarshalEventJSON": domain.UnmarshalEventJSON} {
				_, err := decode(encode(t, m))
				if !errors.Is(err, domain.ErrMalformedEvent) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%s = %v, want malformed: %s", name, err, tt.want)
				}
			}
		})
	}
	// The envelopes the table starts from decode, and a set's optional fields default to
	// zero when another producer leaves them out.
	for _, typ := range []string{"ThresholdSet", "ThresholdCleared"} {
		if _, err := domain.UnmarshalEvent(encode(t, thresholdEnvelope(typ))); err != nil {
			t.Errorf("%s: %v", typ, err)
		}
	}
	m := thresholdEnvelope("ThresholdSet")
	delete(m, "reorder_qty")
	delete(m, "lead_time_days")
	m["location"], m["min"] = "main", "0"
	e, err := domain.UnmarshalEvent(encode(t, m))
	if err != nil {
		t.Fatal(err)
	}
	if want := (domain.Threshold{Product: mustProduct(t, "P1"), PerLocation: true}); e.Threshold() != want {
		t.Errorf("decoded %+v, want %+v", e.Threshold(), want)
	}
}

// MarshalEvent refuses what UnmarshalEvent would, so nothing unreadable is appended.
func TestMarshalRefusesMalformedThresholds(t *testing.T) {
	good, err := domain.SetThreshold(domain.Threshold{Product: mustProduct(t, "P1"), Min: mustQuantity(t, "1")}, thresholdMeta())
	if err != nil {
		t.Fatal(err)
	}
	good.BusinessDate = mustDate(t, "2024-05-02")
	for name, edit := range map[string]func(e *domain.Event){
		"lead time over a year": func(e *domain.Event) { e.LeadDays = domain.MaxLeadDays + 1 },
		"negative lead time":    func(e *domain.Event) { e.LeadDays = -1 },
		"no product":            func(e *domain.Event) { e.Product = domain.ProductID{} },
		"a quantity":            func(e *domain.Event) { e.Quantity = mustQuantity(t, "1") },
		"a sequence":            func(e *domain.Event) { e.ExpectedSeq = 3 },
		"a clear with a min":    func(e *domain.Event) { e.Type = domain.TypeThresholdCleared },
		"a sale with a min": func(e *domain.Event) {
			e.Type, e.Quantity, e.ExpectedSeq = domain.TypeStockSold, mustQuantity(t, "1"), 1
		},
		"a sale with lead time": func(e *domain.Event) {
			e.Type, e.Quantity, e.ExpectedSeq, e.Min, e.LeadDays = domain.TypeStockSold, mustQuantity(t, "1"), 1, domain.Quantity{}, 2
		},
	} {
		e := good
		edit(&e)
		if _, err := domain.MarshalEvent(e); !errors.Is(err, domain.ErrMalformedEvent) {
			t.Errorf("%s: MarshalEvent = %v, want malformed", name, err)
		}
	}
	if _, err := domain.MarshalEvent(good); err != nil {
		t.Errorf("MarshalEvent(valid) = %v", err)
	}
	if _, err := domain.SetThreshold(domain.Threshold{Product: mustProduct(t, "P1"), LeadDays: 400}, thresholdMeta()); !errors.Is(err, domain.ErrInvalidThreshold) {
		t.Errorf("SetThreshold(lead 400) = %v, want ErrInvalidThreshold", err)
	}
}
