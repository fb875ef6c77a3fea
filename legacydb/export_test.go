package legacydb

import (
	"strconv"

	"github.com/stockctl/stockctl/ledgercsv"
)

// MaxValueBytes is the size above which Read does not read a value, only its size.
const MaxValueBytes = maxValueBytes

// RowFromValues validates one row as Read does once it has scanned it: values in the
// order operation_date, product_ID, operation_qt, stock, operation_type, each nil,
// int64, float64, string or []byte as SQLite stores them.
func RowFromValues(line int, values [5]any) (ledgercsv.Row, error) {
	var c [len(columns)]cell
	for i, v := range values {
		var size int
		switch v := v.(type) {
		case nil:
			c[i] = cell{kind: "null"}
			continue
		case int64:
			c[i].kind, size = "integer", len(strconv.FormatInt(v, 10))
		case float64:
			c[i].kind, size = "real", len(strconv.FormatFloat(v, 'g', 15, 64))
		case string:
			c[i].kind, size = "text", len(v)
		case []byte:
			c[i].kind, size = "blob", len(v)
		}
		c[i].size = int64(size)
		if size <= maxValueBytes {
			c[i].v = v
		}
	}
	return rowFrom(line, c)
}
