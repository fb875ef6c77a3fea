package main

import (
	"bufio"
	"fmt"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/internal/datagen"
	"github.com/stockctl/stockctl/internal/termsafe"
)

func generateCommand() *cli.Command {
	return &cli.Command{
		Name:  "generate",
		Usage: "write a realistic, reproducible operations file in the original CSV format",
		Description: "Products with different demand, weekly and seasonal patterns, occasional large\n" +
			"orders, and replenishments when stock runs low. The same options always give the\n" +
			"same file. Writes to standard output unless --out is given.\n" +
			"Example: stockctl generate --products 20 --days 365 --seed 7 --out year.csv",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "products", Usage: "number of products", Value: 20},
			&cli.IntFlag{Name: "days", Usage: "number of days", Value: 365},
			&cli.Uint64Flag{Name: "seed", Usage: "random seed", Value: 1},
			&cli.StringFlag{Name: "start", Usage: "first day, YYYY-MM-DD", Value: "2024-01-01"},
			&cli.StringFlag{Name: "out", Usage: "file to write (default: standard output)"},
		},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("generate takes no arguments")
			}
			opt, err := generateOptions(c)
			if err != nil {
				return err
			}
			out := termsafe.Raw(c.App.Writer) // a CSV file, BOM and CRLFs included
			if path := c.String("out"); path != "" {
				f, err := os.Create(path)
				if err != nil {
					return usagef("generate: %v", err)
				}
				defer f.Close()
				bw := bufio.NewWriter(f)
				defer bw.Flush()
				out = bw
			}
			n, err := datagen.Generate(out, opt)
			if err != nil {
				return err
			}
			if c.String("out") != "" {
				fmt.Fprintf(c.App.ErrWriter, "wrote %d operations over %d products and %d days to %s\n", n, opt.Products, opt.Days, c.String("out"))
			}
			return nil
		},
	}
}

func generateOptions(c *cli.Context) (datagen.Options, error) {
	opt := datagen.Options{Products: c.Int("products"), Days: c.Int("days"), Seed: c.Uint64("seed")}
	if opt.Products < 1 || opt.Products > 100_000 {
		return opt, usagef("--products %d: give 1 to 100000", opt.Products)
	}
	if opt.Days < 1 || opt.Days > 36_600 {
		return opt, usagef("--days %d: give 1 to 36600", opt.Days)
	}
	start, err := time.Parse("2006-01-02", c.String("start"))
	if err != nil || start.Year() < 1900 {
		return opt, usagef("--start %q: use YYYY-MM-DD", c.String("start"))
	}
	opt.Start = start
	return opt, nil
}
