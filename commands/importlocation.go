package commands

import (
	"context"
	"errors"
	"fmt"

	"github.com/stockctl/stockctl/domain"
)

// ErrRowsMoved means rows of an import were recorded before, from the same source, in
// another location: importing them here would record them twice.
var ErrRowsMoved = errors.New("rows of this source were recorded in another location")

// RowsMovedError refuses an import whose rows, by source and content, were recorded in
// another location than the file now gives them.
type RowsMovedError struct {
	Line     int
	Unit     string
	Product  domain.ProductID
	Recorded domain.LocationID // where the earlier import recorded the row
	Now      domain.LocationID // where this import puts it
}

func (e *RowsMovedError) Error() string {
	return fmt.Sprintf("%v: %s %d (%q) was imported from this source into %s, and now says %s; "+
		"nothing was appended: give the rows their first location, or move the stock with transfer",
		ErrRowsMoved, e.Unit, e.Line, e.Product.String(), e.Recorded, e.Now)
}

func (e *RowsMovedError) Is(target error) bool { return target == ErrRowsMoved }

// checkLocations refuses rows naming a location the ledger does not know, or knows
// closed, before anything is decided: the error lists the open ones.
func checkLocations(locs *domain.Locations, rows []ImportRow, unit string) error {
	seen := make(map[domain.LocationID]bool)
	for _, row := range rows {
		if seen[row.Location] {
			continue
		}
		seen[row.Location] = true
		if err := locs.Check(row.Location); err != nil {
			return fmt.Errorf("%s %d: %w", unit, row.Line, err)
		}
	}
	return nil
}

// movedRow looks row i up in every other location the ledger knows, by the command ID it
// would have had there: a row recorded from this source in another location.
func (h ImportHandler) movedRow(ctx context.Context, ids rowIdentities, i int, row ImportRow, locs *domain.Locations, unit string) error {
	for _, l := range locs.List() {
		if l.ID == row.Location {
			continue
		}
		prior, err := h.model.CommandOutcome(ctx, ids.movedID(row, i, l.ID))
		if err != nil {
			return err
		}
		if prior.Found {
			return &RowsMovedError{Line: row.Line, Unit: unit, Product: row.Product, Recorded: l.ID, Now: row.Location}
		}
	}
	return nil
}

// placeKey names one product's stock in one location.
type placeKey struct {
	product  domain.ProductID
	location domain.LocationID
}

// PlaceTimelines reads a product's balances by date in one location, for an import
// deciding rows outside main (readmodel.DB implements it).
type PlaceTimelines interface {
	PlaceTimeline(ctx context.Context, p domain.ProductID, l domain.LocationID) (*domain.Timeline, error)
}

// placeLine returns s's balances by date in l as the simulation has them: read once,
// then following the rows. A product kept in main only has main's balances as its own
// (line), as the domain copies them when the product first leaves main.
func (sim *simulation) placeLine(ctx context.Context, s *domain.Stock, l domain.LocationID, line *domain.Timeline) (*domain.Timeline, error) {
	k := placeKey{s.Product(), l}
	if pl, ok := sim.places[k]; ok {
		return pl, nil
	}
	var pl *domain.Timeline
	switch {
	case l.IsMain() && keptInMain(s):
		pl = domain.NewTimeline(line.Dates())
	case s.Seq() > 0 && sim.placeLines != nil:
		var err error
		if pl, err = sim.placeLines.PlaceTimeline(ctx, s.Product(), l); err != nil {
			return nil, err
		}
	default:
		pl = domain.NewTimeline(nil)
	}
	sim.places[k] = pl
	return pl, nil
}

// keptInMain reports whether every operation of s was in main.
func keptInMain(s *domain.Stock) bool {
	p := s.Places()
	return len(p) == 1 && p[0].Location.IsMain()
}
