package legacydb_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/ledgercsv"
	"github.com/stockctl/stockctl/legacydb"
)

// want is a row as the test states it.
type want struct {
	line     int
	date     string
	product  string
	quantity string
	sale     bool
	stock    string // "" for no claim
}

func check(t *testing.T, got []ledgercsv.Row, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Fatalf("%d rows, want %d: %+v", len(got), len(wants), got)
	}
	for i, w := range wants {
		g := got[i]
		stock := ""
		if g.Stock != nil {
			stock = g.Stock.String()
		}
		if g.Line != w.line || g.Date.String() != w.date || g.Product.String() != w.product ||
			g.Quantity.String() != w.quantity || g.Sale != w.sale || stock != w.stock {
			t.Errorf("row %d: line %d %s %q %s sale=%v stock %q; want %+v", i, g.Line, g.Date, g.Product.String(),
				g.Quantity, g.Sale, stock, w)
		}
	}
}

// The original repository's database: 5 rows, P1 24 in, 12 out, 10 out; P2 10 in, 2 out,
// read back exactly whatever the table's declared types, and the file left untouched.
func TestReadOriginalRows(t *testing.T) {
	for name, schema := range map[string][]string{
		"original": {originalSchema},
		"typeless": {typelessSchema},
		"pandas":   {pandasSchema},
		"WAL mode": {`PRAGMA journal_mode=WAL`, originalSchema},
	} {
		t.Run(name, func(t *testing.T) {
			path := makeDB(t, "Operations.db", schema...)
			insert(t, path, 1, "2022-12-31 00:00:00", int64(1), int64(24), int64(24), "replenishment")
			insert(t, path, 2, "2023-01-15 00:00:00", int64(1), int64(12), int64(12), "sales")
			insert(t, path, 3, "2023-04-25 00:00:00", int64(1), int64(10), int64(2), "sales")
			insert(t, path, 4, "2022-12-31 00:00:00", int64(2), int64(10), int64(10), "replenishment")
			insert(t, path, 5, "2023-04-20 00:00:00", int64(2), int64(2), int64(8), "sales")
			before := dirState(t, filepath.Dir(path))
			rows, bad, err := legacydb.Read(context.Background(), path)
			if err != nil || len(bad) != 0 {
				t.Fatalf("Read: %v %v", err, bad)
			}
			check(t, rows, []want{
				{1, "2022-12-31 00:00:00", "1", "24.00", false, "24.00"},
				{2, "2023-01-15 00:00:00", "1", "12.00", true, "12.00"},
				{3, "2023-04-25 00:00:00", "1", "10.00", true, "2.00"},
				{4, "2022-12-31 00:00:00", "2", "10.00", false, "10.00"},
				{5, "2023-04-20 00:00:00", "2", "2.00", true, "8.00"},
			})
			if after := dirState(t, filepath.Dir(path)); !sameState(before, after) {
				t.Errorf("Read changed the directory: %v -> %v", before, after)
			}
		})
	}
}

// The forms a Python pipeline may have stored a valid value in, each read as the value.
func TestReadValueForms(t *testing.T) {
	path := makeDB(t, "Operations.db", typelessSchema)
	insert(t, path, 10, "2023-01-15", "12", " 12.5 ", "", " Sales ")
	insert(t, path, 11, "2023-01-15T10:11:12.123456", 1.0, 12.1, nil, "REPLENISHMENT")
	insert(t, path, 12, " 2023-01-15 10:11:12 ", " P1 ", int64(3), 0.0, "replenishment ")
	insert(t, path, 13, "2023-01-15 10:11:12.5", "Café", 0.5, "2.5", "sales")
	rows, bad, err := legacydb.Read(context.Background(), path)
	if err != nil || len(bad) != 0 {
		t.Fatalf("Read: %v %v", err, bad)
	}
	check(t, rows, []want{
		{10, "2023-01-15 00:00:00", "12", "12.50", true, ""},
		{11, "2023-01-15 10:11:12", "1", "12.10", false, ""},
		{12, "2023-01-15 10:11:12", "P1", "3.00", false, "0.00"},
		{13, "2023-01-15 10:11:12", "Café", "0.50", true, "2.50"},
	})
}

// Each invalid row gives one RowError with its rowid; the rows around it are read.
func TestReadRowErrors(t *testing.T) {
	huge := strings.Repeat("9", 1<<20)
	hostile := strings.Repeat("\x00\x1b[31m\u202e", 100)
	for _, tc := range []struct {
		name   string
		values []any
		msg    []string // substrings of the message
	}{
		{"quantity as text that is no number", []any{"2023-01-15 00:00:00", int64(1), "abc", int64(1), "sales"},
			[]string{`operation_qt: invalid quantity: "abc": not a decimal number`}},
		{"unknown type", []any{"2023-01-15 00:00:00", int64(1), int64(2), int64(1), "return"},
			[]string{`operation_type "return": want sales or replenishment`}},
		{"type stored as a number", []any{"2023-01-15 00:00:00", int64(1), int64(2), int64(1), int64(1)},
			[]string{`operation_type 1: want sales or replenishment`}},
		{"NULL type", []any{"2023-01-15 00:00:00", int64(1), int64(2), int64(1), nil},
			[]string{`operation_type is NULL: want sales or replenishment`}},
		{"NULL date", []any{nil, int64(1), int64(2), int64(1), "sales"},
			[]string{`operation_date is NULL: want YYYY-MM-DD HH:MM:SS`}},
		{"date that does not exist", []any{"2023-02-30 00:00:00", int64(1), int64(2), int64(1), "sales"},
			[]string{`operation_date "2023-02-30 00:00:00": want YYYY-MM-DD HH:MM:SS, a real date from year 1900`}},
		{"date before 1900", []any{"1899-12-31", int64(1), int64(2), int64(1), "sales"},
			[]string{`operation_date "1899-12-31"`}},
		{"date in another format", []any{"15/01/2023", int64(1), int64(2), int64(1), "sales"},
			[]string{`operation_date "15/01/2023"`}},
		{"date as a number", []any{int64(1673740800), int64(1), int64(2), int64(1), "sales"},
			[]string{`operation_date 1673740800: want YYYY-MM-DD HH:MM:SS`}},
		{"NULL product", []any{"2023-01-15", nil, int64(2), int64(1), "sales"},
			[]string{`product_ID is NULL`}},
		{"product with a control character", []any{"2023-01-15", "P\x071", int64(2), int64(1), "sales"},
			[]string{`product_ID "P\a1": invalid product ID`}},
		{"negative quantity", []any{"2023-01-15", int64(1), int64(-12), int64(1), "sales"},
			[]string{`operation_qt "-12": must be greater than zero; the original database stores positive quantities`}},
		{"zero quantity", []any{"2023-01-15", int64(1), 0.0, int64(1), "sales"},
			[]string{`operation_qt "0": must be greater than zero`}},
		{"NULL quantity", []any{"2023-01-15", int64(1), nil, int64(1), "sales"},
			[]string{`operation_qt is NULL: want a positive number`}},
		{"REAL with three decimals", []any{"2023-01-15", int64(1), 12.345, int64(1), "sales"},
			[]string{`operation_qt: invalid quantity: "12.345": at most two decimal places`}},
		{"quantity as a blob", []any{"2023-01-15", int64(1), []byte("12"), int64(1), "sales"},
			[]string{`operation_qt is a blob of 2 bytes, not text: want a positive number`}},
		{"a megabyte of digits", []any{"2023-01-15", int64(1), huge, int64(1), "sales"},
			[]string{`operation_qt is 1048576 bytes of text, too long: want a positive number`}},
		{"stock that is no number", []any{"2023-01-15", int64(1), int64(2), "x", "sales"},
			[]string{`stock: invalid quantity: "x"`}},
		{"negative stock", []any{"2023-01-15", int64(1), int64(2), int64(-1), "sales"},
			[]string{`stock: invalid quantity: "-1": must be positive`}},
		{"hostile date", []any{hostile, int64(1), int64(2), int64(1), "sales"},
			[]string{`operation_date "\x00\x1b[31m\u202e`, `…: want YYYY-MM-DD`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := makeDB(t, "Operations.db", typelessSchema)
			insert(t, path, 3, "2023-01-01", "1", int64(5), int64(5), "replenishment")
			insert(t, path, 7, tc.values...)
			insert(t, path, 9, "2023-01-02", "1", int64(1), int64(4), "sales")
			rows, bad, err := legacydb.Read(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(lines(rows), []int{3, 9}) {
				t.Errorf("rows at %v, want 3 and 9", lines(rows))
			}
			if len(bad) != 1 || bad[0].Line != 7 {
				t.Fatalf("row errors %+v, want one at rowid 7", bad)
			}
			for _, m := range tc.msg {
				if !strings.Contains(bad[0].Msg, m) {
					t.Errorf("message %q does not say %q", bad[0].Msg, m)
				}
			}
			if len(bad[0].Msg) > 300 {
				t.Errorf("message of %d bytes: %q", len(bad[0].Msg), bad[0].Msg)
			}
		})
	}
}

// Without a rowid (WITHOUT ROWID, or every name of the rowid taken by a column) rows come
// in the table's order, numbered from 1; a column named rowid does not hide the rowid
// while another of its names is free.
func TestReadRowOrder(t *testing.T) {
	t.Run("without rowid", func(t *testing.T) {
		path := makeDB(t, "Operations.db", `CREATE TABLE operations (operation_date TEXT, product_ID INTEGER,
			operation_qt INTEGER, stock INTEGER, operation_type TEXT, PRIMARY KEY (product_ID, operation_date)) WITHOUT ROWID`,
			`INSERT INTO operations VALUES ('2023-01-02', 2, 1, 1, 'replenishment'), ('2023-01-01', 1, 5, 5, 'replenishment'),
			('2023-01-03', 1, 'x', 5, 'sales')`)
		rows, bad, err := legacydb.Read(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		check(t, rows, []want{{1, "2023-01-01 00:00:00", "1", "5.00", false, "5.00"}, {3, "2023-01-02 00:00:00", "2", "1.00", false, "1.00"}})
		if len(bad) != 1 || bad[0].Line != 2 {
			t.Errorf("row errors %+v, want one for row 2", bad)
		}
	})
	t.Run("a column named rowid", func(t *testing.T) {
		path := makeDB(t, "Operations.db", `CREATE TABLE operations (rowid TEXT, operation_date, product_ID, operation_qt, stock, operation_type)`,
			`INSERT INTO operations (_rowid_, rowid, operation_date, product_ID, operation_qt, stock, operation_type)
			VALUES (20, 'a', '2023-01-01', 1, 1, 1, 'replenishment'), (10, 'b', '2023-01-01', 2, 1, 1, 'replenishment')`)
		rows, _, err := legacydb.Read(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(lines(rows), []int{10, 20}) {
			t.Errorf("lines %v, want the rowids 10, 20", lines(rows))
		}
	})
}

// A name with '#', '?', '%' and a space is the file's name, not part of a URI: with it
// read as one, SQLite would open the decoy "ops" beside it.
func TestReadPathIsNotAURI(t *testing.T) {
	decoy := makeDB(t, "ops", originalSchema)
	insert(t, decoy, 1, "2023-01-01", int64(99), int64(1), int64(1), "replenishment")
	made := makeDB(t, "Operations.db", originalSchema)
	insert(t, made, 1, "2023-01-01", int64(7), int64(1), int64(1), "replenishment")
	insert(t, made, 2, "2023-01-01", int64(8), int64(1), int64(1), "replenishment")
	b, err := os.ReadFile(made)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(filepath.Dir(decoy), "ops#1?mode=rw%20 é.db")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	rows, _, err := legacydb.Read(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Product.String() != "7" {
		t.Errorf("read %+v, want the two rows of %s", rows, path)
	}
}

func TestReadCancelled(t *testing.T) {
	path := makeDB(t, "Operations.db", originalSchema)
	insert(t, path, 1, "2023-01-01", int64(1), int64(1), int64(1), "replenishment")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := legacydb.Read(ctx, path)
	if !errors.Is(err, context.Canceled) || errors.Is(err, legacydb.ErrDatabase) {
		t.Errorf("Read with a cancelled context: %v, want context.Canceled and not ErrDatabase", err)
	}
}
