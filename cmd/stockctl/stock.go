package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/productid"
	"github.com/stockctl/stockctl/readmodel"
)

func stockCommand() *cli.Command {
	return &cli.Command{
		Name:      "stock",
		Usage:     "show current stock per product",
		ArgsUsage: "[PRODUCT...]",
		Description: "Catches the read model up with the log, then lists every product (or those named)\n" +
			"with its stock and the date of its last operation.\n" +
			"Example: stockctl stock P1 P2 --output json",
		Flags:        []cli.Flag{outputFlag()},
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
			e, err := openCaughtUp(c)
			if err != nil {
				return err
			}
			defer e.Close()
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

// withUnknown adds a zero line for each named product that has no operation, in the
// order the products were named.
func withUnknown(levels []readmodel.StockLevel, named []string) []readmodel.StockLevel {
	if len(named) == 0 {
		return levels
	}
	known := make(map[string]readmodel.StockLevel, len(levels))
	for _, l := range levels {
		known[l.Product] = l
	}
	out := make([]readmodel.StockLevel, 0, len(named))
	seen := make(map[string]bool)
	for _, p := range named {
		if seen[p] {
			continue
		}
		seen[p] = true
		l, ok := known[p]
		if !ok {
			l = readmodel.StockLevel{Product: p, Stock: "0.00"}
		}
		out = append(out, l)
	}
	return out
}
