package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
)

func adjustCommand() *cli.Command {
	reasons := strings.Join(domain.AdjustReasons, ", ")
	return &cli.Command{
		Name:      "adjust",
		Usage:     "move the stock up or down outside a sale or restock, with a reason code",
		ArgsUsage: "PRODUCT ±QUANTITY",
		Description: "Appends a StockAdjusted event: -QUANTITY takes units out of stock, +QUANTITY puts\n" +
			"them in; the sign is required. --reason is one of " + reasons + ".\n" +
			"Refused (exit 1) as a sale is when the stock cannot cover it at its date or at a\n" +
			"later one.\n" +
			"Examples: stockctl adjust P1 -2 --reason damaged --note \"dropped pallet\"\n" +
			"          stockctl adjust P1 +1 --reason found --date 2024-05-03",
		Flags: append(append([]cli.Flag{
			locationFlag(),
			&cli.StringFlag{Name: "reason", Usage: "why: " + reasons + " (required)"},
			&cli.StringFlag{Name: "note", Usage: "free text kept with the adjustment"},
		}, repairDateFlags("business date of the adjustment, YYYY-MM-DD or \"YYYY-MM-DD HH:MM:SS\" (default now)")...), repairCommonFlags()...),
		OnUsageError: usageError,
		Action:       repairAction(domain.TypeStockAdjusted, parseAdjust, nil),
	}
}

func parseAdjust(c *cli.Context) (commands.Repair, error) {
	if c.NArg() != 2 {
		return commands.Repair{}, usagef("adjust takes PRODUCT and ±QUANTITY, got %d argument(s); e.g. stockctl adjust P1 -2 --reason damaged", c.NArg())
	}
	rep, err := parseRepair(c, domain.TypeStockAdjusted)
	if err != nil {
		return rep, err
	}
	if rep.Product, err = parseProduct("adjust", c.Args().Get(0)); err != nil {
		return rep, err
	}
	qty := c.Args().Get(1)
	switch {
	case strings.HasPrefix(qty, "-"):
		rep.Out = true
	case strings.HasPrefix(qty, "+"):
	default:
		return rep, fmt.Errorf("adjust: %w: %q has no sign: give -%s to take units out of stock or +%s to put them in",
			domain.ErrInvalidQuantity, qty, qty, qty)
	}
	if rep.Quantity, err = domain.ParseQuantity(qty[1:]); err != nil {
		return rep, fmt.Errorf("adjust: %w", err)
	}
	codes := strings.Join(domain.AdjustReasons, ", ")
	if rep.Reason == "" {
		return rep, usagef("adjust: --reason is required: one of %s; e.g. stockctl adjust %s %s --reason damaged", codes, shellQuote(rep.Product.String()), qty)
	}
	if !slices.Contains(domain.AdjustReasons, rep.Reason) {
		return rep, usagef("adjust: --reason %q is not a reason code: use one of %s (--note says more)", rep.Reason, codes)
	}
	return rep, nil
}
