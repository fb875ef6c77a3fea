package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/stockctl/stockctl/domain"
)

// ErrStockColumn means a file's stock column disagrees with the ledger: the import is
// refused whole.
var ErrStockColumn = errors.New("the stock column disagrees with the ledger")

// StockColumnError refuses an import whose stock column disagrees with the ledger, with
// what the ledger holds that may explain it: the rows to record are looked up among the
// ledger's operations by date, product, type and quantity.
type StockColumnError struct {
	Mismatches int
	// SameSource of them are rows already recorded from this source whose stock differs:
	// likely another file that has the same name.
	SameSource int
	// Shifted of them are rows already recorded whose stock differs and which are dated
	// at or after a row to record of the same product: the file's balances include that
	// row, the stock the ledger gave them when it recorded them does not.
	Shifted int
	Source  string // this import's source
	// Backdated holds, for each product with Shifted rows, its earliest row to record
	// dated before an operation of it: the row the file's balances include.
	Backdated []BackdatedRow
	// FileOrder are rows to record dated before an operation of their product whose stock
	// column is the product's stock after the rows in file order, not the balance right
	// after them by date: the file's stock was computed in file order. At most probeRows.
	FileOrder []FileOrderRow
	// Probed rows to record were looked up; Found of them have an operation just like
	// them in the ledger.
	Probed, Found int
	// Other is the other source most of the found rows were imported from, with
	// FromSource of them; FromLegacy were imported before sources were named, and
	// FromWriters were recorded by sell, restock or the web form.
	Other                               string
	FromSource, FromLegacy, FromWriters int
}

// BackdatedRow is a row to record dated before its product's latest operation (Latest,
// in the ledger or earlier in the file).
type BackdatedRow struct {
	Line    int
	Product domain.ProductID
	Date    domain.BusinessDate
	Latest  domain.BusinessDate
}

// FileOrderRow is a row whose stock column is its product's stock in file order; Balance
// is the balance right after it by date, what the ledger compares the column with.
type FileOrderRow struct {
	BackdatedRow
	Balance domain.Quantity
}

func (e *StockColumnError) Error() string {
	return fmt.Sprintf("%v on %d row(s); nothing was appended", ErrStockColumn, e.Mismatches)
}

func (e *StockColumnError) Is(target error) bool { return target == ErrStockColumn }

// probeRows bounds how many rows an import's diagnosis looks up.
const probeRows = 50

// likelyCause looks the rows to record up among the ledger's operations: the same
// operations recorded from another source, by an import before sources, or by sell and
// restock explain a stock column that disagrees.
func (h ImportHandler) likelyCause(ctx context.Context, rows []ImportRow, fates []rowFate, e *StockColumnError) (*StockColumnError, error) {
	sources := make(map[string]int)
	for i, row := range rows {
		if fates[i] != fateAppend {
			continue
		}
		if e.Probed == probeRows {
			break
		}
		e.Probed++
		kind := domain.TypeStockRestocked
		if row.Sale {
			kind = domain.TypeStockSold
		}
		same, err := h.model.SameOperations(ctx, row.Product, row.Date, kind, row.Quantity, 1)
		if err != nil {
			return nil, err
		}
		if len(same) == 0 {
			continue
		}
		e.Found++
		src, imported := importedFrom(same[0].Note)
		switch {
		case imported && src == e.Source:
			// Rows of this source beyond the occurrences recorded: not another source.
			e.FromWriters++
		case imported && strings.HasPrefix(same[0].CommandID, "import:") && !isLegacyImport(same[0].CommandID):
			sources[src]++
		case isLegacyImport(same[0].CommandID):
			e.FromLegacy++
		default:
			e.FromWriters++
		}
	}
	for src, n := range sources {
		if n > e.FromSource || (n == e.FromSource && src < e.Other) {
			e.Other, e.FromSource = src, n
		}
	}
	return e, nil
}
