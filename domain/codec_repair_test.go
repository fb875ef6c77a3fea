package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/domain"
)

// repairEvent returns a valid event of a repair type with every field it may carry set.
func repairEvent(tb testing.TB, typ domain.EventType) domain.Event {
	tb.Helper()
	e := sampleEvent(tb, typ)
	e.Reason = "typed 30 for 3"
	switch typ {
	case domain.TypeOperationVoided:
		e.Quantity, e.Target = domain.Quantity{}, "0b8f2c1e-target"
	case domain.TypeOperationCorrected:
		e.Target = "0b8f2c1e-target"
	case domain.TypeStockAdjusted:
		e.Reason, e.Out = "damaged", true
	}
	return e
}

func TestRepairEventsRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		typ  domain.EventType
		edit func(e *domain.Event)
	}{
		{"void", domain.TypeOperationVoided, nil},
		{"void without note", domain.TypeOperationVoided, func(e *domain.Event) { e.Note = "" }},
		{"correction", domain.TypeOperationCorrected, nil},
		{"count", domain.TypeStockCounted, nil},
		{"count of zero", domain.TypeStockCounted, func(e *domain.Event) { e.Quantity = domain.Quantity{} }},
		{"count without reason", domain.TypeStockCounted, func(e *domain.Event) { e.Reason = "" }},
		{"adjustment out", domain.TypeStockAdjusted, nil},
		{"adjustment in", domain.TypeStockAdjusted, func(e *domain.Event) { e.Out, e.Reason = false, "found" }},
		{"reason of the maximum length", domain.TypeOperationVoided, func(e *domain.Event) { e.Reason = strings.Repeat("r", domain.MaxReasonLength) }},
		{"unicode reason", domain.TypeOperationCorrected, func(e *domain.Event) { e.Reason = "tapé 30 pour 3 \"oups\"\n" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := repairEvent(t, tt.typ)
			if tt.edit != nil {
				tt.edit(&want)
			}
			b, err := domain.MarshalEvent(want)
			if err != nil {
				t.Fatalf("MarshalEvent: %v", err)
			}
			got, err := domain.UnmarshalEvent(b)
			if err != nil {
				t.Fatalf("UnmarshalEvent(%s): %v", b, err)
			}
			assertSameEvent(t, got, want)
			slow, err := domain.UnmarshalEventJSON(b)
			if err != nil {
				t.Fatalf("UnmarshalEventJSON(%s): %v", b, err)
			}
			assertSameEvent(t, slow, want)
		})
	}
}

// The envelope's fields as a repair's writer and docs/events.md name them.
func TestRepairEnvelopeFields(t *testing.T) {
	b, err := domain.MarshalEvent(repairEvent(t, domain.TypeStockAdjusted))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"type":"StockAdjusted"`, `"direction":"out"`, `"reason":"damaged"`, `"quantity":"3.00"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
	b, err = domain.MarshalEvent(repairEvent(t, domain.TypeOperationVoided))
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); !strings.Contains(s, `"target_event_id":"0b8f2c1e-target"`) || strings.Contains(s, `"quantity"`) || strings.Contains(s, `"direction"`) {
		t.Errorf("void envelope %s: want a target_event_id, no quantity, no direction", s)
	}
}

// repairEnvelope returns the JSON object of a valid void as a map.
func repairEnvelope(typ string) map[string]any {
	m := validEnvelope()
	m["type"] = typ
	m["reason"] = "typo"
	switch typ {
	case "OperationVoided":
		delete(m, "quantity")
		m["target_event_id"] = "e-0"
	case "OperationCorrected":
		m["target_event_id"] = "e-0"
	case "StockAdjusted":
		m["reason"], m["direction"] = "lost", "out"
	}
	return m
}

func TestRepairEnvelopesMalformed(t *testing.T) {
	tests := []struct {
		name string
		typ  string
		edit func(m map[string]any)
		want string
	}{
		{"void with a quantity", "OperationVoided", func(m map[string]any) { m["quantity"] = "3.00" }, "a void has no quantity"},
		{"void with quantity zero", "OperationVoided", func(m map[string]any) { m["quantity"] = "0.00" }, "a void has no quantity"},
		{"void without target", "OperationVoided", func(m map[string]any) { delete(m, "target_event_id") }, "target_event_id must be 1 to"},
		{"void with a target too long", "OperationVoided", func(m map[string]any) { m["target_event_id"] = strings.Repeat("t", domain.MaxIDLength+1) }, "target_event_id must be 1 to"},
		{"void without reason", "OperationVoided", func(m map[string]any) { delete(m, "reason") }, "reason missing"},
		{"correction without reason", "OperationCorrected", func(m map[string]any) { m["reason"] = "" }, "reason missing"},
		{"correction without quantity", "OperationCorrected", func(m map[string]any) { delete(m, "quantity") }, "quantity missing"},
		{"correction of zero", "OperationCorrected", func(m map[string]any) { m["quantity"] = "0.00" }, "quantity zero"},
		{"correction with a direction", "OperationCorrected", func(m map[string]any) { m["direction"] = "in" }, "only an adjustment"},
		{"adjustment without direction", "StockAdjusted", func(m map[string]any) { delete(m, "direction") }, "only an adjustment"},
		{"adjustment with a bad direction", "StockAdjusted", func(m map[string]any) { m["direction"] = "up" }, `direction "up": want in or out`},
		{"adjustment with a bad reason", "StockAdjusted", func(m map[string]any) { m["reason"] = "stolen" }, `reason "stolen": want one of`},
		{"adjustment of zero", "StockAdjusted", func(m map[string]any) { m["quantity"] = "0.00" }, "quantity zero"},
		{"adjustment with a target", "StockAdjusted", func(m map[string]any) { m["target_event_id"] = "e-0" }, "no target_event_id expected"},
		{"count with a direction", "StockCounted", func(m map[string]any) { m["direction"] = "out" }, "only an adjustment"},
		{"count without quantity", "StockCounted", func(m map[string]any) { delete(m, "quantity") }, "quantity missing"},
		{"count with a target", "StockCounted", func(m map[string]any) { m["target_event_id"] = "e-0" }, "no target_event_id expected"},
		{"reason too long", "StockCounted", func(m map[string]any) { m["reason"] = strings.Repeat("r", domain.MaxReasonLength+1) }, "reason longer than"},
		{"repair without sequence", "OperationVoided", func(m map[string]any) { delete(m, "expected_seq") }, "expected_seq 0"},
		{"repair without product", "OperationVoided", func(m map[string]any) { delete(m, "product_id") }, `product_id ""`},
		{"sale with a target", "StockSold", func(m map[string]any) { m["target_event_id"] = "e-0" }, "no target_event_id, reason or direction"},
		{"sale with a reason", "StockSold", func(m map[string]any) { m["reason"] = "typo" }, "no target_event_id, reason or direction"},
		{"restock with a direction", "StockRestocked", func(m map[string]any) { m["direction"] = "in"; delete(m, "reason") }, "no target_event_id, reason or direction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := repairEnvelope(tt.typ)
			if tt.typ == "StockSold" || tt.typ == "StockRestocked" {
				delete(m, "reason")
			}
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
	// And the valid envelopes the table starts from decode, a count of zero among them.
	for _, typ := range []string{"OperationVoided", "OperationCorrected", "StockCounted", "StockAdjusted"} {
		m := repairEnvelope(typ)
		if typ == "StockCounted" {
			m["quantity"] = "0.00"
		}
		e, err := domain.UnmarshalEvent(encode(t, m))
		if err != nil {
			t.Errorf("%s: %v", typ, err)
		}
		if typ == "StockAdjusted" && (!e.Out || e.Reason != "lost") {
			t.Errorf("adjustment decoded as %+v, want out, lost", e)
		}
	}
}

// MarshalEvent refuses what UnmarshalEvent would, so nothing unreadable is appended.
func TestMarshalRefusesMalformedRepairs(t *testing.T) {
	for name, edit := range map[string]func(e *domain.Event){
		"void with a quantity": func(e *domain.Event) { e.Type, e.Quantity = domain.TypeOperationVoided, mustQuantity(t, "1") },
		"void without reason": func(e *domain.Event) {
			e.Type, e.Quantity, e.Reason = domain.TypeOperationVoided, domain.Quantity{}, ""
		},
		"adjustment, bad reason":    func(e *domain.Event) { e.Type, e.Target, e.Reason = domain.TypeStockAdjusted, "", "typo" },
		"correction without target": func(e *domain.Event) { e.Type, e.Target = domain.TypeOperationCorrected, "" },
	} {
		e := repairEvent(t, domain.TypeOperationCorrected)
		edit(&e)
		if _, err := domain.MarshalEvent(e); !errors.Is(err, domain.ErrMalformedEvent) {
			t.Errorf("%s: MarshalEvent = %v, want malformed", name, err)
		}
	}
}
