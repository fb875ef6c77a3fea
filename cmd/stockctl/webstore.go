package main

import (
	"context"
	"errors"

	"github.com/stockctl/stockctl/asof"
	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/readmodel"
	"github.com/stockctl/stockctl/web"
)

// webStore is the read model as web reads it: web owns the rows its API answers with and
// does not import readmodel, so the rows are converted here. The conversions are plain
// ones between identical fields: a field added to one side and not the other stops the
// build here.
type webStore struct{ *readmodel.DB }

// StockLevels implements web.Store.
func (s webStore) StockLevels(ctx context.Context, products ...string) ([]web.StockLevel, error) {
	levels, err := s.DB.StockLevels(ctx, products...)
	return convertRows(levels, func(l readmodel.StockLevel) web.StockLevel { return web.StockLevel(l) }), err
}

// StockAt implements web.Store.
func (s webStore) StockAt(ctx context.Context, m asof.Moment, products ...string) ([]web.LevelAt, error) {
	levels, err := s.DB.StockAt(ctx, m, products...)
	return convertRows(levels, func(l readmodel.LevelAt) web.LevelAt { return web.LevelAt(l) }), err
}

// History implements web.Store.
func (s webStore) History(ctx context.Context, product string) ([]web.HistoryEntry, error) {
	entries, err := s.DB.History(ctx, product)
	return convertRows(entries, webHistoryEntry), err
}

func webHistoryEntry(e readmodel.HistoryEntry) web.HistoryEntry { return web.HistoryEntry(e) }

// webOperations are the read model's changes as web's event stream tells them.
func webOperations(changes []readmodel.Change) []web.AppliedOperation {
	return convertRows(changes, func(c readmodel.Change) web.AppliedOperation { return web.AppliedOperation(c) })
}

// convertRows keeps nil nil: web answers an empty list where the read model found no row.
func convertRows[A, B any](in []A, as func(A) B) []B {
	if in == nil {
		return nil
	}
	out := make([]B, len(in))
	for i, r := range in {
		out[i] = as(r)
	}
	return out
}

// HistoryPage implements web.Store.
func (s webStore) HistoryPage(ctx context.Context, product string, skip, n int) ([]web.HistoryEntry, int, error) {
	entries, total, err := s.DB.HistoryPage(ctx, product, skip, n)
	return convertRows(entries, webHistoryEntry), total, err
}

// ProductRows implements web.Store.
func (s webStore) ProductRows(ctx context.Context) ([]web.ProductRow, error) {
	rows, err := s.DB.ProductRows(ctx)
	return convertRows(rows, func(p readmodel.ProductRow) web.ProductRow { return web.ProductRow(p) }), err
}

// OperationsPage implements web.Store.
func (s webStore) OperationsPage(ctx context.Context, q web.OperationQuery, after, before string, n int) (web.OperationPage, error) {
	p, err := s.DB.OperationsPage(ctx, readmodel.OperationQuery(q), after, before, n)
	return web.OperationPage{Rows: convertRows(p.Rows, webListedOperation), Total: p.Total, Start: p.Start,
		Prev: p.Prev, Next: p.Next}, webQueryError(err)
}

// EachListedOperation implements web.Store.
func (s webStore) EachListedOperation(ctx context.Context, q web.OperationQuery, fn func(web.ListedOperation) error) error {
	return webQueryError(s.DB.EachListedOperation(ctx, readmodel.OperationQuery(q), func(o readmodel.ListedOperation) error {
		return fn(webListedOperation(o))
	}))
}

func webListedOperation(o readmodel.ListedOperation) web.ListedOperation {
	return web.ListedOperation(o)
}

// webQueryError tells web which errors are the query's, for a 400 rather than a 503.
func webQueryError(err error) error {
	var bad *readmodel.QueryError
	if errors.As(err, &bad) {
		return &web.QueryError{Msg: bad.Msg}
	}
	return err
}

// ResolveOperation implements web.OperationResolver: the read model's prefix rule, with
// its ambiguous prefix as commands.ErrAmbiguousID, which web answers 400.
func (s webStore) ResolveOperation(ctx context.Context, prefix string) (string, error) {
	id, err := s.DB.ResolveOperation(ctx, prefix)
	if errors.Is(err, readmodel.ErrAmbiguousID) {
		return "", &ambiguousID{err}
	}
	return id, err
}

// ambiguousID is the read model's ambiguous-prefix error, matching commands.ErrAmbiguousID
// too.
type ambiguousID struct{ error }

func (e *ambiguousID) Unwrap() error { return e.error }

func (e *ambiguousID) Is(target error) bool { return target == commands.ErrAmbiguousID }

var _ web.OperationResolver = webStore{}

// Locations implements web.Store.
func (s webStore) Locations(ctx context.Context) ([]web.Location, error) {
	list, err := s.DB.LocationList(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]web.Location, len(list))
	for i, li := range list {
		out[i] = web.Location{ID: li.ID.String(), Name: li.Name, Status: li.Status, Stock: cents(li.Stock), Products: li.Products}
	}
	return out, nil
}

// ProductLocations implements web.Store.
func (s webStore) ProductLocations(ctx context.Context, product string) ([]web.LocationStock, error) {
	levels, err := s.DB.PlaceLevels(ctx, []string{product}, nil)
	return convertRows(levels, func(l readmodel.PlaceLevel) web.LocationStock {
		return web.LocationStock{Location: l.Location, Stock: cents(l.Cents)}
	}), err
}
