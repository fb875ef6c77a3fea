// Package reports renders the read model as charts (PNG and SVG, with go-chart) and one
// self-contained HTML page. It reads through Store, which the read model implements with
// SQL aggregates: the ledger itself is never loaded into memory.
package reports

import (
	"context"
	"time"
)

// Filter selects the operations a report covers.
type Filter struct {
	// From and To are inclusive business dates; zero means unbounded.
	From, To time.Time
	// Products, when not empty, limits the report to these products.
	Products []string
	// AsOf, when set, is the business day whose end the stock levels are read at (the
	// report as it stood then); zero means now, after every operation.
	AsOf time.Time
	// Location, when set, names the one location the report is of, in its title; the
	// store given must read that location's figures (readmodel's DB.AtLocation).
	Location string
}

// Store is what a report reads. Quantities are in hundredths.
type Store interface {
	// ProductTotals returns, per product with operations in the filter, its counts and
	// quantities of sales and replenishments.
	ProductTotals(ctx context.Context, f Filter) ([]ProductTotals, error)
	// PeriodTotals returns units sold and restocked per bucket of business dates.
	PeriodTotals(ctx context.Context, f Filter, bucket Bucket) ([]PeriodTotals, error)
	// StockSeries returns the stock of product after each accepted operation in the
	// filter's period, in business-date order, starting with the level the period began at.
	StockSeries(ctx context.Context, f Filter, product string) ([]StockPoint, error)
	// CurrentStock returns the stock of f's products (all when none) at the end of f.AsOf
	// (zero: now), lowest first, at most limit products, and how many products had an
	// operation by then in all.
	CurrentStock(ctx context.Context, f Filter, limit int) ([]StockLevel, int, error)
	// StockCounts returns how many of f's products have stock at zero and at or below
	// low at the end of f.AsOf (zero: now).
	StockCounts(ctx context.Context, f Filter, low int64) (zero, atOrBelowLow int, err error)
	// Operations returns the newest accepted operations in the filter by business date,
	// at most limit.
	Operations(ctx context.Context, f Filter, limit int) ([]Operation, error)
	// RecentOperations returns the accepted operations in the filter most recently
	// recorded, at most limit: what a live view lists.
	RecentOperations(ctx context.Context, f Filter, limit int) ([]Operation, error)
	// Rejected returns the newest rejected operations in the filter, at most limit, and
	// how many there are.
	Rejected(ctx context.Context, f Filter, limit int) ([]Rejection, int, error)
	// KnownProducts returns which of the given products have ever had an operation.
	KnownProducts(ctx context.Context, products []string) ([]string, error)
	// Repairs returns the newest voids, corrections, counts and adjustments in the
	// filter, most recently recorded first, at most limit, and how many there are.
	Repairs(ctx context.Context, f Filter, limit int) ([]Repair, int, error)
}

// ProductTotals is one product's activity in a period: operations in effect only.
type ProductTotals struct {
	Product                   string
	Sales, Restocks           int   // operations
	SoldCents, RestockedCents int64 // units
	// Adjustments counts adjustments and counts; AdjustedCents is what they moved the
	// stock by, signed.
	Adjustments   int
	AdjustedCents int64
}

// Bucket is the length of a period bucket.
type Bucket string

// Buckets.
const (
	Day   Bucket = "day"
	Week  Bucket = "week"
	Month Bucket = "month"
)

// PeriodTotals is the units sold, restocked and adjusted in one bucket.
type PeriodTotals struct {
	Start                     time.Time
	SoldCents, RestockedCents int64
	// AdjustedInCents and AdjustedOutCents are the units adjustments and counts added
	// to and took out of stock, both positive.
	AdjustedInCents, AdjustedOutCents int64
}

// StockPoint is a product's stock after an operation.
type StockPoint struct {
	Date  time.Time
	Cents int64
}

// StockLevel is a product's current stock.
type StockLevel struct {
	Product  string
	Cents    int64
	LastDate string
}

// Operation is one accepted operation in effect.
type Operation struct {
	Date, Product, Type  string // Type: "sale", "restock", "adjustment" or "count"
	QtyCents, StockCents int64
	RecordedBy, Note     string
	// DeltaCents is the signed movement; Reason an adjustment's reason code, or a
	// count's or a correction's reason.
	DeltaCents int64
	Reason     string
	// Corrects is, for a correction's operation, the event ID of the one it replaced.
	Corrects string
}

// Repair is one accepted void, correction, count or adjustment: who made it, when, why,
// and what it changed.
type Repair struct {
	RecordedAt, RecordedBy string
	Kind                   string // "void", "correction", "count" or "adjustment"
	Date, Product          string // the business date it applies at, and its product
	// DeltaCents is what it moved the stock by in all.
	DeltaCents   int64
	Reason, Note string
	// The operation a void or a correction repaired: its event ID, type ("sale",
	// "restock", "adjustment", "count"), business date and signed movement.
	TargetID, TargetType, TargetDate string
	TargetCents                      int64
	// A correction's new operation: its signed movement and its business date; a
	// count's quantity counted.
	NewCents     int64
	CountedCents int64
}

// Rejection is one operation the ledger refused.
type Rejection struct {
	Date, Product, Type, Reason, Detail string
	QtyCents                            int64
	RecordedBy                          string
}
