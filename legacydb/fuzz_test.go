package legacydb_test

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/legacydb"
)

// FuzzRowFromValues: any values of any SQLite storage class in any column give a row or
// a short, valid UTF-8 message, never a panic; an accepted row holds a positive quantity
// and a date from 1900.
func FuzzRowFromValues(f *testing.F) {
	f.Add(uint16(0o33333), "2022-12-31 00:00:00", "1", "24", "24", "replenishment", int64(12), 12.5)
	f.Add(uint16(0o31213), "2023-01-15T00:00:00.5", " P1 ", " 12.5 ", "", "Sales", int64(-3), 12.345)
	f.Add(uint16(0o04420), "1899-12-31", "P\x00", "-0", "x", "return", int64(0), -1.0)
	f.Add(uint16(0o32222), "2023-02-30", "", "1e3", "-1", "sales ", int64(1<<62), 1e300)
	long := strings.Repeat("\x01a", 100)
	f.Add(uint16(0o33333), "2023-01-01", "P1", "-"+long, long, long, int64(0), 0.0)
	f.Add(uint16(0o33333), long, long, "1", "1", "sales", int64(0), 0.0)
	f.Fuzz(func(t *testing.T, kinds uint16, date, product, qty, stock, typ string, n int64, x float64) {
		texts := [5]string{date, product, qty, stock, typ}
		var values [5]any
		for i := range values {
			switch (kinds >> (3 * i)) & 7 {
			case 0:
				values[i] = nil
			case 1:
				values[i] = n
			case 2:
				values[i] = x
			case 3, 5, 6, 7:
				values[i] = texts[i]
			case 4:
				values[i] = []byte(texts[i])
			}
		}
		row, err := legacydb.RowFromValues(42, values)
		if err != nil {
			msg := err.Error()
			if !utf8.ValidString(msg) || len(msg) > 4*legacydb.MaxValueBytes || strings.ContainsAny(msg, "\x00\x1b\n") {
				t.Fatalf("message %q", msg)
			}
			for _, v := range texts {
				// A value is quoted clipped to about 60 bytes, never whole.
				n := 64
				for n < len(v) && !utf8.RuneStart(v[n]) {
					n++
				}
				if n < len(v) && strings.Contains(msg, strings.TrimSuffix(strconv.Quote(v[:n]), `"`)) {
					t.Fatalf("message %q quotes a long value whole", msg)
				}
			}
			return
		}
		if row.Line != 42 || row.Quantity.IsZero() || row.Date.Time().Year() < domain.MinBusinessYear || row.Product.IsZero() {
			t.Fatalf("accepted %+v from %#v", row, values)
		}
	})
}
