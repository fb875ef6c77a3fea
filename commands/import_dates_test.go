package commands_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testkafka"
)

// fileRow is a row of a file to import: a signed quantity, and the stock column if given.
type fileRow struct {
	day, product, qty, stock string
}

func importFile(t *testing.T, n *node, source string, rows []fileRow, allowFuture bool) (commands.ImportReport, error) {
	t.Helper()
	var in []commands.ImportRow
	for i, r := range rows {
		d, err := domain.ParseBusinessDate(r.day)
		if err != nil {
			t.Fatal(err)
		}
		row := commands.ImportRow{Line: i + 2, Date: d, Product: mustProduct(t, r.product),
			Quantity: mustQuantity(t, strings.TrimPrefix(r.qty, "-")), Sale: strings.HasPrefix(r.qty, "-")}
		if r.stock != "" {
			q := mustQuantity(t, r.stock)
			row.Stock = &q
		}
		in = append(in, row)
	}
	h := commands.NewImportHandler(n.log, n, n.db, uuid.NewString)
	return h.Handle(context.Background(), commands.Import{Rows: in, Source: source, Operator: "test", AllowFuture: allowFuture})
}

func refusedLines(rep commands.ImportReport) []int {
	var lines []int
	for _, r := range rep.Refused {
		lines = append(lines, r.Line)
	}
	return lines
}

// TestImportBackdatedRowAgainstLaterRows: a row dated before operations of its product is
// checked against the later balances of the ledger and of the file's earlier rows, and
// its stock column is the balance right after it by date.
func TestImportBackdatedRowAgainstLaterRows(t *testing.T) {
	ctx := context.Background()
	n := mustNode(t, testkafka.Config(t), dbPath(t))
	for _, s := range []step{{"+", "10", "2024-05-01"}, {"-", "8", "2024-05-10"}} {
		if _, err := n.record(ctx, t, "L", s); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := importFile(t, n, "dates.csv", []fileRow{
		{"2024-05-05", "L", "-5", ""},   // line 2: the ledger's 2024-05-10 would fall to -3
		{"2024-05-05", "L", "-2", "8"},  // line 3: accepted, 8 on 2024-05-05; 0 left on 2024-05-10
		{"2024-05-01", "F", "10", "10"}, // line 4
		{"2024-05-20", "F", "-2", "8"},  // line 5
		{"2024-05-10", "F", "-3", "7"},  // line 6: backdated in the file: 10-3 = 7 by date
		{"2024-05-15", "F", "-6", ""},   // line 7: 5 left at 2024-05-20 (8 on 05-20 minus 3): refused
	}, false)
	if err != nil {
		t.Fatalf("import: %v (%+v)", err, rep)
	}
	if got := refusedLines(rep); !reflect.DeepEqual(got, []int{2, 7}) || rep.Appended != 4 || len(rep.Mismatches) != 0 {
		t.Fatalf("refused lines %v, appended %d, mismatches %+v; want lines 2 and 7 refused, 4 appended, none", got, rep.Appended, rep.Mismatches)
	}
	for i, want := range []string{
		`insufficient stock for "L" on 2024-05-05: selling 5.00 would make its stock negative on 2024-05-10: 2.00 available then`,
		`insufficient stock for "F" on 2024-05-15: selling 6.00 would make its stock negative on 2024-05-20: 5.00 available then`,
	} {
		if rep.Refused[i].Msg != want {
			t.Errorf("line %d: %s\nwant %s", rep.Refused[i].Line, rep.Refused[i].Msg, want)
		}
	}
	for p, want := range map[string]string{"L": "0.00", "F": "5.00"} {
		if snap, err := n.db.Snapshot(ctx, mustProduct(t, p)); err != nil || snap.Level.String() != want {
			t.Errorf("stock of %s = %v, %v; want %s", p, snap.Level, err, want)
		}
	}
}

// TestImportStockColumnIsTheBalanceByDate: a backdated row whose stock column is the
// log-order stock (the product's latest balance) disagrees: the column is the balance
// after the row by date.
func TestImportStockColumnIsTheBalanceByDate(t *testing.T) {
	n := mustNode(t, testkafka.Config(t), dbPath(t))
	rep, err := importFile(t, n, "log-order.csv", []fileRow{
		{"2024-05-01", "P", "10", "10"},
		{"2024-05-20", "P", "-2", "8"},
		{"2024-05-10", "P", "-3", "5"}, // the stock after both sales, not at 2024-05-10
	}, false)
	var sce *commands.StockColumnError
	if !errors.As(err, &sce) || len(rep.Mismatches) != 1 || rep.Mismatches[0].Line != 4 ||
		rep.Mismatches[0].Msg != `the file says stock 5.00 for "P", the ledger computes 7.00` {
		t.Fatalf("import: %v, mismatches %+v; want line 4 only: the ledger computes 7.00", err, rep.Mismatches)
	}
	// Its diagnosis: the column is the stock after the rows in file order.
	if len(sce.FileOrder) != 1 || sce.FileOrder[0].Line != 4 || sce.FileOrder[0].Balance.String() != "7.00" ||
		sce.FileOrder[0].Latest.Day() != "2024-05-20" {
		t.Errorf("rows in file order: %+v; want line 4, balance 7.00, after 2024-05-20", sce.FileOrder)
	}
}

// TestImportUnsortedFile: the log decides rows in file order. With no row refused, a file
// and the same rows sorted by date give the same balances by date (the operations view);
// the stock each row was told differs for rows decided before an earlier-dated row. With
// a refusal the accepted rows can differ: which sale comes first in the file wins.
func TestImportUnsortedFile(t *testing.T) {
	unsorted := []fileRow{
		{"2024-05-01", "U", "10", "10"},
		{"2024-05-20", "U", "-2", "8"}, // told 8: the 2024-05-10 sale is not there yet
		{"2024-05-10", "U", "-3", "7"},
	}
	sorted := []fileRow{unsorted[0], unsorted[2], {"2024-05-20", "U", "-2", "5"}}
	timeline := func(rows []fileRow) []domain.DateBalance {
		n := mustNode(t, testkafka.Config(t), dbPath(t))
		if rep, err := importFile(t, n, "u.csv", rows, false); err != nil || rep.Appended != 3 {
			t.Fatalf("import %v: %+v, %v", rows, rep, err)
		}
		tl, err := n.db.Timeline(context.Background(), mustProduct(t, "U"))
		if err != nil {
			t.Fatal(err)
		}
		return tl.Dates()
	}
	if a, b := timeline(unsorted), timeline(sorted); !reflect.DeepEqual(a, b) {
		t.Errorf("balances by date: unsorted %+v, sorted %+v; want equal", a, b)
	}

	// 10 on 05-01; the file's 05-20 sale of 8 comes first and leaves 2 after 05-10, so
	// the 05-10 sale of 5 is refused; sorted, the 05-10 sale goes first and the 05-20 one
	// is refused.
	race := []fileRow{{"2024-05-01", "R", "10", ""}, {"2024-05-20", "R", "-8", ""}, {"2024-05-10", "R", "-5", ""}}
	n := mustNode(t, testkafka.Config(t), dbPath(t))
	rep, err := importFile(t, n, "r.csv", race, false)
	if err != nil || !reflect.DeepEqual(refusedLines(rep), []int{4}) {
		t.Fatalf("unsorted: refused %v, %v; want line 4 (the 2024-05-10 sale)", refusedLines(rep), err)
	}
	n = mustNode(t, testkafka.Config(t), dbPath(t))
	rep, err = importFile(t, n, "r.csv", []fileRow{race[0], race[2], race[1]}, false)
	if err != nil || !reflect.DeepEqual(refusedLines(rep), []int{4}) || !strings.Contains(rep.Refused[0].Msg, "8.00 requested") {
		t.Fatalf("sorted: refused %+v, %v; want line 4 (the 2024-05-20 sale of 8)", rep.Refused, err)
	}
}

// TestImportFutureRows: rows dated more than a day ahead refuse the import, all listed,
// nothing appended, unless AllowFuture.
func TestImportFutureRows(t *testing.T) {
	ctx := context.Background()
	n := mustNode(t, testkafka.Config(t), dbPath(t))
	rows := []fileRow{{"2024-05-01", "Z", "10", ""}, {"2099-12-31", "Z", "-1", ""}, {"2024-05-02", "Z", "-1", ""}, {"2098-01-01", "Z", "1", ""}}
	_, err := importFile(t, n, "future.csv", rows, false)
	var fre *commands.FutureRowsError
	if !errors.As(err, &fre) || !errors.Is(err, domain.ErrFutureDate) || commands.Classify(err).Class != commands.Invalid {
		t.Fatalf("import with future rows: %v, want a FutureRowsError, invalid input", err)
	}
	if len(fre.Rows) != 2 || fre.Rows[0].Line != 3 || fre.Rows[1].Line != 5 ||
		!strings.HasPrefix(fre.Rows[0].Msg, "2099-12-31 is more than a day after today") ||
		!strings.HasSuffix(err.Error(), "nothing was appended: if it is meant, give --allow-future") {
		t.Fatalf("refusal %q lists %+v; want lines 3 and 5, naming --allow-future", err, fre.Rows)
	}
	if snap, err := n.db.Snapshot(ctx, mustProduct(t, "Z")); err != nil || snap.Seq != 0 {
		t.Fatalf("after the refusal Z has %d operations (%v), want none", snap.Seq, err)
	}
	if _, err := importFile(t, n, "one.csv", rows[:2], false); !errors.As(err, &fre) || len(fre.Rows) != 1 {
		t.Fatalf("import with one future row: %v, want it refused", err)
	}
	if rep, err := importFile(t, n, "future.csv", rows, true); err != nil || rep.Appended != 4 {
		t.Fatalf("with AllowFuture: %+v, %v; want 4 appended", rep, err)
	}
}
