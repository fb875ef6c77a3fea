package web

import (
	"context"
	"time"
)

// The rows of the products and operations lists, and how they are asked for. They mirror
// the read model's field for field: cmd/stockctl converts them.

// ProductRow is one product as the products list shows it. Quantities are in hundredths.
type ProductRow struct {
	Product        string
	StockCents     int64
	Operations     int64 // operations in effect: sales, restocks, adjustments and counts
	LastDate       string
	SoldCents      int64
	RestockedCents int64
}

// OperationQuery selects and orders accepted operations for the operations page and its
// downloads.
type OperationQuery struct {
	// From and To are inclusive business dates; zero means unbounded.
	From, To time.Time
	// Product is a stored product ID; "" selects every product.
	Product string
	// Type is "sale", "restock", "adjustment", "count" or "" for all.
	Type string
	// Sort is one of operationSorts; "" is "-date".
	Sort string
}

// ListedOperation is one accepted operation as the operations page lists it.
type ListedOperation struct {
	Date       string // business date, YYYY-MM-DD HH:MM:SS
	Product    string
	Type       string // "sale", "restock", "adjustment" or "count"
	QtyCents   int64
	StockCents int64 // after the operation
	RecordedAt string
	RecordedBy string
	Note       string
	DeltaCents int64  // signed: an adjustment's or a count's direction
	Reason     string // an adjustment's reason code, a count's or a correction's reason
}

// OperationPage is one page of the operations list.
type OperationPage struct {
	Rows []ListedOperation
	// Total is how many operations the query selects; Start is the 1-based position of
	// the first row among them.
	Total, Start int64
	// Prev and Next are the cursors of the pages before and after; "" at either end.
	Prev, Next string
}

// LastPage, as the before cursor, asks for the last page.
const LastPage = "last"

// QueryError is a list query the store refuses (a damaged cursor, say): the user's to
// fix, shown on the page with 400.
type QueryError struct{ Msg string }

func (e *QueryError) Error() string { return e.Msg }

// listStore is what the lists read, part of Store.
type listStore interface {
	// ProductRows returns every product with an accepted operation, ordered by ID.
	ProductRows(ctx context.Context) ([]ProductRow, error)
	// ProductIDs returns every product with an accepted operation, ordered by ID.
	ProductIDs(ctx context.Context) ([]string, error)
	// OperationsPage returns n operations of q from the start, after the cursor after, or
	// before the cursor before (LastPage: the last n).
	OperationsPage(ctx context.Context, q OperationQuery, after, before string, n int) (OperationPage, error)
	// EachListedOperation calls fn with every operation q selects, in q's order.
	EachListedOperation(ctx context.Context, q OperationQuery, fn func(ListedOperation) error) error
}
