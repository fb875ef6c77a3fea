package main

import (
	"fmt"
	"time"

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

func parseFilter(c *cli.Context) (reports.Filter, error) {
	var f reports.Filter
	for _, name := range []string{"from", "to"} {
		if !c.IsSet(name) {
			continue
		}
		d, err := time.Parse("2006-01-02", c.String(name))
		if err != nil || d.Year() < domain.MinBusinessYear {
			return f, usagef("--%s %q: use a date YYYY-MM-DD from year %d", name, c.String(name), domain.MinBusinessYear)
		}
		if name == "from" {
			f.From = d
		} else {
			f.To = d
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return f, usagef("--to %s is before --from %s", c.String("to"), c.String("from"))
	}
	for _, raw := range c.StringSlice("product") {
		p, err := domain.ParseProductID(raw)
		if err != nil {
			return f, fmt.Errorf("--product: %w", err)
		}
		f.Products = append(f.Products, p.String())
	}
	return f, nil
}
