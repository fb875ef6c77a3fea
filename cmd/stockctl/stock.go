package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/asof"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/productid"
	"github.com/stockctl/stockctl/readmodel"
)

func stockCommand() *cli.Command {
	return &cli.Command{
		Name:      "stock",
		Usage:     "show stock per product, now or as of a date",
		ArgsUsage: "[PRODUCT...]",
		Description: "Catches the read model up with the log, then lists every product (or those named)\n" +
			"with its stock and the business date of its latest operation.\n" +
			"--as-of DATE shows the stock once every operation dated up to the end of that day\n" +
			"counts; --as-known-at TIME only what had been recorded by then (local time), as the\n" +
			"ledger knew it; both together, what was known then about that date. A product with\n" +
			"nothing counted is left out, or shown at 0.00 with no date when named. The table\n" +
			"says first which moment it shows; JSON leaves out \"operations\", a count of now.\n" +
			"--by-location (or --location ID) splits each product's stock per location, now or\n" +
			"--as-of a date (not --as-known-at: that is not kept per location).\n" +
			"Examples: stockctl stock P1 P2 --output json\n" +
			"          stockctl stock --as-of 2024-04-30\n" +
			"          stockctl stock P1 --as-of 2024-04-30 --as-known-at \"2024-05-03 18:00:00\"\n" +
			"          stockctl stock --by-location\n" +
			"          stockctl stock --location north --as-of 2024-04-30",
		Flags: append(momentFlags(), outputFlag(),
			&cli.BoolFlag{Name: "by-location", Usage: "one line per product and location, with each product's total"},
			&cli.StringSliceFlag{Name: "location", Usage: "only this location (repeat for several); implies --by-location"}),
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			format, err := checkOutput(c)
			if err != nil {
				return err
			}
			var products []string
			for _, a := range c.Args().Slice() {
				p, err := productid.Lookup(a)
				if err != nil {
					return fmt.Errorf("stock: %w", err)
				}
				products = append(products, p.String())
			}
			m, err := moment(c)
			if err != nil {
				return err
			}
			var only []string
			for _, l := range c.StringSlice("location") {
				id, err := domain.ParseLocationID(l)
				if err != nil {
					return usagef("stock: --location: %v", err)
				}
				only = append(only, id.String())
			}
			byLocation := c.Bool("by-location") || len(only) > 0
			if byLocation && !m.KnownAt.IsZero() {
				return usagef("stock: --by-location and --location take --as-of, not --as-known-at: what was known at a past moment is not kept per location")
			}
			e, err := openCaughtUp(c)
			if err != nil {
				return err
			}
			defer e.Close()
			if byLocation {
				return writeStockByLocation(c, e, m, products, only, format)
			}
			if !m.IsNow() {
				return writeStockAt(c, e, m, products, format)
			}
			return writeStock(c, e, products, format)
		},
	}
}

// writeStock prints the stock of the given products (all when none) in format; once any
// threshold is set, with each product's minimum and whether its stock is at or below it.
func writeStock(c *cli.Context, e *env, products []string, format string) error {
	levels, err := e.db.StockLevels(c.Context, products...)
	if err != nil {
		return err
	}
	levels = withUnknown(levels, products)
	if levels == nil {
		levels = []readmodel.StockLevel{} // JSON shows an empty list, not null
	}
	mins, err := minimums(c, e)
	if err != nil {
		return err
	}
	t := table{header: []string{"product", "stock", "last_operation_date"}, numeric: []int{1}, values: levels}
	if mins == nil {
		for _, l := range levels {
			t.rows = append(t.rows, []string{l.Product, l.Stock, l.LastDate})
		}
		return t.write(c.App.Writer, format)
	}
	t.header = append(t.header, "min", "status")
	t.numeric = append(t.numeric, 3)
	out := make([]watchedLevel, 0, len(levels))
	for _, l := range levels {
		w := watchedLevel{StockLevel: l}
		w.Min, w.Below = mins.of(l.Product, "", l.Stock)
		out = append(out, w)
		t.rows = append(t.rows, []string{l.Product, l.Stock, l.LastDate, deref(w.Min), status(w.Min, w.Below)})
	}
	t.values = out
	return t.write(c.App.Writer, format)
}

// watchedLevel is a product's stock with its minimum, for --output json once any
// threshold is set.
type watchedLevel struct {
	readmodel.StockLevel
	Min   *string `json:"min"`
	Below bool    `json:"at_or_below_min"`
}

// thresholdMins are the minimums set, by product and scope ("" its total).
type thresholdMins map[string]map[string]domain.Quantity

// minimums returns the thresholds set, nil when none is.
func minimums(c *cli.Context, e *env) (thresholdMins, error) {
	list, err := e.db.Thresholds(c.Context)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	m := thresholdMins{}
	for _, t := range list {
		if m[t.Product.String()] == nil {
			m[t.Product.String()] = map[string]domain.Quantity{}
		}
		m[t.Product.String()][t.Scope()] = t.Min
	}
	return m, nil
}

// of returns the minimum of product p's scope, nil when none is set, and whether stock
// is at or below it.
func (m thresholdMins) of(p, scope, stock string) (*string, bool) {
	min, ok := m[p][scope]
	if !ok {
		return nil, false
	}
	var q domain.Quantity
	q.UnmarshalText([]byte(stock))
	s := min.String()
	return &s, q.Cmp(min) <= 0
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// status marks a stock at or below its minimum.
func status(min *string, below bool) string {
	switch {
	case min == nil:
		return ""
	case below:
		return "REORDER"
	}
	return "ok"
}

// writeStockAt prints the stock of the given products (all when none) at moment m, a
// line above the table saying which moment it is.
func writeStockAt(c *cli.Context, e *env, m asof.Moment, products []string, format string) error {
	levels, err := e.db.StockAt(c.Context, m, products...)
	if err != nil {
		return err
	}
	levels = namedAt(levels, products)
	if levels == nil {
		levels = []readmodel.LevelAt{}
	}
	t := table{header: []string{"product", "stock", "last_operation_date"}, numeric: []int{1}, values: levels}
	for _, l := range levels {
		t.rows = append(t.rows, []string{l.Product, l.Stock, l.LastDate})
	}
	if err := writeMoment(c.App.Writer, m, format); err != nil {
		return err
	}
	return t.write(c.App.Writer, format)
}

// withUnknown adds a zero line for each named product that has no operation, in the
// order the products were named.
func withUnknown(levels []readmodel.StockLevel, named []string) []readmodel.StockLevel {
	return namedOnly(levels, named, func(l readmodel.StockLevel) string { return l.Product },
		func(p string) readmodel.StockLevel { return readmodel.StockLevel{Product: p, Stock: "0.00"} })
}

// namedAt is withUnknown at a moment: a named product with nothing counted then is shown
// at zero, with no date.
func namedAt(levels []readmodel.LevelAt, named []string) []readmodel.LevelAt {
	return namedOnly(levels, named, func(l readmodel.LevelAt) string { return l.Product },
		func(p string) readmodel.LevelAt { return readmodel.LevelAt{Product: p, Stock: "0.00"} })
}

// namedOnly returns the lines of the named products in the order named, once each, a
// zero line for a product levels lacks; all of levels when none is named.
func namedOnly[T any](levels []T, named []string, product func(T) string, zero func(string) T) []T {
	if len(named) == 0 {
		return levels
	}
	known := make(map[string]T, len(levels))
	for _, l := range levels {
		known[product(l)] = l
	}
	out := make([]T, 0, len(named))
	seen := make(map[string]bool)
	for _, p := range named {
		if seen[p] {
			continue
		}
		seen[p] = true
		l, ok := known[p]
		if !ok {
			l = zero(p)
		}
		out = append(out, l)
	}
	return out
}

// locationStock is a product's stock in one location, for --output json; Min, once any
// threshold is set, is the location's minimum (null when it has none).
type locationStock struct {
	Location string  `json:"location"`
	Stock    string  `json:"stock"`
	LastDate string  `json:"last_operation_date"`
	Min      *string `json:"min,omitempty"`
	Below    bool    `json:"at_or_below_min,omitempty"`
}

// productLocations is a product's stock by location, for --output json; Min is the
// minimum of its total, when one is set.
type productLocations struct {
	Product   string          `json:"product"`
	Stock     string          `json:"stock"` // over the locations listed
	Min       *string         `json:"min,omitempty"`
	Below     bool            `json:"at_or_below_min,omitempty"`
	Locations []locationStock `json:"locations"`
}

// writeStockByLocation prints the stock of the given products (all when none) per
// location (those in only, all when none) at moment m (now, or the end of a business
// date): a line per product and location, and a total
// line per product kept in more than one.
func writeStockByLocation(c *cli.Context, e *env, m asof.Moment, products, only []string, format string) error {
	for _, l := range only {
		locs, err := e.db.Locations(c.Context)
		if err != nil {
			return err
		}
		id, _ := domain.ParseLocationID(l)
		if _, ok := locs.Get(id); !ok {
			return fmt.Errorf("stock: %w", locs.Check(id))
		}
	}
	levels, err := e.db.PlaceLevelsAt(c.Context, m, products, only)
	if err != nil {
		return err
	}
	if !m.IsNow() {
		if err := writeMoment(c.App.Writer, m, format); err != nil {
			return err
		}
	}
	// The minimums are today's settings: shown with the stock now only.
	var mins thresholdMins
	if m.IsNow() {
		if mins, err = minimums(c, e); err != nil {
			return err
		}
	}
	out := []productLocations{}
	for _, l := range levels {
		if n := len(out); n == 0 || out[n-1].Product != l.Product {
			out = append(out, productLocations{Product: l.Product})
		}
		p := &out[len(out)-1]
		ls := locationStock{Location: l.Location, Stock: cents(l.Cents), LastDate: l.LastDate}
		if mins != nil {
			ls.Min, ls.Below = mins.of(l.Product, l.Location, ls.Stock)
		}
		p.Locations = append(p.Locations, ls)
	}
	t := table{header: []string{"product", "location", "stock", "last_operation_date"}, numeric: []int{2}, values: out}
	if mins != nil {
		t.header = append(t.header, "min", "status")
		t.numeric = append(t.numeric, 4)
	}
	row := func(cells []string, min *string, below bool) {
		if mins != nil {
			cells = append(cells, deref(min), status(min, below))
		}
		t.rows = append(t.rows, cells)
	}
	for i := range out {
		p := &out[i]
		var total int64
		for _, l := range p.Locations {
			var q domain.Quantity
			q.UnmarshalText([]byte(l.Stock))
			total += q.Cents()
			row([]string{p.Product, l.Location, l.Stock, l.LastDate}, l.Min, l.Below)
		}
		p.Stock = cents(total)
		if mins != nil && len(only) == 0 {
			p.Min, p.Below = mins.of(p.Product, "", p.Stock)
		}
		if len(p.Locations) > 1 || p.Min != nil {
			row([]string{p.Product, "(total)", p.Stock, ""}, p.Min, p.Below)
		}
	}
	return t.write(c.App.Writer, format)
}
