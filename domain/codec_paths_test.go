package domain_test

import (
	"errors"
	"testing"

	"github.com/stockctl/stockctl/domain"
)

var pathSeeds = []string{
	`{"type":"StockSold","schema_version":1,"event_id":"e1","command_id":"c1","product_id":"P1","quantity":"3.00","expected_seq":2,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00.123456789Z","recorded_by":"ana","note":"order 1182"}`,
	` { "type" : "StockRestocked" , "schema_version" : 1 , "event_id" : "e2" , "command_id" : "c2" , "product_id" : "Café ☕" , "quantity" : "10" , "expected_seq" : 1 , "business_date" : "2024-05-01 00:00:00" , "recorded_at" : "2024-05-01T00:00:00+02:00" , "recorded_by" : "" } `,
	`{"type":"StockSold","schema_version":1,"event_id":"e1","command_id":"c1","product_id":"P\u0031","quantity":"3.00","expected_seq":2,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana"}`,
	`{"TYPE":"StockSold","schema_version":1,"event_id":"e1","command_id":"c1","product_id":"P1","quantity":"3.00","expected_seq":2,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana"}`,
	`{"type":"StockSold","type":"StockRestocked","schema_version":1,"event_id":"e1","command_id":"c1","product_id":"P1","quantity":"3.00","expected_seq":2,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana"}`,
	`{"type":"StockSold","schema_version":01,"event_id":"e1","command_id":"c1","product_id":"P1","quantity":"3.00","expected_seq":2,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana"}`,
	`{"type":"StockSold","schema_version":1.0,"event_id":"e1","command_id":"c1","product_id":"P1","quantity":"3.00","expected_seq":2e0,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana"}`,
	`{"type":"StockSold","schema_version":1,"event_id":"e1","command_id":"c1","product_id":"P1","quantity":3,"expected_seq":2,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana","extra":true}`,
	`{"type":"StockSold","schema_version":1,"event_id":"e1","command_id":"c1","product_id":"P1","quantity":"3.00","expected_seq":2,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana"}x`,
	`{"type":"StockSold","schema_version":1,"event_id":"e1","command_id":"c1","product_id":"P1","quantity":"3.00","expected_seq":-2,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana"}`,
	`{"type":"StockSold","schema_version":1,"event_id":"e1","command_id":"c1","product_id":"P1","quantity":"3.00","expected_seq":2,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02 10:00:00","recorded_by":"ana"}`,
	`{"type":"StockSold","schema_version":1,"event_id":"e1","command_id":"c1","product_id":"P1","quantity":"3.00","expected_seq":99999999999999999999,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana"}`,
	"{\"type\":\"StockSold\",\"schema_version\":1,\"event_id\":\"e\xff\",\"command_id\":\"c1\",\"product_id\":\"P1\",\"quantity\":\"3.00\",\"expected_seq\":2,\"business_date\":\"2024-05-02 00:00:00\",\"recorded_at\":\"2024-05-02T10:00:00Z\",\"recorded_by\":\"ana\"}",
	`{"type":"PeriodClosed","schema_version":1,"event_id":"e9","command_id":"c9","business_date":"2024-03-31 00:00:00","recorded_at":"2024-04-02T08:00:00Z","recorded_by":"ana","note":"Q1"}`,
	`{"type":"PeriodClosed","schema_version":1,"event_id":"e9","command_id":"c9","product_id":"","quantity":null,"business_date":"2024-03-31","recorded_at":"2024-04-02T08:00:00Z","recorded_by":"ana"}`,
	`{"type":"PeriodClosed","schema_version":1,"event_id":"e9","command_id":"c9","expected_seq":0,"business_date":"2024-03-31 00:00:01","recorded_at":"2024-04-02T08:00:00Z","recorded_by":"ana"}`,
	`{"type":"StockSold","schema_version":1,"event_id":"e1","command_id":"c1","product_id":"P1","quantity":"3.00","expected_seq":2,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana","location":"north"}`,
	`{"type":"StockSold","schema_version":1,"event_id":"e1","command_id":"c1","product_id":"P1","quantity":"3.00","expected_seq":2,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana","location":"North"}`,
	`{"type":"LocationAdded","schema_version":1,"event_id":"e7","command_id":"c7","location":"north","name":"North warehouse","business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana"}`,
	`{"type":"StockTransferred","schema_version":1,"event_id":"e1","command_id":"c1","product_id":"P1","quantity":"3.00","expected_seq":2,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana","location":"main","to_location":"north"}`,
	`{"type":"LocationClosed","schema_version":1,"event_id":"e8","command_id":"c8","location":"north","business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana"}`,
	`{"type":"ThresholdSet","schema_version":1,"event_id":"e5","command_id":"c5","product_id":"P1","business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana","min":"20.00","reorder_qty":"100.00","lead_time_days":7}`,
	`{"type":"ThresholdSet","schema_version":1,"event_id":"e5","command_id":"c5","product_id":"P1","business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana","location":"main","min":"0","lead_time_days":-1}`,
	`{"type":"ThresholdCleared","schema_version":1,"event_id":"e6","command_id":"c6","product_id":"P1","business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana","location":"north"}`,
	`{"type":"ThresholdCleared","schema_version":1,"event_id":"e6","command_id":"c6","product_id":"P1","business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana","min":"1.00"}`,
	`{"type":"StockSold","schema_version":1,"event_id":"e1","command_id":"c1","product_id":"P1","quantity":"3.00","expected_seq":2,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana","min":"1.00"}`,
	`{}`, `[]`, ``, `null`, `{"type":"StockSold"`, `{"type":0000000","schema_version":1,"event_id":0"}`,
}

// TestFastPathTakesTheCommonShape guards the speed of a replay: the envelope stockctl
// writes must not fall back to encoding/json.
func TestFastPathTakesTheCommonShape(t *testing.T) {
	for _, s := range append(pathSeeds[:2:2], pathSeeds[16]) {
		if !domain.DecodesFast([]byte(s)) {
			t.Errorf("fast path refused %s", s)
		}
	}
}

// FuzzUnmarshalEventPaths checks that the fast path and encoding/json always agree.
func FuzzUnmarshalEventPaths(f *testing.F) {
	for _, s := range pathSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fast, ferr := domain.UnmarshalEvent(b)
		slow, serr := domain.UnmarshalEventJSON(b)
		if (ferr == nil) != (serr == nil) {
			t.Fatalf("paths disagree on %q: fast %v, json %v", b, ferr, serr)
		}
		if ferr != nil {
			for _, sentinel := range []error{domain.ErrMalformedEvent, domain.ErrUnknownEventType, domain.ErrUnsupportedVersion} {
				if errors.Is(ferr, sentinel) != errors.Is(serr, sentinel) {
					t.Fatalf("paths give different errors on %q: fast %v, json %v", b, ferr, serr)
				}
			}
			return
		}
		if !fast.RecordedAt.Equal(slow.RecordedAt) {
			t.Fatalf("recorded_at differs on %q: %v vs %v", b, fast.RecordedAt, slow.RecordedAt)
		}
		fast.RecordedAt = slow.RecordedAt
		if fast != slow {
			t.Fatalf("paths decode %q differently:\nfast %+v\njson %+v", b, fast, slow)
		}
	})
}
