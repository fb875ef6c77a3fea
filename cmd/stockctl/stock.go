package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/asof"
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
			"says which moment it shows; JSON and CSV then leave out \"operations\".\n" +
			"Examples: stockctl stock P1 P2 --output json\n" +
			"          stockctl stock --as-of 2024-04-30\n" +
			"          stockctl stock P1 --as-of 2024-04-30 --as-known-at \"2024-05-03 18:00:00\"",
		Flags:        append(momentFlags(), outputFlag()),
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
			e, err := openCaughtUp(c)
			if err != nil {
				return err
			}
			defer e.Close()
			if !m.IsNow() {
				return writeStockAt(c, e, m, products, format)
			}
			return writeStock(c, e, products, format)
		},
	}
}

// writeStock prints the stock of the given products (all when none) in format.
func writeStock(c *cli.Context, e *env, products []string, format string) error {
	levels, err := e.db.StockLevels(c.Context, products...)
	if err != nil {
		return err
	}
	levels = withUnknown(levels, products)
	if levels == nil {
		levels = []readmodel.StockLevel{} // JSON shows an empty list, not null
	}
	t := table{header: []string{"product", "stock", "last_operation_date"}, numeric: []int{1}, values: levels}
	for _, l := range levels {
		t.rows = append(t.rows, []string{l.Product, l.Stock, l.LastDate})
	}
	return t.write(c.App.Writer, format)
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
