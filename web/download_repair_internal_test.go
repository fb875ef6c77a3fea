package web

import (
	"testing"

	"github.com/stockctl/stockctl/reports"
)

// TestListedRepairsKeepTheirDirection: the operations list and its downloads write an
// adjustment's and a count's movement signed, with the operations view's operation_type,
// so an adjustment that took units out never reads as a replenishment.
func TestListedRepairsKeepTheirDirection(t *testing.T) {
	for _, c := range []struct {
		o            ListedOperation
		typ          string
		listed       string
		signedQty    float64
		downloadName string
	}{
		{ListedOperation{Type: "sale", QtyCents: 300, DeltaCents: -300}, "sales", "3.00", -3, "operations-sales"},
		{ListedOperation{Type: "restock", QtyCents: 500, DeltaCents: 500}, "replenishment", "5.00", 5, "operations-restocks"},
		{ListedOperation{Type: "adjustment", QtyCents: 100, DeltaCents: -100, Reason: "damaged"}, "adjustment_out", "−1.00", -1, "operations-adjustments"},
		{ListedOperation{Type: "adjustment", QtyCents: 200, DeltaCents: 200, Reason: "found"}, "adjustment_in", "+2.00", 2, "operations-adjustments"},
		{ListedOperation{Type: "count", QtyCents: 300, DeltaCents: -300}, "count_out", "−3.00", -3, "operations-counts"},
		{ListedOperation{Type: "count", QtyCents: 200, DeltaCents: 200}, "count_in", "+2.00", 2, "operations-counts"},
		{ListedOperation{Type: "count"}, "count", "0.00", 0, "operations-counts"},
	} {
		got := exportObject(c.o)
		if got.Type != c.typ || got.Qty != c.signedQty {
			t.Errorf("%+v: exported as %s %v, want %s %v", c.o, got.Type, got.Qty, c.typ, c.signedQty)
		}
		if q := listQuantity(reports.English, c.o); q != c.listed {
			t.Errorf("%+v: listed quantity %s, want %s", c.o, q, c.listed)
		}
		if n := listNote(c.o); n != c.o.Reason {
			t.Errorf("%+v: note %q, want the reason %q", c.o, n, c.o.Reason)
		}
		if n := downloadName(operationsForm{Type: c.o.Type}); n != c.downloadName {
			t.Errorf("%+v: download named %s, want %s", c.o, n, c.downloadName)
		}
	}
}

// TestListNoteSaysWhy: the list's note column starts with the reason.
func TestListNoteSaysWhy(t *testing.T) {
	if n := listNote(ListedOperation{Reason: "damaged", Note: "dropped pallet"}); n != "damaged — dropped pallet" {
		t.Errorf("note %q", n)
	}
	if n := listNote(ListedOperation{Note: "imported"}); n != "imported" {
		t.Errorf("note %q", n)
	}
}
