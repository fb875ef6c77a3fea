package ledgercsv_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/ledgercsv"
)

// FuzzRead: any input gives rows or errors, never a panic, and every row it accepts is
// written and read back unchanged.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"\uFEFFoperation_date;product_ID;operation_qt;stock\r\n31/12/2022;1;24;24\r\n15/01/2023;1;-12;12",
		"operation_date;product_ID;operation_qt\n01/01/2024;P1;5\n",
		"operation_date;product_ID;operation_qt;stock\n31/02/2023;P1;5;5\n01/01/2024;\"P;1\";-2.5;\n",
		"operation_date;product_ID;operation_qt;stock\n01/01/2024 10:11:12;P1;1e3;5\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, _, err := ledgercsv.Read(bytes.NewReader(data), ledgercsv.Options{})
		if err != nil || len(rows) == 0 {
			return
		}
		var b bytes.Buffer
		w := ledgercsv.NewWriter(&b)
		for _, r := range rows {
			signed := r.Quantity.Cents()
			if r.Sale {
				signed = -signed
			}
			w.Write(r.Date.Time(), r.Product.String(), signed, 0)
		}
		w.Flush()
		again, bad, err := ledgercsv.Read(&b, ledgercsv.Options{})
		if err != nil || len(bad) != 0 || len(again) != len(rows) {
			t.Fatalf("rows written back do not read back: %v %v (%d vs %d)\n%s", err, bad, len(again), len(rows), strings.ToValidUTF8(b.String(), "?"))
		}
		for i := range rows {
			a, b := rows[i], again[i]
			if a.Date != b.Date || a.Product != b.Product || a.Quantity != b.Quantity || a.Sale != b.Sale {
				t.Fatalf("row %d changed: %+v -> %+v", i, a, b)
			}
		}
	})
}
