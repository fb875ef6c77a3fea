package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/asof"
	"github.com/stockctl/stockctl/productid"
	"github.com/stockctl/stockctl/readmodel"
)

// errNoHistory means history was asked for a product the ledger has never seen, as the
// API's 404: most often a mistyped ID.
var errNoHistory = errors.New("no operations on product")

func historyCommand() *cli.Command {
	return &cli.Command{
		Name:      "history",
		Usage:     "show every operation on a product with its running stock; rejected ones marked",
		ArgsUsage: "PRODUCT",
		Description: "Lists the product's operations by business date (in the order recorded within a\n" +
			"date). Accepted ones show the stock right after them in that order: every operation\n" +
			"dated before counts, even one recorded later. Rejected ones show why the ledger\n" +
			"refused them. --as-of DATE lists the operations dated up to the end of that day;\n" +
			"--as-known-at TIME those recorded by then (local time), with the stock the ledger\n" +
			"knew then. A product with no operation at all exits 1; one with none at that moment\n" +
			"lists nothing.\n" +
			"Examples: stockctl history P1 --output csv\n" +
			"          stockctl history P1 --as-known-at \"2024-05-03 18:00:00\"",
		Flags:        append(momentFlags(), outputFlag()),
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			format, err := checkOutput(c)
			if err != nil {
				return err
			}
			if c.NArg() != 1 {
				return usagef("history takes one PRODUCT, got %d argument(s); e.g. stockctl history P1", c.NArg())
			}
			p, err := productid.Lookup(c.Args().First())
			if err != nil {
				return fmt.Errorf("history: %w", err)
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
			return writeHistory(c, e, p.String(), m, format)
		},
	}
}

// writeHistory prints a product's operations at moment m in format.
func writeHistory(c *cli.Context, e *env, product string, m asof.Moment, format string) error {
	entries, err := e.db.HistoryAt(c.Context, product, m)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		// Before its first operation a product has an empty history; never seen, it
		// is most often a mistyped ID.
		if _, total, err := e.db.HistoryPage(c.Context, product, 0, 1); err != nil {
			return err
		} else if total == 0 {
			return fmt.Errorf("history: %w %q", errNoHistory, product)
		}
		entries = []readmodel.HistoryEntry{} // JSON shows an empty list, not null
	}
	t := table{header: []string{"date", "type", "quantity", "stock", "status", "reason", "recorded_by", "note"},
		numeric: []int{2, 3}, values: entries}
	for _, h := range entries {
		status := h.Status
		if status == "rejected" && format == "table" {
			status = "REJECTED"
		}
		t.rows = append(t.rows, []string{h.Date, h.Type, h.Quantity, h.Stock, status, h.Reason, h.RecordedBy, h.Note})
	}
	if err := writeMoment(c.App.Writer, m, format); err != nil {
		return err
	}
	return t.write(c.App.Writer, format)
}
