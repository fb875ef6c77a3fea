package ledgercsv_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/ledgercsv"
)

func TestReadTheSampleFile(t *testing.T) {
	f, err := os.Open("../data/operations.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, bad, err := ledgercsv.Read(f, ledgercsv.Options{})
	if err != nil || len(bad) != 0 || len(rows) != 6 {
		t.Fatalf("Read = %d rows, %v, %v; want the 6 rows of the sample", len(rows), bad, err)
	}
	last := rows[5]
	if last.Line != 7 || last.Product.String() != "1" || last.Quantity.String() != "30.00" || last.Sale ||
		last.Date.String() != "2023-04-29 00:00:00" || last.Stock == nil || last.Stock.String() != "32.00" {
		t.Fatalf("last row = %+v", last)
	}
	if second := rows[2]; !second.Sale || second.Quantity.String() != "12.00" {
		t.Fatalf("a negative quantity is a sale: %+v", second)
	}
}

func TestReadRefusesBadFiles(t *testing.T) {
	const header = "operation_date;product_ID;operation_qt;stock\n"
	for _, tc := range []struct {
		name     string
		file     string
		fileErr  bool   // the file as a whole is refused
		wantLine int    // else: the first bad line
		wantMsg  string // in the error
	}{
		{"empty file", "", true, 0, "the file is empty"},
		{"header only", header, true, 0, "no operations"},
		{"wrong header", "date;product;qty\n01/01/2024;P1;5\n", true, 0, "want operation_date;product_ID;operation_qt;stock"},
		{"comma-separated", "operation_date,product_ID,operation_qt,stock\n01/01/2024,P1,5,5\n", true, 0, `use --delimiter ","`},
		{"31 February", header + "31/02/2023;P1;5;5\n", false, 2, `date "31/02/2023"`},
		{"ISO date", header + "2023-02-01;P1;5;5\n", false, 2, "format dd/mm/yyyy"},
		{"decimal comma", header + "01/02/2023;P1;12,5;5\n", false, 2, "use a dot for decimals"},
		{"zero quantity", header + "01/02/2023;P1;0;5\n", false, 2, "greater than zero"},
		{"text quantity", header + "01/02/2023;P1;lots;5\n", false, 2, "quantity"},
		{"missing field", header + "01/02/2023;P1;5;5\n01/02/2023;P1\n", false, 3, "2 fields, want 4"},
		{"bad stock", header + "01/02/2023;P1;5;x\n", false, 2, "stock"},
		{"empty product", header + "01/02/2023; ;5;5\n", false, 2, "product"},
		{"binary garbage", header + "01/02/2023;P\xff\xfe;5;5\n", false, 2, "UTF-8"},
		{"very long line", header + "01/02/2023;" + strings.Repeat("P", 10_000) + ";5;5\n01/02/2023;P1;5;5\n", false, 2, "longer than"},
		{"bare quote", header + "01/02/2023;P\"1;5;5\n", false, 2, "not a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, bad, err := ledgercsv.Read(strings.NewReader(tc.file), ledgercsv.Options{})
			if tc.fileErr {
				if !errors.Is(err, ledgercsv.ErrFile) || !strings.Contains(err.Error(), tc.wantMsg) {
					t.Fatalf("Read error = %v, want ErrFile mentioning %q", err, tc.wantMsg)
				}
				return
			}
			if err != nil || len(bad) == 0 {
				t.Fatalf("Read = %d rows, bad %v, err %v; want a bad line", len(rows), bad, err)
			}
			if bad[0].Line != tc.wantLine || !strings.Contains(bad[0].Msg, tc.wantMsg) {
				t.Fatalf("first bad line = %+v, want line %d mentioning %q", bad[0], tc.wantLine, tc.wantMsg)
			}
		})
	}
}

func TestReadVariants(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		opt        ledgercsv.Options
	}{
		{"LF and no BOM", "operation_date;product_ID;operation_qt;stock\n01/01/2024;P1;5;5\n", ledgercsv.Options{}},
		{"no trailing newline", "operation_date;product_ID;operation_qt;stock\r\n01/01/2024;P1;5;5", ledgercsv.Options{}},
		{"no stock column", "operation_date;product_ID;operation_qt\n01/01/2024;P1;5\n", ledgercsv.Options{}},
		{"comma delimiter", "operation_date,product_ID,operation_qt,stock\n01/01/2024,P1,5,5\n", ledgercsv.Options{Delimiter: ','}},
		{"ISO dates", "operation_date;product_ID;operation_qt;stock\n2024-01-01;P1;5;5\n", ledgercsv.Options{Layout: "2006-01-02"}},
		{"empty stock cell", "operation_date;product_ID;operation_qt;stock\n01/01/2024;P1;5;\n", ledgercsv.Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, bad, err := ledgercsv.Read(strings.NewReader(tc.file), tc.opt)
			if err != nil || len(bad) != 0 || len(rows) != 1 || rows[0].Quantity.String() != "5.00" || rows[0].Date.String() != "2024-01-01 00:00:00" {
				t.Fatalf("Read = %+v, %v, %v", rows, bad, err)
			}
		})
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	var b bytes.Buffer
	w := ledgercsv.NewWriter(&b)
	date := mustTime(t, "2024-03-01 00:00:00")
	later := mustTime(t, "2024-03-02 14:05:00")
	w.Write(date, "P;1", 1250, 1250)
	w.Write(later, "P;1", -250, 1000)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("\uFEFFoperation_date;product_ID;operation_qt;stock\r\n")) {
		t.Fatalf("no BOM and CRLF header: %q", b.String())
	}
	rows, bad, err := ledgercsv.Read(&b, ledgercsv.Options{})
	if err != nil || len(bad) != 0 || len(rows) != 2 {
		t.Fatalf("read back: %+v %v %v", rows, bad, err)
	}
	if rows[0].Product.String() != "P;1" || rows[0].Quantity.String() != "12.50" || !rows[1].Sale ||
		rows[1].Date.String() != "2024-03-02 14:05:00" || rows[1].Stock.String() != "10.00" {
		t.Fatalf("round trip: %+v / %+v", rows[0], rows[1])
	}
}

// TestReadALocationColumn: a location column anywhere in the header (the stock column
// kept or not) gives each row its location; a blank cell is Options.Location; a cell
// naming another location than a given Options.Location is an invalid row.
func TestReadALocationColumn(t *testing.T) {
	north, _ := domain.ParseLocationID("north")
	for _, tc := range []struct {
		name, file string
		opt        ledgercsv.Options
		want       []string // each row's location, "" for main
		bad        string
	}{
		{"first", "location;operation_date;product_ID;operation_qt;stock\nnorth;01/03/2024;P1;5;5\n;02/03/2024;P1;1;6\n", ledgercsv.Options{}, []string{"north", "main"}, ""},
		{"last, no stock", "operation_date;product_ID;operation_qt;Location\n01/03/2024;P1;5;\n", ledgercsv.Options{Location: north, LocationGiven: true}, []string{"north"}, ""},
		{"none, --location", "operation_date;product_ID;operation_qt\n01/03/2024;P1;5\n", ledgercsv.Options{Location: north, LocationGiven: true}, []string{"north"}, ""},
		{"contradiction", "operation_date;product_ID;operation_qt;location\n01/03/2024;P1;5;main\n", ledgercsv.Options{Location: north, LocationGiven: true}, nil,
			`line 2: location "main" contradicts --location north`},
		{"invalid", "operation_date;location;product_ID;operation_qt\n01/03/2024;North;P1;5\n", ledgercsv.Options{}, nil, "line 2: location: invalid location"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, bad, err := ledgercsv.Read(strings.NewReader(tc.file), tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if tc.bad != "" {
				if len(bad) != 1 || !strings.Contains(bad[0].Error(), tc.bad) {
					t.Fatalf("bad = %v, want %q", bad, tc.bad)
				}
				return
			}
			var got []string
			for _, r := range rows {
				got = append(got, r.Location.String())
			}
			if len(bad) > 0 || strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("locations = %q (bad %v), want %q", got, bad, tc.want)
			}
		})
	}
}
