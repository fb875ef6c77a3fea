package main

import (
	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/reports"
)

// filterFlags select operations by business date and product, for report and export.
func filterFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "from", Usage: "first business date included, YYYY-MM-DD"},
		&cli.StringFlag{Name: "to", Usage: "last business date included, YYYY-MM-DD"},
		&cli.StringSliceFlag{Name: "product", Usage: "only this product (repeat for several)"},
	}
}

// parseFilter reads --from, --to and --product.
func parseFilter(c *cli.Context) (reports.Filter, error) {
	for _, name := range []string{"from", "to"} {
		if c.IsSet(name) && c.String(name) == "" {
			return reports.Filter{}, usagef("--%s \"\": use a date YYYY-MM-DD from year %d", name, domain.MinBusinessYear)
		}
	}
	return reports.ParseFilter(c.String("from"), c.String("to"), c.StringSlice("product"), func(field string) string { return "--" + field })
}
