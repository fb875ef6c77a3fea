package commands

import "github.com/stockctl/stockctl/domain"

// ImportRow is one operation to import, as a file or a database states it. The readers
// (ledgercsv, legacydb) have their own row with the same fields; cmd/ converts theirs into
// this one while reading, so commands depends on no file format.
type ImportRow struct {
	Line     int // what the row's number is in its source: a 1-based line or a rowid (see Import.Unit)
	Date     domain.BusinessDate
	Product  domain.ProductID
	Quantity domain.Quantity
	Sale     bool
	// Stock is the stock the source claims after the operation, if it has the column.
	Stock *domain.Quantity
	// Location is where the operation happens; main when zero.
	Location domain.LocationID
}
