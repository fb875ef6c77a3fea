package main

import (
	"github.com/google/uuid"
	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
)

func sellCommand() *cli.Command {
	return &cli.Command{
		Name:      "sell",
		Usage:     "record a sale; refused (exit 1) if the stock cannot cover it",
		ArgsUsage: "PRODUCT QUANTITY",
		Description: "Appends a StockSold event and waits until the ledger has decided it.\n" +
			"A sale dated before the product's latest operation (backdated) must leave the stock at or\n" +
			"above zero at its date and at every later-dated operation, or it is refused (exit 1).\n" +
			"A --date more than a day after today is refused (exit 2) unless --allow-future.\n" +
			"Example: stockctl sell P1 3 --date 2024-05-02 --note \"order 1182\"",
		Flags:        recordFlags(),
		OnUsageError: usageError,
		Action: recordAction(domain.TypeStockSold, func(c *cli.Context, e *env, op commands.Operation) (commands.Result, error) {
			h := commands.NewSellHandler(e.log, e, e.db, uuid.NewString)
			return h.Handle(c.Context, commands.Sell(op))
		}),
	}
}
