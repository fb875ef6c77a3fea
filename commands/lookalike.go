package commands

import (
	"context"
	"errors"
	"fmt"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/productid"
)

// ErrLookAlike means a restock would create a product whose ID looks like an existing
// product's, or like another new product's in the same import: P1, p1, "P 1" and
// Cyrillic Р1 would silently become separate products. Operation.NewProduct (or
// Import.NewProduct) lets it through.
var ErrLookAlike = errors.New("product looks like another")

// LookAlikeError names the product a new ID looks like. It matches ErrLookAlike.
type LookAlikeError struct {
	Product domain.ProductID
	// Existing is the product it looks like.
	Existing string
	// Line is, in an import, the line where Existing is new too; 0 when Existing is in
	// the ledger.
	Line int
	// Unit is what Line counts: "line" (the default) or "rowid".
	Unit string
}

func (e *LookAlikeError) Error() string {
	other := productid.Quote(e.Existing)
	if e.Line > 0 {
		unit := e.Unit
		if unit == "" {
			unit = "line"
		}
		return fmt.Sprintf("product %q is new, and so is %s on %s %d, which looks the same: did you mean %s? Add --new-product to create both",
			e.Product.String(), other, unit, e.Line, other)
	}
	return fmt.Sprintf("product %q is new, but %s exists: did you mean %s? Add --new-product to create it",
		e.Product.String(), other, other)
}

// Is makes errors.Is(err, ErrLookAlike) true.
func (e *LookAlikeError) Is(target error) bool { return target == ErrLookAlike }

// lookAlikes answers which known product an ID looks like, reading the products once,
// when first asked: only a new product (or a sale of an unknown one) asks.
type lookAlikes struct {
	model ReadModel
	index *productid.Index
}

func (l *lookAlikes) find(ctx context.Context, p domain.ProductID) (string, bool, error) {
	if l.index == nil {
		ids, err := l.model.ProductIDs(ctx)
		if err != nil {
			return "", false, err
		}
		l.index = productid.NewIndex(ids)
	}
	other, ok := l.index.LookAlike(p.String())
	return other, ok, nil
}

// checkNew refuses a restock that would create p when p looks like a known product.
func checkNew(ctx context.Context, model ReadModel, op operation, snap domain.Snapshot) error {
	if op.kind != domain.TypeStockRestocked || snap.Seq > 0 || op.NewProduct {
		return nil
	}
	l := lookAlikes{model: model}
	other, ok, err := l.find(ctx, op.Product)
	if err != nil || !ok {
		return err
	}
	return &LookAlikeError{Product: op.Product, Existing: other}
}

// hintLookAlike adds "did you mean" to the refusal of a sale of a product that was never
// restocked, when it looks like one that was.
func hintLookAlike(ctx context.Context, l *lookAlikes, p domain.ProductID, refusal error) error {
	var ise *domain.InsufficientStockError
	if !errors.As(refusal, &ise) || !ise.NeverRestocked {
		return refusal
	}
	other, ok, err := l.find(ctx, p)
	if err != nil || !ok {
		return refusal
	}
	return fmt.Errorf("%w; did you mean %s?", refusal, productid.Quote(other))
}
