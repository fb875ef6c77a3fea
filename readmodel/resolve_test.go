package readmodel_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/readmodel"
)

// repairOp is an event for opsLedger: its type, ID, product, quantity, date, and for
// a repair its target and reason.
type repairOp struct {
	typ                    domain.EventType
	id, product, qty, date string
	target, reason, note   string
	out                    bool
	recorded               time.Time
}

// opsLedger projects ops, in order, through the ledger projection, each with its
// product's next sequence number as the read model has it, so that a refused one leaves
// the sequence as it was.
func opsLedger(tb testing.TB, ops ...repairOp) *readmodel.DB {
	tb.Helper()
	ctx := context.Background()
	db := testfix.MustOpenDB(tb)
	for i, op := range ops {
		p := testfix.Product(tb, op.product)
		snap, err := db.Snapshot(ctx, p)
		if err != nil {
			tb.Fatal(err)
		}
		d, err := domain.ParseBusinessDate(op.date)
		if err != nil {
			tb.Fatal(err)
		}
		e := domain.Event{Type: op.typ, ID: op.id, CommandID: "c-" + op.id, Product: p, ExpectedSeq: snap.Seq + 1,
			BusinessDate: d, RecordedAt: op.recorded, RecordedBy: "test", Target: op.target, Reason: op.reason, Out: op.out, Note: op.note}
		if e.RecordedAt.IsZero() {
			e.RecordedAt = time.Date(2024, 6, 1, 0, 0, i, 0, time.UTC)
		}
		if op.qty != "" {
			if e.Quantity, err = domain.QuantityFromCents(cents(tb, op.qty)); err != nil {
				tb.Fatal(err)
			}
		}
		testfix.Apply(tb, db, []domain.Record{testfix.Record(tb, domain.Position{Offset: int64(i)}, e)})
	}
	return db
}

func cents(tb testing.TB, s string) int64 {
	tb.Helper()
	if s == "0" {
		return 0
	}
	return testfix.Quantity(tb, s).Cents()
}

func restockOp(id, p, q, date string) repairOp {
	return repairOp{typ: domain.TypeStockRestocked, id: id, product: p, qty: q, date: date}
}

func saleOp(id, p, q, date string) repairOp {
	return repairOp{typ: domain.TypeStockSold, id: id, product: p, qty: q, date: date}
}

func voidOp(id, p, target, reason string) repairOp {
	return repairOp{typ: domain.TypeOperationVoided, id: id, product: p, target: target, reason: reason, date: "2024-06-01"}
}

// TestResolveOperation: a full event ID, a unique prefix of 8 characters or more, a
// shorter one, an ambiguous one (listing the candidates), one matching nothing, a void's
// ID and a rejected sale's.
func TestResolveOperation(t *testing.T) {
	ctx := context.Background()
	db := opsLedger(t,
		restockOp("aaaa1111-0000-0000-0000-000000000001", "P1", "43", "2024-05-01"),
		saleOp("aaaa1111-0000-0000-0000-000000000002", "P1", "30", "2024-05-02"),
		voidOp("bbbb2222-0000-0000-0000-000000000003", "P1", "aaaa1111-0000-0000-0000-000000000002", "typed 30 for 3"),
		saleOp("cccc3333-0000-0000-0000-000000000004", "P1", "3", "2024-05-02"),
		saleOp("dddd4444-0000-0000-0000-000000000005", "P1", "500", "2024-05-03"), // refused
		restockOp("aaaa1112-0000-0000-0000-000000000006", "P2", "5", "2024-05-01"),
	)
	for _, tc := range []struct {
		in, want string
		err      error
		msg      string
	}{
		{in: "cccc3333-0000-0000-0000-000000000004", want: "cccc3333-0000-0000-0000-000000000004"},
		{in: "cccc3333", want: "cccc3333-0000-0000-0000-000000000004"},
		{in: " aaaa1112-0 ", want: "aaaa1112-0000-0000-0000-000000000006"},
		{in: "aaaa1111-0000-0000-0000-000000000002", want: "aaaa1111-0000-0000-0000-000000000002"},
		{in: "dddd4444", want: "dddd4444-0000-0000-0000-000000000005"},
		{in: "cccc333", err: readmodel.ErrAmbiguousID, msg: "at least 8 characters"},
		{in: "aaaa111", err: readmodel.ErrAmbiguousID, msg: "at least 8"},
		{in: "aaaa1111", err: readmodel.ErrAmbiguousID, msg: "aaaa1111-0000-0000-0000-000000000002  P1  sale  2024-05-02  30.00  (voided)"},
		{in: "aaaa111", err: readmodel.ErrAmbiguousID},
		{in: "eeee5555", err: domain.ErrNoSuchOperation, msg: "no operation has an event ID starting with eeee5555"},
		{in: "bbbb2222", err: readmodel.ErrNotAnOperation,
			msg: "bbbb2222-0000-0000-0000-000000000003 is a void of aaaa1111-0000-0000-0000-000000000002, not an operation"},
		{in: "bbbb2222-0000-0000-0000-000000000003", err: domain.ErrNoSuchOperation, msg: "is a void of"},
	} {
		got, err := db.ResolveOperation(ctx, tc.in)
		if tc.err == nil {
			if err != nil || got != tc.want {
				t.Errorf("ResolveOperation(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			continue
		}
		if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ResolveOperation(%q) = %q, %v; want %v containing %q", tc.in, got, err, tc.err, tc.msg)
		}
	}
	// The ambiguous prefix lists both with product, type, date and quantity.
	_, err := db.ResolveOperation(ctx, "aaaa111")
	if err == nil || strings.Contains(err.Error(), "P2  restock") {
		t.Errorf("a 7-character prefix listed candidates: %v", err)
	}
	_, err = db.ResolveOperation(ctx, "aaaa1111")
	if err == nil || !strings.Contains(err.Error(), "aaaa1111-0000-0000-0000-000000000001  P1  restock  2024-05-01  43.00") {
		t.Errorf("ambiguous prefix: %v; want both candidates listed", err)
	}
}

// TestResolveOperationListsFive: a prefix matching more than five operations lists five
// and says there are more.
func TestResolveOperationListsFive(t *testing.T) {
	var ops []repairOp
	for i := 0; i < 7; i++ {
		ops = append(ops, restockOp("ffff0000-"+string(rune('a'+i)), "P1", "1", "2024-05-01"))
	}
	db := opsLedger(t, ops...)
	_, err := db.ResolveOperation(context.Background(), "ffff0000")
	if !errors.Is(err, readmodel.ErrAmbiguousID) || strings.Count(err.Error(), "  P1  restock") != 5 || !strings.HasSuffix(err.Error(), "…") {
		t.Fatalf("err = %v; want 5 candidates and …", err)
	}
}
