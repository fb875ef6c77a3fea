package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
)

func countCommand() *cli.Command {
	return &cli.Command{
		Name:      "count",
		Usage:     "record a physical count; the difference with the ledger becomes an adjustment",
		ArgsUsage: "PRODUCT QUANTITY",
		Description: "Appends a StockCounted event: QUANTITY units (0 allowed) were counted at --date\n" +
			"(default now). The ledger records the difference with its balance at that date, in\n" +
			"the order the log holds the events, as an adjustment; a count that agrees is kept as\n" +
			"a confirmed count. Operations dated later keep their effect: a count that would make\n" +
			"a later balance negative is refused (exit 1), naming the date.\n" +
			"Example: stockctl count P1 37 --date 2024-05-03 --reason \"monthly count\"",
		Flags: append(append([]cli.Flag{
			locationFlag(),
			&cli.StringFlag{Name: "reason", Usage: "why or how it was counted, e.g. --reason \"monthly count\""},
			&cli.StringFlag{Name: "note", Usage: "free text kept with the count"},
		}, repairDateFlags("when it was counted, YYYY-MM-DD or \"YYYY-MM-DD HH:MM:SS\" (default now)")...), repairCommonFlags()...),
		OnUsageError: usageError,
		Action:       repairAction(domain.TypeStockCounted, parseCount, nil),
	}
}

func parseCount(c *cli.Context) (commands.Repair, error) {
	if c.NArg() != 2 {
		return commands.Repair{}, usagef("count takes PRODUCT and QUANTITY, got %d argument(s); e.g. stockctl count P1 37", c.NArg())
	}
	rep, err := parseRepair(c, domain.TypeStockCounted)
	if err != nil {
		return rep, err
	}
	if rep.Product, err = parseProduct("count", c.Args().Get(0)); err != nil {
		return rep, err
	}
	rep.Quantity, err = parseCounted(c.Args().Get(1))
	if err != nil {
		return rep, fmt.Errorf("count: %w", err)
	}
	return rep, nil
}

// parseCounted reads a counted quantity: a quantity, or zero ("0", "0.00") when nothing
// was found.
func parseCounted(s string) (domain.Quantity, error) {
	if whole, frac, _ := strings.Cut(s, "."); whole != "" && strings.Trim(whole, "0") == "" && len(frac) <= 2 && strings.Trim(frac, "0") == "" &&
		!strings.HasSuffix(s, ".") {
		return domain.Quantity{}, nil
	}
	return domain.ParseQuantity(s)
}
