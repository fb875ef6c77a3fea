package domain_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
)

// closeEvent is the PeriodClosed that ClosePeriod decides through 2024-03-31.
func closeEvent(tb testing.TB) domain.Event {
	tb.Helper()
	e, err := domain.ClosePeriod(domain.BusinessDate{}, mustDate(tb, "2024-03-31"), domain.Metadata{
		EventID: "ev-close", CommandID: "cmd-close",
		RecordedAt: time.Date(2024, 4, 2, 8, 0, 0, 500, time.UTC), RecordedBy: "ana", Note: "Q1 closed",
	})
	if err != nil {
		tb.Fatalf("ClosePeriod: %v", err)
	}
	return e
}

// A PeriodClosed goes on the wire without the product's fields, by the fast path, and
// comes back as it was.
func TestPeriodClosedRoundTrip(t *testing.T) {
	want := closeEvent(t)
	b, err := domain.MarshalEvent(want)
	if err != nil {
		t.Fatalf("MarshalEvent: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("MarshalEvent wrote invalid JSON %s: %v", b, err)
	}
	shape := map[string]any{
		"type": "PeriodClosed", "schema_version": float64(1), "event_id": "ev-close", "command_id": "cmd-close",
		"business_date": "2024-03-31 00:00:00", "recorded_at": "2024-04-02T08:00:00.0000005Z",
		"recorded_by": "ana", "note": "Q1 closed",
	}
	if len(m) != len(shape) {
		t.Errorf("fields %v, want exactly %v", m, shape)
	}
	for k, v := range shape {
		if m[k] != v {
			t.Errorf("%q = %#v, want %#v", k, m[k], v)
		}
	}
	if !domain.DecodesFast(b) {
		t.Errorf("fast path refused %s", b)
	}
	got, err := domain.UnmarshalEvent(b)
	if err != nil {
		t.Fatalf("UnmarshalEvent(%s): %v", b, err)
	}
	assertSameEvent(t, got, want)
}

// A record written as docs/events.md documents it keeps decoding, by another producer
// with the date alone and an empty product_id.
func TestPeriodClosedWireFormat(t *testing.T) {
	for _, raw := range []string{
		`{"type":"PeriodClosed","schema_version":1,"event_id":"e-9","command_id":"c-9","business_date":"2024-03-31 00:00:00","recorded_at":"2024-04-02T08:00:00Z","recorded_by":"ana"}`,
		`{"type":"PeriodClosed","schema_version":1,"event_id":"e-9","command_id":"c-9","product_id":"","business_date":"2024-03-31","recorded_at":"2024-04-02T08:00:00Z","recorded_by":"ana"}`,
	} {
		got, err := domain.UnmarshalEvent([]byte(raw))
		if err != nil {
			t.Fatalf("UnmarshalEvent(%s): %v", raw, err)
		}
		want := domain.Event{Type: domain.TypePeriodClosed, ID: "e-9", CommandID: "c-9", BusinessDate: mustDate(t, "2024-03-31"),
			RecordedAt: time.Date(2024, 4, 2, 8, 0, 0, 0, time.UTC), RecordedBy: "ana"}
		assertSameEvent(t, got, want)
	}
}

func TestUnmarshalPeriodClosedRejects(t *testing.T) {
	valid := func() map[string]any {
		return map[string]any{"type": "PeriodClosed", "schema_version": 1, "event_id": "e-9", "command_id": "c-9",
			"business_date": "2024-03-31 00:00:00", "recorded_at": "2024-04-02T08:00:00Z", "recorded_by": "ana"}
	}
	if _, err := domain.UnmarshalEvent(encode(t, valid())); err != nil {
		t.Fatalf("the valid close itself: %v", err)
	}
	tests := []struct {
		name  string
		key   string
		value any // nil deletes the key
	}{
		{"a product", "product_id", "P1"},
		{"a quantity", "quantity", "1.00"},
		{"a zero quantity", "quantity", "0.00"},
		{"a sequence", "expected_seq", 1},
		{"a negative sequence", "expected_seq", -1},
		{"a time of day", "business_date", "2024-03-31 10:00:00"},
		{"one second past midnight", "business_date", "2024-03-31 00:00:01"},
		{"a date that does not exist", "business_date", "2024-02-30"},
		{"a date in ISO 8601", "business_date", "2024-03-31T00:00:00"},
		{"a date before 1900", "business_date", "1899-12-31"},
		{"no date", "business_date", nil},
		{"no event ID", "event_id", nil},
		{"no command ID", "command_id", nil},
		{"an event ID too long", "event_id", string(make([]byte, domain.MaxIDLength+1))},
		{"no recorded_at", "recorded_at", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid()
			if tt.value == nil {
				delete(m, tt.key)
			} else {
				m[tt.key] = tt.value
			}
			b := encode(t, m)
			for path, decode := range map[string]func([]byte) (domain.Event, error){"fast": domain.UnmarshalEvent, "json": domain.UnmarshalEventJSON} {
				e, err := decode(b)
				if !errors.Is(err, domain.ErrMalformedEvent) {
					t.Errorf("%s path: UnmarshalEvent(%s) = %+v, %v; want malformed", path, b, e, err)
				}
			}
		})
	}
}

// Nothing a reader would skip is ever appended: MarshalEvent refuses a close that
// carries a product's fields or a time of day.
func TestMarshalPeriodClosedRefuses(t *testing.T) {
	tests := []struct {
		name string
		edit func(e *domain.Event)
	}{
		{"a product", func(e *domain.Event) { e.Product = mustProduct(t, "P1") }},
		{"a quantity", func(e *domain.Event) { e.Quantity = mustQuantity(t, "1") }},
		{"a sequence", func(e *domain.Event) { e.ExpectedSeq = 1 }},
		{"a time of day", func(e *domain.Event) { e.BusinessDate = mustDate(t, "2024-03-31 12:00:00") }},
		{"no event ID", func(e *domain.Event) { e.ID = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := closeEvent(t)
			tt.edit(&e)
			if b, err := domain.MarshalEvent(e); !errors.Is(err, domain.ErrMalformedEvent) {
				t.Errorf("MarshalEvent = %s, %v; want malformed", b, err)
			}
		})
	}
}

// A sale or restock without its product's fields stays malformed: leaving them out is
// for a PeriodClosed only.
func TestStockEventsStillNeedProductFields(t *testing.T) {
	for _, typ := range []domain.EventType{domain.TypeStockSold, domain.TypeStockRestocked} {
		for _, key := range []string{"product_id", "quantity", "expected_seq"} {
			m := validEnvelope()
			m["type"] = string(typ)
			delete(m, key)
			if e, err := domain.UnmarshalEvent(encode(t, m)); !errors.Is(err, domain.ErrMalformedEvent) {
				t.Errorf("%s without %s = %+v, %v; want malformed", typ, key, e, err)
			}
		}
		e := sampleEvent(t, typ)
		e.Quantity = domain.Quantity{}
		if b, err := domain.MarshalEvent(e); !errors.Is(err, domain.ErrMalformedEvent) {
			t.Errorf("MarshalEvent(%s with no quantity) = %s, %v; want malformed", typ, b, err)
		}
	}
}
