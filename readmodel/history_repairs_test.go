package readmodel_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/asof"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/readmodel"
)

// repairStory is the story and more: a sale of 30 typed for 3 voided, the 3
// sold, a count of 37 against 40, a damaged unit, and a restock of 5 corrected to 6.
func repairStory(tb testing.TB) *readmodel.DB {
	return opsLedger(tb,
		restockOp("r1", "P1", "43", "2024-05-01"),
		saleOp("s30", "P1", "30", "2024-05-02"),
		voidOp("v1", "P1", "s30", "typed 30 for 3"),
		saleOp("s3", "P1", "3", "2024-05-02"),
		repairOp{typ: domain.TypeStockCounted, id: "c1", product: "P1", qty: "37", date: "2024-05-03", reason: "monthly"},
		repairOp{typ: domain.TypeStockAdjusted, id: "a1", product: "P1", qty: "1", out: true, date: "2024-05-04", reason: "damaged", note: "dropped"},
		restockOp("r5", "P1", "5", "2024-05-05"),
		repairOp{typ: domain.TypeOperationCorrected, id: "x1", product: "P1", target: "r5", qty: "6", date: "2024-05-05", reason: "miscounted"},
		saleOp("big", "P1", "500", "2024-05-06"), // refused
		// P2: a void recorded after another operation of its target's date still
		// follows its target.
		restockOp("p2r", "P2", "10", "2024-05-01"),
		saleOp("p2a", "P2", "2", "2024-05-02"),
		saleOp("p2b", "P2", "3", "2024-05-02"),
		voidOp("p2v", "P2", "p2a", "wrong product"),
	)
}

// historyLine is an entry in the fields a repair fills.
func historyLine(h readmodel.HistoryEntry) string {
	return strings.Join([]string{h.Date[:10], h.EventID, h.Type, h.Quantity, h.Stock, h.Status, "voided_by=" + h.VoidedBy, "void_reason=" + h.VoidReason,
		"target=" + h.Target, "repair=" + h.RepairReason, "delta=" + h.Delta, "counted=" + h.Counted, "expected=" + h.Expected}, " ")
}

// TestHistoryShowsRepairs: a voided operation stays in history, voided, linked to its
// void, which follows it with its reason; the rows in effect keep the stock after them in
// business-date order; a count shows counted, expected and the difference, an adjustment
// its reason code and movement, a correction the operation it records and its target.
func TestHistoryShowsRepairs(t *testing.T) {
	ctx := context.Background()
	db := repairStory(t)
	got, err := db.History(ctx, "P1")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"2024-05-01 r1 restock 43.00 43.00 accepted voided_by= void_reason= target= repair= delta= counted= expected=",
		"2024-05-02 s30 sale 30.00  voided voided_by=v1 void_reason=typed 30 for 3 target= repair= delta= counted= expected=",
		"2024-05-02 v1 void 30.00  accepted voided_by= void_reason= target=s30 repair=typed 30 for 3 delta=30.00 counted= expected=",
		"2024-05-02 s3 sale 3.00 40.00 accepted voided_by= void_reason= target= repair= delta= counted= expected=",
		"2024-05-03 c1 count 37.00 37.00 accepted voided_by= void_reason= target= repair=monthly delta=-3.00 counted=37.00 expected=40.00",
		"2024-05-04 a1 adjustment 1.00 36.00 accepted voided_by= void_reason= target= repair=damaged delta=-1.00 counted= expected=",
		"2024-05-05 r5 restock 5.00  voided voided_by=x1 void_reason=miscounted target= repair= delta= counted= expected=",
		"2024-05-05 x1 restock 6.00 42.00 accepted voided_by= void_reason= target=r5 repair=miscounted delta= counted= expected=",
		"2024-05-06 big sale 500.00  rejected voided_by= void_reason= target= repair= delta= counted= expected=",
	}
	var lines []string
	for _, h := range got {
		lines = append(lines, historyLine(h))
	}
	if !slices.Equal(lines, want) {
		t.Errorf("history:\n got %s\nwant %s", strings.Join(lines, "\n     "), strings.Join(want, "\n     "))
	}
	// A product page reads the same entries, latest first, and counts the void.
	page, total, err := db.HistoryPage(ctx, "P1", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(page)
	if total != len(want) || !slices.EqualFunc(page, got, func(a, b readmodel.HistoryEntry) bool { return a == b }) {
		t.Errorf("history page: total %d, want %d; entries equal to History reversed: %v", total, len(want),
			slices.EqualFunc(page, got, func(a, b readmodel.HistoryEntry) bool { return a == b }))
	}
	got2, err := db.History(ctx, "P2")
	var p2 []string
	for _, h := range got2 {
		p2 = append(p2, h.EventID+" "+h.Stock)
	}
	if want := []string{"p2r 10.00", "p2a ", "p2v ", "p2b 7.00"}; err != nil || !slices.Equal(p2, want) {
		t.Errorf("history of P2 = %q, %v; want %q", p2, err, want)
	}
	// As of the void's target's date, the void is listed; as of the day before, neither.
	d, _ := asof.ParseDate("2024-05-02")
	got, err = db.HistoryAt(ctx, "P1", asof.Moment{Date: d})
	if err != nil || len(got) != 4 || got[2].Type != "void" || got[1].Status != "voided" {
		t.Errorf("history as of 2024-05-02 = %v, %v; want restock, voided sale, void, sale", got, err)
	}
}

// TestHistoryKnownAtBeforeAVoid: as known before the void was recorded, the sale it
// cancelled is in effect, with the stock it left, and the void is not listed; as known
// once it was, the sale is voided and the stock counts it no more.
func TestHistoryKnownAtBeforeAVoid(t *testing.T) {
	ctx := context.Background()
	db := repairStory(t)
	at := func(sec int) []string {
		t.Helper()
		got, err := db.HistoryAt(ctx, "P1", asof.Moment{KnownAt: time.Date(2024, 6, 1, 0, 0, sec, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, h := range got {
			lines = append(lines, fmt.Sprint(h.EventID, " ", h.Stock, " ", h.Status, " ", h.VoidedBy))
		}
		return lines
	}
	// The sale of 30 was recorded at second 1, its void at second 2, the 3 at second 3.
	if got, want := at(1), []string{"r1 43.00 accepted ", "s30 13.00 accepted "}; !slices.Equal(got, want) {
		t.Errorf("known before the void: %q, want %q", got, want)
	}
	if got, want := at(3), []string{"r1 43.00 accepted ", "s30  voided v1", "v1  accepted ", "s3 40.00 accepted "}; !slices.Equal(got, want) {
		t.Errorf("known after the void: %q, want %q", got, want)
	}
	// Before the correction (second 7), the restock of 5 is in effect and 6 unknown.
	if got := at(6); len(got) != 7 || got[6] != "r5 41.00 accepted " {
		t.Errorf("known before the correction: %q", got)
	}
	if got := at(7); len(got) != 8 || got[6] != "r5  voided x1" || got[7] != "x1 42.00 accepted " {
		t.Errorf("known after the correction: %q", got)
	}
}
