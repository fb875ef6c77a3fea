package main

import (
	"bufio"
	"fmt"
	"math"
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
			"--backdated PCT dates that percentage of the operations 1 to --backdate-days days\n" +
			"before their product's latest date in the file (late paperwork), each still\n" +
			"accepted by the ledger: a backdated sale is cut down to what its product holds\n" +
			"from that date on.\n" +
			"Example: stockctl generate --products 20 --days 365 --seed 7 --out year.csv\n" +
			"Example: stockctl generate --products 20 --days 365 --backdated 2 --out late.csv",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "products", Usage: "number of products", Value: 20},
			&cli.IntFlag{Name: "days", Usage: "number of days", Value: 365},
			&cli.Uint64Flag{Name: "seed", Usage: "random seed", Value: 1},
			&cli.StringFlag{Name: "start", Usage: "first day, YYYY-MM-DD", Value: "2024-01-01"},
			&cli.StringFlag{Name: "out", Usage: "file to write (default: standard output)"},
			&cli.Float64Flag{Name: "backdated", Usage: "percentage of operations dated before their product's latest, 0 to 50 (e.g. 2)"},
			&cli.IntFlag{Name: "backdate-days", Usage: "how many days before at most, with --backdated", Value: 90},
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
			rep, err := datagen.GenerateReport(out, opt)
			if err != nil {
				return err
			}
			if c.String("out") != "" {
				fmt.Fprintf(c.App.ErrWriter, "wrote %d operations over %d products and %d days to %s\n", rep.Operations, opt.Products, opt.Days, c.String("out"))
			}
			if opt.Backdated > 0 {
				fmt.Fprintf(c.App.ErrWriter, "%d of them backdated by up to %d days (sales cut down to the stock at their date: %d)\n", rep.Backdated, opt.BackdateDays, rep.Shrunk)
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
	opt.Backdated, opt.BackdateDays = c.Float64("backdated"), c.Int("backdate-days")
	if math.IsNaN(opt.Backdated) || opt.Backdated < 0 || opt.Backdated > 50 {
		return opt, usagef("--backdated %v: give a percentage from 0 to 50", c.Float64("backdated"))
	}
	if opt.BackdateDays < 1 || opt.BackdateDays > 3660 {
		return opt, usagef("--backdate-days %d: give 1 to 3660", opt.BackdateDays)
	}
	if c.IsSet("backdate-days") && opt.Backdated == 0 {
		return opt, usagef("--backdate-days needs --backdated: give the percentage of operations to backdate")
	}
	return opt, nil
}
