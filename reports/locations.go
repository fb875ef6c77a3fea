package reports

import (
	"context"
	"slices"
)

// LocationStocker is what a store offers for the stock per location (issue 19); a store
// without it gets a report without those sections.
type LocationStocker interface {
	// LocationLevels returns the stock now of f's products (all when none) in each
	// location they have been used in (main's is the product's for one kept in main only).
	LocationLevels(ctx context.Context, f Filter) ([]PlaceLevel, error)
}

// PlaceLevel is a product's stock in one location.
type PlaceLevel struct {
	Product, Location string
	Cents             int64
}

// placeTotal is one row of "Current stock per location".
type placeTotal struct {
	Location string
	Products int // with stock there
	Cents    int64
}

// placeCell is one cell of the product × location heat table: its stock and shade (0: none
// to 4: the most of any cell).
type placeCell struct {
	Cents int64
	Shade int
}

// placeRow is a product's row of the heat table.
type placeRow struct {
	Product string
	Cells   []placeCell
	Cents   int64
}

// places is the stock per location sections: shown only when more than one location is
// in use, so a ledger kept in main only has the report it always had.
type places struct {
	Locations []string
	Totals    []placeTotal
	Rows      []placeRow // the products with the most stock, most first
	Left      int        // products not in Rows
}

// heatPlaces is how many products the product × location table shows.
const heatPlaces = 12

// buildPlaces groups levels into the sections, nil when they name at most one location.
func buildPlaces(levels []PlaceLevel) *places {
	byLoc := map[string]*placeTotal{}
	byProduct := map[string]map[string]int64{}
	var locs []string
	for _, l := range levels {
		t := byLoc[l.Location]
		if t == nil {
			t = &placeTotal{Location: l.Location}
			byLoc[l.Location] = t
			locs = append(locs, l.Location)
		}
		t.Cents += l.Cents
		if l.Cents > 0 {
			t.Products++
		}
		if byProduct[l.Product] == nil {
			byProduct[l.Product] = map[string]int64{}
		}
		byProduct[l.Product][l.Location] += l.Cents
	}
	if len(locs) < 2 {
		return nil
	}
	// main first, then by ID, as stock --by-location lists them.
	slices.SortFunc(locs, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == "main":
			return -1
		case b == "main":
			return 1
		case a < b:
			return -1
		}
		return 1
	})
	p := &places{Locations: locs}
	for _, l := range locs {
		p.Totals = append(p.Totals, *byLoc[l])
	}
	var rows []placeRow
	var most int64
	for product, at := range byProduct {
		r := placeRow{Product: product}
		for _, l := range locs {
			r.Cells = append(r.Cells, placeCell{Cents: at[l]})
			r.Cents += at[l]
			most = max(most, at[l])
		}
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b placeRow) int {
		if a.Cents != b.Cents {
			if a.Cents > b.Cents {
				return -1
			}
			return 1
		}
		if a.Product < b.Product {
			return -1
		}
		return 1
	})
	if len(rows) > heatPlaces {
		p.Left = len(rows) - heatPlaces
		rows = rows[:heatPlaces]
	}
	for i := range rows {
		for j, c := range rows[i].Cells {
			if c.Cents > 0 && most > 0 {
				rows[i].Cells[j].Shade = 1 + int(3*c.Cents/most)
			}
		}
	}
	p.Rows = rows
	return p
}
