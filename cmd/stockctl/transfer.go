package main

import (
	"github.com/google/uuid"
	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
)

func transferCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "from", Usage: "the location the units leave (required)"},
		&cli.StringFlag{Name: "to", Usage: "the location the units reach (required)"},
	}
	for _, f := range recordFlags() {
		if f.Names()[0] != "location" {
			flags = append(flags, f)
		}
	}
	return &cli.Command{
		Name:      "transfer",
		Usage:     "move stock of a product from one location to another; refused (exit 1) if the source lacks it",
		ArgsUsage: "PRODUCT QUANTITY --from LOCATION --to LOCATION",
		Description: "Appends one StockTransferred event of the product and waits until the ledger has decided\n" +
			"it: both locations move or neither does, and the product's total stays as it was. Refused\n" +
			"(exit 1) if the source would go below zero at its date or at any later-dated operation\n" +
			"there; an unknown or closed location, or the same one twice, is invalid (exit 2).\n" +
			"Example: stockctl transfer P1 4 --from main --to north --date 2024-05-02",
		Flags:        flags,
		OnUsageError: usageError,
		Action: recordAction(domain.TypeStockTransferred, func(c *cli.Context, e *env, op commands.Operation) (commands.Result, error) {
			h := commands.NewTransferHandler(e.log, e, e.db, uuid.NewString)
			return h.Handle(c.Context, commands.Transfer(op))
		}),
	}
}
