package main

import (
	"github.com/google/uuid"
	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
)

func restockCommand() *cli.Command {
	return &cli.Command{
		Name:      "restock",
		Usage:     "record a replenishment",
		ArgsUsage: "PRODUCT QUANTITY",
		Description: "Appends a StockRestocked event and waits until the ledger has decided it.\n" +
			"A restock that creates a product whose ID looks like an existing one's (case, spaces,\n" +
			"dashes, full-width or look-alike letters) is refused (exit 2) unless --new-product.\n" +
			"A --date more than a day after today is refused (exit 2) unless --allow-future.\n" +
			"Example: stockctl restock P1 10 --date 2024-05-01",
		Flags: append(recordFlags(), &cli.BoolFlag{Name: "new-product",
			Usage: "create the product even if its ID looks like an existing one's (P1, p1, \"P 1\")"}),
		OnUsageError: usageError,
		Action: recordAction(domain.TypeStockRestocked, func(c *cli.Context, e *env, op commands.Operation) (commands.Result, error) {
			h := commands.NewRestockHandler(e.log, e, e.db, uuid.NewString)
			return h.Handle(c.Context, commands.Restock(op))
		}),
	}
}
