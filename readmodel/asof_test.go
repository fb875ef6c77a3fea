package readmodel_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/asof"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/readmodel"
)

// dated is one operation of twoClocks: its business date, when it was recorded, and its
// place in the log.
type dated struct {
	product, op  string // "sell 4 2": kind, units, expected sequence
	date         string // YYYY-MM-DD
	recorded     string // RFC 3339
	part         int32
	offset       int64
	wantRejected bool
}

// twoClocks projects, through the real ledger projection into a real SQLite file: P1
// restocked 10 on 2024-05-01 and sold 4 on 2024-05-02 (recorded half a second into
// 11:00:00), then a restock of 5 backdated to 2024-04-20 recorded the next day, a sale of
// 20 on 2024-05-03 the rule refuses (11 there), and a second sale dated 2024-05-02
// recorded last; P2 restocked 3 on 2024-05-05 in another partition.
func twoClocks(t *testing.T) *readmodel.DB {
	t.Helper()
	db := MustOpenDB(t)
	ops := []dated{
		{"P1", "restock 10 1", "2024-05-01", "2024-06-01T10:00:00Z", 0, 0, false},
		{"P1", "sell 4 2", "2024-05-02", "2024-06-01T11:00:00.5Z", 0, 1, false},
		{"P1", "restock 5 3", "2024-04-20", "2024-06-02T09:00:00Z", 0, 2, false},
		{"P1", "sell 20 4", "2024-05-03", "2024-06-02T10:00:00Z", 0, 3, true},
		{"P1", "sell 1 4", "2024-05-02", "2024-06-03T08:00:00Z", 0, 4, false},
		{"P2", "restock 3 1", "2024-05-05", "2024-06-03T00:00:00Z", 1, 0, false},
	}
	for _, o := range ops {
		var kind string
		var units, seq int64
		fmt.Sscan(o.op, &kind, &units, &seq)
		typ := domain.TypeStockRestocked
		if kind == "sell" {
			typ = domain.TypeStockSold
		}
		q, _ := domain.QuantityFromCents(units * 100)
		d, err := domain.ParseBusinessDate(o.date)
		if err != nil {
			t.Fatal(err)
		}
		at, err := time.Parse(time.RFC3339Nano, o.recorded)
		if err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprintf("e-%d-%d", o.part, o.offset)
		testfix.Apply(t, db, []domain.Record{testfix.Record(t, domain.Position{Partition: o.part, Offset: o.offset},
			domain.Event{Type: typ, ID: id, CommandID: "c" + id, Product: testfix.Product(t, o.product), Quantity: q,
				ExpectedSeq: seq, BusinessDate: d, RecordedAt: at, RecordedBy: "t"})})
	}
	for _, o := range ops {
		page, _, err := db.HistoryPage(context.Background(), o.product, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range page {
			if h.Partition == o.part && h.Offset == o.offset && (h.Status == "rejected") != o.wantRejected {
				t.Fatalf("fixture: %s %s dated %s: %s (%s)", o.product, o.op, o.date, h.Status, h.Reason)
			}
		}
	}
	return db
}

func moment(t *testing.T, date, knownAt string) asof.Moment {
	t.Helper()
	var m asof.Moment
	var err error
	if date != "" {
		if m.Date, err = asof.ParseDate(date); err != nil {
			t.Fatal(err)
		}
	}
	if knownAt != "" {
		if m.KnownAt, err = asof.ParseKnownAt(knownAt, time.UTC); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// levelsText writes levels as "P1 11.00 2024-05-02", one product after the other.
func levelsText(levels []readmodel.LevelAt) string {
	var out []string
	for _, l := range levels {
		out = append(out, l.Product+" "+l.Stock+" "+strings.TrimSuffix(l.LastDate, " 00:00:00"))
	}
	return strings.Join(out, ", ")
}

// TestStockAt: the stock on either clock and both, from the balances by business date
// and the ledger rows recorded by then.
func TestStockAt(t *testing.T) {
	db := twoClocks(t)
	for _, tc := range []struct {
		name, asOf, knownAt string
		products            []string
		want                string
	}{
		{"now", "", "", nil, "P1 10.00 2024-05-02, P2 3.00 2024-05-05"},
		{"before any operation", "2024-04-19", "", nil, ""},
		{"the backdated restock alone", "2024-04-30", "", nil, "P1 5.00 2024-04-20"},
		{"a day counts to its end", "2024-05-01", "", nil, "P1 15.00 2024-05-01"},
		{"a second before the day's operation", "2024-04-30 23:59:59", "", []string{"P1"}, "P1 5.00 2024-04-20"},
		{"the second of the operation", "2024-05-01 00:00:00", "", []string{"P1"}, "P1 15.00 2024-05-01"},
		{"both sales of a date, not the refused one", "2024-05-03", "", nil, "P1 10.00 2024-05-02"},
		{"a product created later is absent", "2024-05-04", "", nil, "P1 10.00 2024-05-02"},
		{"named products only", "2099-12-31", "", []string{"P2"}, "P2 3.00 2024-05-05"},
		{"known before anything was recorded", "", "2024-06-01 09:59:59", nil, ""},
		{"known after the first restock", "", "2024-06-01 10:30:00", nil, "P1 10.00 2024-05-01"},
		{"known within the second of a sale recorded at .5", "", "2024-06-01 11:00:00", nil, "P1 6.00 2024-05-02"},
		{"known before the backdated restock", "", "2024-06-02 08:59:59", []string{"P1"}, "P1 6.00 2024-05-02"},
		{"known after it", "", "2024-06-02 09:00:00", nil, "P1 11.00 2024-05-02"},
		{"known at RFC 3339", "", "2024-06-03T08:00:00Z", nil, "P1 10.00 2024-05-02, P2 3.00 2024-05-05"},
		{"combined: the backdated restock not yet known", "2024-05-01", "2024-06-01 12:00:00", nil, "P1 10.00 2024-05-01"},
		{"combined: known, as of before the first restock", "2024-04-30", "2024-06-02 12:00:00", nil, "P1 5.00 2024-04-20"},
		{"combined: named", "2024-05-02", "2024-06-03 00:00:00", []string{"P1", "P2"}, "P1 11.00 2024-05-02"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			levels, err := db.StockAt(context.Background(), moment(t, tc.asOf, tc.knownAt), tc.products...)
			if err != nil {
				t.Fatal(err)
			}
			if got := levelsText(levels); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// historyText writes entries as "04-20 restock 5.00 → 5.00", a rejected one "→ rejected".
func historyText(entries []readmodel.HistoryEntry) string {
	var out []string
	for _, h := range entries {
		after := h.Stock
		if h.Status == "rejected" {
			after = "rejected"
		}
		out = append(out, fmt.Sprintf("%s %s %s → %s", h.Date[5:10], h.Type, h.Quantity, after))
	}
	return strings.Join(out, "; ")
}

// TestHistoryAt: a product's operations in business-date order (log order within a
// date) with the stock after each in that order; as of a date, those dated by then; known
// at a time, those recorded by then with the stock recomputed over them alone.
func TestHistoryAt(t *testing.T) {
	db := twoClocks(t)
	for _, tc := range []struct {
		name, asOf, knownAt string
		want                string
	}{
		{"now", "", "", "04-20 restock 5.00 → 5.00; 05-01 restock 10.00 → 15.00; 05-02 sale 4.00 → 11.00; 05-02 sale 1.00 → 10.00; 05-03 sale 20.00 → rejected"},
		{"as of a date", "2024-05-01", "", "04-20 restock 5.00 → 5.00; 05-01 restock 10.00 → 15.00"},
		{"as of before everything", "2024-04-01", "", ""},
		{"known before the backdated restock", "", "2024-06-02 08:00:00", "05-01 restock 10.00 → 10.00; 05-02 sale 4.00 → 6.00"},
		{"known with the refusal", "", "2024-06-02 10:00:00", "04-20 restock 5.00 → 5.00; 05-01 restock 10.00 → 15.00; 05-02 sale 4.00 → 11.00; 05-03 sale 20.00 → rejected"},
		{"combined", "2024-05-02", "2024-06-02 10:00:00", "04-20 restock 5.00 → 5.00; 05-01 restock 10.00 → 15.00; 05-02 sale 4.00 → 11.00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			entries, err := db.HistoryAt(context.Background(), "P1", moment(t, tc.asOf, tc.knownAt))
			if err != nil {
				t.Fatal(err)
			}
			if got := historyText(entries); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	all, err := db.History(context.Background(), "P1")
	if err != nil || historyText(all) != "04-20 restock 5.00 → 5.00; 05-01 restock 10.00 → 15.00; 05-02 sale 4.00 → 11.00; 05-02 sale 1.00 → 10.00; 05-03 sale 20.00 → rejected" {
		t.Errorf("History: %q, %v", historyText(all), err)
	}
}

// TestHistoryPageByBusinessDate: the product page's pages run from the latest business
// date back, the stock after each row the business-date balance.
func TestHistoryPageByBusinessDate(t *testing.T) {
	db := twoClocks(t)
	page, total, err := db.HistoryPage(context.Background(), "P1", 1, 3)
	if err != nil || total != 5 {
		t.Fatalf("total %d, %v", total, err)
	}
	if got, want := historyText(page), "05-02 sale 1.00 → 10.00; 05-02 sale 4.00 → 11.00; 05-01 restock 10.00 → 15.00"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestSnapshotHasTheLatestDatesMovement: a command deciding an operation of the latest
// date starts from what that date's operations moved, as the projection's own does.
func TestSnapshotHasTheLatestDatesMovement(t *testing.T) {
	db := twoClocks(t)
	s, err := db.Snapshot(context.Background(), testfix.Product(t, "P1"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Seq != 4 || s.Level.String() != "10.00" || s.LastDate.Day() != "2024-05-02" || s.DateNet != -500 {
		t.Errorf("snapshot %+v", s)
	}
}
