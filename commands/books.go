package commands

import (
	"context"
	"time"

	"github.com/stockctl/stockctl/domain"
)

// Books is what deciding an operation reads beyond its product's state: the closed
// period, and a product's balances around a date before its latest operation.
type Books interface {
	// ClosedThrough returns the last day of the closed period, zero when none is.
	ClosedThrough(ctx context.Context) (domain.BusinessDate, error)
	// Span returns product p's balances around business date d.
	Span(ctx context.Context, p domain.ProductID, d domain.BusinessDate) (domain.Span, error)
	// Timeline returns product p's balances by business date.
	Timeline(ctx context.Context, p domain.ProductID) (*domain.Timeline, error)
	// Locations returns the locations operations may name.
	Locations(ctx context.Context) (*domain.Locations, error)
	// PlaceSpan returns product p's balances in location l around business date d.
	PlaceSpan(ctx context.Context, p domain.ProductID, l domain.LocationID, d domain.BusinessDate) (domain.Span, error)
	// PlaceTimeline returns product p's balances by business date in location l.
	PlaceTimeline(ctx context.Context, p domain.ProductID, l domain.LocationID) (*domain.Timeline, error)
}

// placeConditions adds to c what deciding op in its location needs: the locations, and
// the balances there around its date (and its destination's, for a transfer) when it is
// dated before its latest operation there.
func placeConditions(ctx context.Context, b Books, s *domain.Stock, op operation, c *domain.Conditions) error {
	var err error
	if c.Locations, err = b.Locations(ctx); err != nil {
		return err
	}
	if s.BackdatedIn(op.Location, op.Date) {
		if c.Place, err = b.PlaceSpan(ctx, s.Product(), op.Location, op.Date); err != nil {
			return err
		}
	}
	if op.kind == domain.TypeStockTransferred && s.BackdatedIn(op.To, op.Date) {
		if c.To, err = b.PlaceSpan(ctx, s.Product(), op.To, op.Date); err != nil {
			return err
		}
	}
	return nil
}

// placesOf returns s's stock per location.
func placesOf(s *domain.Stock) map[domain.LocationID]domain.Quantity {
	out := map[domain.LocationID]domain.Quantity{}
	for _, p := range s.Places() {
		out[p.Location] = p.Level
	}
	return out
}

// conditions returns what deciding an operation of s dated d needs from the read model:
// the closed period, and the balances around d when d is before the product's latest
// operation.
func conditions(ctx context.Context, b Books, s *domain.Stock, d domain.BusinessDate) (domain.Conditions, error) {
	var c domain.Conditions
	var err error
	if c.ClosedThrough, err = b.ClosedThrough(ctx); err != nil {
		return c, err
	}
	if s.Backdated(d) {
		if c.Span, err = b.Span(ctx, s.Product(), d); err != nil {
			return c, err
		}
	}
	return c, nil
}

// simulation decides a file's rows in memory, as the log will: each product's balances
// by date are read once, when its first row is decided, and then follow the rows.
// Outside main, each (product, location)'s balances are kept too (importlocation.go).
type simulation struct {
	books      Books
	closed     domain.BusinessDate
	lines      map[domain.ProductID]*domain.Timeline
	locations  *domain.Locations
	placeLines PlaceTimelines // nil: the books cannot tell balances per location
	places     map[placeKey]*domain.Timeline
	// placed holds the products not kept in main only: read once per product, then
	// set by its first row elsewhere (Stock.Places allocates, once per row otherwise).
	placed map[domain.ProductID]bool
}

func newSimulation(ctx context.Context, b Books) (*simulation, error) {
	closed, err := b.ClosedThrough(ctx)
	if err != nil {
		return nil, err
	}
	locs, err := b.Locations(ctx)
	if err != nil {
		return nil, err
	}
	pl, _ := b.(PlaceTimelines)
	return &simulation{books: b, closed: closed, lines: make(map[domain.ProductID]*domain.Timeline),
		locations: locs, placeLines: pl, places: make(map[placeKey]*domain.Timeline),
		placed: make(map[domain.ProductID]bool)}, nil
}

// reset forgets the rows decided, for deciding them again from the same start.
func (sim *simulation) reset() { clear(sim.lines); clear(sim.places); clear(sim.placed) }

// decide decides op against s as the log will and, when accepted, applies it to s and
// to the product's balances; the effect tells the balance right after it in business-date
// order, what the log's projection will record for it.
func (sim *simulation) decide(ctx context.Context, s *domain.Stock, op operation, eventID string, now time.Time) (domain.Event, domain.Effect, error) {
	line, ok := sim.lines[s.Product()]
	if !ok {
		line = domain.NewTimeline(nil)
		if s.Seq() > 0 {
			var err error
			if line, err = sim.books.Timeline(ctx, s.Product()); err != nil {
				return domain.Event{}, domain.Effect{}, err
			}
		}
		sim.lines[s.Product()] = line
		sim.placed[s.Product()] = !keptInMain(s)
	}
	c := domain.Conditions{ClosedThrough: sim.closed, Locations: sim.locations}
	if s.Backdated(op.Date) {
		c.Span = line.Span(op.Date)
	}
	// A product kept in main only, and a row in main, need no balances per location.
	var place *domain.Timeline
	if sim.placed[s.Product()] || !op.Location.IsMain() {
		// Main's first: when the product leaves main now, main's balances are its own.
		main, err := sim.placeLine(ctx, s, domain.MainLocation, line)
		if err != nil {
			return domain.Event{}, domain.Effect{}, err
		}
		if place = main; !op.Location.IsMain() {
			if place, err = sim.placeLine(ctx, s, op.Location, line); err != nil {
				return domain.Event{}, domain.Effect{}, err
			}
		}
		if s.BackdatedIn(op.Location, op.Date) {
			c.Place = place.Span(op.Date)
		}
	}
	e, err := decide(s, op, eventID, now, c)
	if err != nil {
		return domain.Event{}, domain.Effect{}, err
	}
	eff, err := s.Apply(e, c)
	if err != nil {
		return domain.Event{}, domain.Effect{}, err
	}
	line.Add(e.BusinessDate, eff.Delta)
	if place != nil {
		place.Add(e.BusinessDate, eff.Place.Delta)
		sim.placed[s.Product()] = true
	}
	return e, eff, nil
}
