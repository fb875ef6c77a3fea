package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/productid"
)

// errNoHistory means history was asked for a product the ledger has never seen, as the
// API's 404: most often a mistyped ID.
var errNoHistory = errors.New("no operations on product")

func historyCommand() *cli.Command {
	return &cli.Command{
		Name:      "history",
		Usage:     "show every operation on a product with its running stock; rejected ones marked",
		ArgsUsage: "PRODUCT",
		Description: "Lists the product's operations in log order. Accepted ones show the stock after\n" +
			"them; rejected ones show why the ledger refused them. A product with no operation\n" +
			"at all exits 1.\n" +
			"Example: stockctl history P1 --output csv",
		Flags:        []cli.Flag{outputFlag()},
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
			e, err := openCaughtUp(c)
			if err != nil {
				return err
			}
			defer e.Close()
			return writeHistory(c, e, p.String(), format)
		},
	}
}

// writeHistory prints a product's operations in format.
func writeHistory(c *cli.Context, e *env, product, format string) error {
	entries, err := e.db.History(c.Context, product)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return fmt.Errorf("history: %w %q", errNoHistory, product)
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
	return t.write(c.App.Writer, format)
}
