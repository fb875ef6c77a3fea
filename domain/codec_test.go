package domain_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
)

// sampleEvent returns a valid event of type typ with every field set.
func sampleEvent(tb testing.TB, typ domain.EventType) domain.Event {
	tb.Helper()
	return domain.Event{
		Type:         typ,
		ID:           "0b8f2c1e-event",
		CommandID:    "5d1a7e44-command",
		Product:      mustProduct(tb, "P1"),
		Quantity:     mustQuantity(tb, "3"),
		ExpectedSeq:  7,
		BusinessDate: mustDate(tb, "2024-01-02 10:11:12"),
		RecordedAt:   time.Date(2024, 1, 2, 9, 11, 12, 123_456_789, time.UTC),
		RecordedBy:   "alice",
		Note:         "invoice 42",
	}
}

// assertSameEvent fails unless got and want are equal, comparing RecordedAt as an instant.
func assertSameEvent(tb testing.TB, got, want domain.Event) {
	tb.Helper()
	if !got.RecordedAt.Equal(want.RecordedAt) {
		tb.Errorf("RecordedAt = %v, want %v", got.RecordedAt, want.RecordedAt)
	}
	got.RecordedAt, want.RecordedAt = time.Time{}, time.Time{}
	if got != want {
		tb.Errorf("event = %+v\nwant    %+v", got, want)
	}
}

// validEnvelope returns the JSON object of sampleEvent(StockSold) as a map, to be changed
// by a test and encoded with encode.
func validEnvelope() map[string]any {
	return map[string]any{
		"type":           "StockSold",
		"schema_version": 1,
		"event_id":       "e-1",
		"command_id":     "c-1",
		"product_id":     "P1",
		"quantity":       "3.00",
		"expected_seq":   2,
		"business_date":  "2024-01-02 10:11:12",
		"recorded_at":    "2024-01-02T09:11:12.5Z",
		"recorded_by":    "alice",
	}
}

func encode(tb testing.TB, m map[string]any) []byte {
	tb.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatalf("json.Marshal: %v", err)
	}
	return b
}

func TestMarshalEventRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		edit func(t *testing.T, e *domain.Event)
	}{
		{name: "restocked", edit: func(t *testing.T, e *domain.Event) { e.Type = domain.TypeStockRestocked }},
		{name: "sold", edit: func(t *testing.T, e *domain.Event) { e.Type = domain.TypeStockSold }},
		{name: "sold without note", edit: func(t *testing.T, e *domain.Event) {
			e.Type = domain.TypeStockSold
			e.Note = ""
		}},
		{name: "maximum quantity and first sequence", edit: func(t *testing.T, e *domain.Event) {
			e.Quantity = domain.MaxQuantity
			e.ExpectedSeq = 1
		}},
		{name: "smallest quantity", edit: func(t *testing.T, e *domain.Event) { e.Quantity = mustQuantity(t, "0.01") }},
		{name: "date only is midnight", edit: func(t *testing.T, e *domain.Event) { e.BusinessDate = mustDate(t, "2024-02-29") }},
		{name: "unicode product, note and author", edit: func(t *testing.T, e *domain.Event) {
			e.Product = mustProduct(t, "商品 📦 <b>\"1\"</b>")
			e.Note = "ligne 1\nligne 2 \u202e"
			e.RecordedBy = "Zoë"
		}},
		{name: "recorded in another zone", edit: func(t *testing.T, e *domain.Event) {
			e.RecordedAt = time.Date(2024, 1, 2, 11, 11, 12, 0, time.FixedZone("CET", 3600))
		}},
		{name: "IDs of the maximum length", edit: func(t *testing.T, e *domain.Event) {
			e.ID = strings.Repeat("e", domain.MaxIDLength)
			e.CommandID = strings.Repeat("c", domain.MaxIDLength)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := sampleEvent(t, domain.TypeStockRestocked)
			tt.edit(t, &want)
			b, err := domain.MarshalEvent(want)
			if err != nil {
				t.Fatalf("MarshalEvent: %v", err)
			}
			got, err := domain.UnmarshalEvent(b)
			if err != nil {
				t.Fatalf("UnmarshalEvent(%s): %v", b, err)
			}
			assertSameEvent(t, got, want)
		})
	}
}

// An event decided by Stock survives the log and is accepted by a copy of the stock.
func TestMarshalEventOfDecidedSale(t *testing.T) {
	s := restocked(t, "P1", "10")
	replica := domain.RestoreStock(s.Snapshot())
	e, err := s.Sell(mustQuantity(t, "4"), meta(t, "sale"), domain.Conditions{})
	if err != nil {
		t.Fatalf("Sell: %v", err)
	}
	b, err := domain.MarshalEvent(e)
	if err != nil {
		t.Fatalf("MarshalEvent: %v", err)
	}
	decoded, err := domain.UnmarshalEvent(b)
	if err != nil {
		t.Fatalf("UnmarshalEvent: %v", err)
	}
	assertSameEvent(t, decoded, e)
	if _, err := replica.Apply(decoded, domain.Conditions{}); err != nil {
		t.Fatalf("Apply(decoded): %v", err)
	}
	if replica.Level().String() != "6.00" || replica.Seq() != 2 {
		t.Errorf("replica level %s seq %d, want 6.00 seq 2", replica.Level(), replica.Seq())
	}
}

func TestMarshalEventJSONShape(t *testing.T) {
	tests := []struct {
		name     string
		typ      domain.EventType
		note     string
		wantNote bool
	}{
		{name: "sold with note", typ: domain.TypeStockSold, note: "n", wantNote: true},
		{name: "restocked without note omits it", typ: domain.TypeStockRestocked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := sampleEvent(t, tt.typ)
			e.Note = tt.note
			b, err := domain.MarshalEvent(e)
			if err != nil {
				t.Fatalf("MarshalEvent: %v", err)
			}
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("MarshalEvent wrote invalid JSON %s: %v", b, err)
			}
			want := map[string]any{
				"type":           string(tt.typ),
				"schema_version": float64(1),
				"event_id":       "0b8f2c1e-event",
				"command_id":     "5d1a7e44-command",
				"product_id":     "P1",
				"quantity":       "3.00",
				"expected_seq":   float64(7),
				"business_date":  "2024-01-02 10:11:12",
				"recorded_at":    "2024-01-02T09:11:12.123456789Z",
				"recorded_by":    "alice",
			}
			if tt.wantNote {
				want["note"] = tt.note
			}
			for k, v := range want {
				if m[k] != v {
					t.Errorf("%q = %#v (%T), want %#v (%T)", k, m[k], m[k], v, v)
				}
			}
			for k := range m {
				if _, ok := want[k]; !ok {
					t.Errorf("unexpected field %q = %#v", k, m[k])
				}
			}
		})
	}
}

// The wire format is a contract with other consumers of the topic: a fixed record must
// keep decoding to the same event.
func TestUnmarshalEventWireFormat(t *testing.T) {
	b := []byte(`{"type":"StockRestocked","schema_version":1,"event_id":"e-1","command_id":"c-1",` +
		`"product_id":"P 1","quantity":"12.50","expected_seq":3,"business_date":"2023-01-15 00:00:00",` +
		`"recorded_at":"2023-01-15T08:30:00Z","recorded_by":"bob","note":"first delivery"}`)
	got, err := domain.UnmarshalEvent(b)
	if err != nil {
		t.Fatalf("UnmarshalEvent: %v", err)
	}
	want := domain.Event{
		Type:         domain.TypeStockRestocked,
		ID:           "e-1",
		CommandID:    "c-1",
		Product:      mustProduct(t, "P 1"),
		Quantity:     mustQuantity(t, "12.5"),
		ExpectedSeq:  3,
		BusinessDate: mustDate(t, "2023-01-15"),
		RecordedAt:   time.Date(2023, 1, 15, 8, 30, 0, 0, time.UTC),
		RecordedBy:   "bob",
		Note:         "first delivery",
	}
	assertSameEvent(t, got, want)
}

func TestUnmarshalEventRejects(t *testing.T) {
	with := func(k string, v any) func(map[string]any) {
		return func(m map[string]any) { m[k] = v }
	}
	without := func(k string) func(map[string]any) {
		return func(m map[string]any) { delete(m, k) }
	}
	tests := []struct {
		name string
		raw  string                 // the record value, when set
		edit func(m map[string]any) // otherwise, a change to validEnvelope
		want error
	}{
		{name: "random bytes", raw: "\x8f\x00\xff\x13\x37\xfe\xc3", want: domain.ErrMalformedEvent},
		{name: "plain text", raw: "hello", want: domain.ErrMalformedEvent},
		{name: "empty value", raw: "", want: domain.ErrMalformedEvent},
		{name: "white space", raw: " \n", want: domain.ErrMalformedEvent},
		{name: "empty object", raw: `{}`, want: domain.ErrMalformedEvent},
		{name: "JSON null", raw: `null`, want: domain.ErrMalformedEvent},
		{name: "JSON array", raw: `[1,2,3]`, want: domain.ErrMalformedEvent},
		{name: "JSON string", raw: `"StockSold"`, want: domain.ErrMalformedEvent},
		{name: "truncated envelope", raw: `{"type":"StockSold","schema_version":1,"event_id":"e`, want: domain.ErrMalformedEvent},
		{
			name: "original pipeline message",
			raw:  `{"operation_date":"2023-01-15","product_ID":"1","operation_qt":-12,"stock":12,"operation_type":"sales"}`,
			want: domain.ErrMalformedEvent,
		},
		{name: "missing type", edit: without("type"), want: domain.ErrMalformedEvent},
		{name: "empty type", edit: with("type", ""), want: domain.ErrMalformedEvent},
		{name: "type as a number", edit: with("type", 1), want: domain.ErrMalformedEvent},
		{name: "unknown type", edit: with("type", "StockTeleported"), want: domain.ErrUnknownEventType},
		{name: "type in the wrong case", edit: with("type", "stocksold"), want: domain.ErrUnknownEventType},
		{name: "missing schema version", edit: without("schema_version"), want: domain.ErrMalformedEvent},
		{name: "schema version 2", edit: with("schema_version", 2), want: domain.ErrUnsupportedVersion},
		{name: "negative schema version", edit: with("schema_version", -1), want: domain.ErrUnsupportedVersion},
		{name: "schema version as a string", edit: with("schema_version", "1"), want: domain.ErrMalformedEvent},
		{name: "zero quantity", edit: with("quantity", "0.00"), want: domain.ErrMalformedEvent},
		{name: "quantity as a JSON number", edit: with("quantity", 3), want: domain.ErrMalformedEvent},
		{name: "quantity with three decimals", edit: with("quantity", "1.234"), want: domain.ErrMalformedEvent},
		{name: "negative quantity", edit: with("quantity", "-3.00"), want: domain.ErrMalformedEvent},
		{name: "quantity above the maximum", edit: with("quantity", "100000000.00"), want: domain.ErrMalformedEvent},
		{name: "quantity with a decimal comma", edit: with("quantity", "3,5"), want: domain.ErrMalformedEvent},
		{name: "null quantity", edit: with("quantity", nil), want: domain.ErrMalformedEvent},
		{name: "missing quantity", edit: without("quantity"), want: domain.ErrMalformedEvent},
		{name: "product ID with a control character", edit: with("product_id", "P\x01"), want: domain.ErrMalformedEvent},
		{name: "product ID with surrounding spaces", edit: with("product_id", " P1 "), want: domain.ErrMalformedEvent},
		{name: "product ID with a bidi override", edit: with("product_id", "P\u202e1"), want: domain.ErrMalformedEvent},
		{name: "product ID too long", edit: with("product_id", strings.Repeat("a", 65)), want: domain.ErrMalformedEvent},
		{name: "empty product ID", edit: with("product_id", ""), want: domain.ErrMalformedEvent},
		{name: "missing product ID", edit: without("product_id"), want: domain.ErrMalformedEvent},
		{name: "missing event ID", edit: without("event_id"), want: domain.ErrMalformedEvent},
		{name: "empty event ID", edit: with("event_id", ""), want: domain.ErrMalformedEvent},
		{name: "event ID too long", edit: with("event_id", strings.Repeat("e", domain.MaxIDLength+1)), want: domain.ErrMalformedEvent},
		{name: "missing command ID", edit: without("command_id"), want: domain.ErrMalformedEvent},
		{name: "command ID too long", edit: with("command_id", strings.Repeat("c", domain.MaxIDLength+1)), want: domain.ErrMalformedEvent},
		{name: "expected seq zero", edit: with("expected_seq", 0), want: domain.ErrMalformedEvent},
		{name: "negative expected seq", edit: with("expected_seq", -1), want: domain.ErrMalformedEvent},
		{name: "missing expected seq", edit: without("expected_seq"), want: domain.ErrMalformedEvent},
		{name: "fractional expected seq", edit: with("expected_seq", 1.5), want: domain.ErrMalformedEvent},
		{name: "business date that does not exist", edit: with("business_date", "2023-02-29"), want: domain.ErrMalformedEvent},
		{name: "business date in ISO 8601", edit: with("business_date", "2024-01-02T10:11:12"), want: domain.ErrMalformedEvent},
		{name: "missing business date", edit: without("business_date"), want: domain.ErrMalformedEvent},
		{name: "recorded at not a time", edit: with("recorded_at", "yesterday"), want: domain.ErrMalformedEvent},
		{
			name: "trailing data after the envelope",
			raw:  string(encode(t, validEnvelope())) + " garbage",
			want: domain.ErrMalformedEvent,
		},
		{
			name: "two envelopes in one record",
			raw:  string(encode(t, validEnvelope())) + string(encode(t, validEnvelope())),
			want: domain.ErrMalformedEvent,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := []byte(tt.raw)
			if tt.edit != nil {
				m := validEnvelope()
				tt.edit(m)
				b = encode(t, m)
			}
			e, err := domain.UnmarshalEvent(b)
			if !errors.Is(err, tt.want) {
				t.Fatalf("UnmarshalEvent(%s) = %+v, %v; want %v", b, e, err, tt.want)
			}
			if e != (domain.Event{}) {
				t.Errorf("UnmarshalEvent returned %+v with an error, want the zero Event", e)
			}
			if got := domain.RejectionReason(err); got != "invalid" {
				t.Errorf("RejectionReason(%v) = %q, want invalid", err, got)
			}
		})
	}
}

// validEnvelope itself must decode, or every rejection above would pass for the wrong reason.
func TestUnmarshalEventAcceptsValidEnvelope(t *testing.T) {
	e, err := domain.UnmarshalEvent(encode(t, validEnvelope()))
	if err != nil {
		t.Fatalf("UnmarshalEvent(validEnvelope): %v", err)
	}
	if e.Type != domain.TypeStockSold || e.Quantity.String() != "3.00" || e.ExpectedSeq != 2 || e.Product.String() != "P1" {
		t.Errorf("UnmarshalEvent(validEnvelope) = %+v", e)
	}
}
