package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/reports"
)

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:  "report",
		Usage: "write charts (PNG, SVG) and one self-contained HTML page of the ledger",
		Description: "Writes index.html (summary, charts, corrections, operations newest first, rejected\n" +
			"operations) and each chart as PNG and SVG into --out. Only operations in effect count: a\n" +
			"voided one, or one a correction replaced, is left out of every figure and listed under\n" +
			"Corrections with who voided it, when and why, as are counts and adjustments, which also\n" +
			"have their own chart of units adjusted in and out per period (units-adjusted-per-period).\n" +
			"The page opens from file:// in any browser: its images are inline and it loads nothing\n" +
			"from the network. --out then holds exactly this report: an earlier report's files are\n" +
			"replaced, and a directory holding other files is refused.\n" +
			"--as-of DATE writes the report as it stood at the end of that business day: stock levels\n" +
			"then, and charts, totals and lists of the operations dated up to it (any recorded later\n" +
			"with an earlier date included). Stock over time is drawn in business-date order.\n" +
			"--location NAME writes the report of that location alone: its sales, restocks, counts and\n" +
			"adjustments, its stock of each product (a transfer moves stock out of one location and\n" +
			"into the other, and is listed in both). It combines with --as-of and the other filters.\n" +
			"Examples: stockctl report --from 2024-01-01 --to 2024-03-31 --product P1 --product P2\n" +
			"          stockctl report --as-of 2024-03-31 --out stock-2024-q1\n" +
			"          stockctl report --location north --out north-report",
		Flags: append(filterFlags(),
			&cli.StringFlag{Name: "out", Usage: "directory to write into", Value: "stock-report"},
			&cli.StringFlag{Name: "format", Usage: "comma-separated: html, png, svg", Value: "html,png,svg"},
			&cli.StringFlag{Name: "low", Usage: "stock at or below which a product counts as nearly out", Value: "5"},
			readLocationFlag(),
			&cli.StringFlag{Name: "as-of", Usage: "the report as it stood at the end of this business day, YYYY-MM-DD (e.g. 2024-03-31)"},
		),
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("report takes no arguments; use --product to select products")
			}
			opt, err := reportOptions(c)
			if err != nil {
				return err
			}
			if err := checkReportDir(opt.Out); err != nil {
				return err
			}
			e, err := openCaughtUp(c)
			if err != nil {
				return err
			}
			defer e.Close()
			loc, err := readLocation(c, e, "report")
			if err != nil {
				return err
			}
			var store reports.Store = e.db
			if loc != "" {
				opt.Filter.Location, store = loc, e.db.AtLocation(loc)
			}
			opt.Attention, opt.ReorderList = attentionReader{e.db}, true
			res, err := writeReport(c.Context, store, opt)
			if err != nil {
				return err
			}
			if res.Index != "" {
				fmt.Fprintf(c.App.Writer, "report of %d operations written to %s\n", res.Operations, res.Index)
			} else {
				fmt.Fprintf(c.App.Writer, "report of %d operations: %d files written to %s\n", res.Operations, len(res.Files), opt.Out)
			}
			return nil
		},
	}
}

func reportOptions(c *cli.Context) (reports.Options, error) {
	opt := reports.Options{Out: c.String("out"), Now: time.Now()}
	if opt.Out == "" {
		return opt, usagef("--out is empty")
	}
	var err error
	if opt.Filter, err = parseFilter(c); err != nil {
		return opt, fmt.Errorf("report: %w", err)
	}
	if err := asOf(c, &opt.Filter); err != nil {
		return opt, err
	}
	for _, f := range strings.Split(c.String("format"), ",") {
		switch strings.TrimSpace(f) {
		case "html":
			opt.HTML = true
		case "png":
			opt.PNG = true
		case "svg":
			opt.SVG = true
		default:
			return opt, usagef("--format %q: use html, png and/or svg, comma-separated", f)
		}
	}
	low, err := domain.ParseQuantity(c.String("low"))
	if err != nil && c.String("low") != "0" {
		return opt, fmt.Errorf("report: --low: %w", err)
	}
	opt.LowCents = low.Cents()
	return opt, nil
}

// asOf reads --as-of into f: the stock levels at the end of that day, and the operations
// dated up to it.
func asOf(c *cli.Context, f *reports.Filter) error {
	if !c.IsSet("as-of") {
		return nil
	}
	s := c.String("as-of")
	d, err := time.Parse("2006-01-02", s)
	if err != nil || d.Year() < domain.MinBusinessYear {
		return usagef("--as-of %q: use a date YYYY-MM-DD from year %d, e.g. 2024-03-31", s, domain.MinBusinessYear)
	}
	if !f.From.IsZero() && d.Before(f.From) {
		return usagef("--as-of %s is before --from %s: give a day at or after --from", s, f.From.Format("2006-01-02"))
	}
	if !f.To.IsZero() && f.To.After(d) {
		return usagef("--to %s is after --as-of %s: the report as of a day shows nothing dated later; drop --to or make it %s", f.To.Format("2006-01-02"), s, s)
	}
	f.AsOf = d
	if f.To.IsZero() {
		f.To = d
	}
	return nil
}
