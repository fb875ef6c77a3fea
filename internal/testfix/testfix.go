// Package testfix builds the fixtures the tests of several packages share: a read model
// in a test's temporary directory, and log records of valid events applied through the
// ledger projection. Tests only: no production package imports it.
package testfix

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/readmodel"
)

// MustOpenDB opens a new read model in tb's temporary directory, closed when tb ends.
func MustOpenDB(tb testing.TB) *readmodel.DB {
	tb.Helper()
	db, err := readmodel.Open(context.Background(), filepath.Join(tb.TempDir(), "operations.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Product parses a product ID a test wrote, failing tb if it is not one.
func Product(tb testing.TB, s string) domain.ProductID {
	tb.Helper()
	p, err := domain.ParseProductID(s)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// Quantity parses a quantity a test wrote, failing tb if it is not one.
func Quantity(tb testing.TB, s string) domain.Quantity {
	tb.Helper()
	q, err := domain.ParseQuantity(s)
	if err != nil {
		tb.Fatal(err)
	}
	return q
}

// Record is the log record of event e at pos, keyed by its product as the publisher keys
// it.
func Record(tb testing.TB, pos domain.Position, e domain.Event) domain.Record {
	tb.Helper()
	b, err := domain.MarshalEvent(e)
	if err != nil {
		tb.Fatal(err)
	}
	return domain.Record{Position: pos, Key: []byte(e.Product.String()), Value: b}
}

// Apply projects records into db through the ledger projection, as a catch-up would.
func Apply(tb testing.TB, db *readmodel.DB, records []domain.Record) {
	tb.Helper()
	if _, err := projections.NewLedger(db).Apply(context.Background(), records); err != nil {
		tb.Fatal(err)
	}
}
