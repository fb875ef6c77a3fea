package main

import (
	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
)

func voidCommand() *cli.Command {
	return &cli.Command{
		Name:      "void",
		Usage:     "cancel an operation recorded by mistake, as of its business date; --reason required",
		ArgsUsage: "EVENT_ID",
		Description: "Appends an OperationVoided event naming the operation: nothing is deleted, history\n" +
			"shows both. EVENT_ID is the operation's event ID (history -o json shows them) or a\n" +
			"prefix of at least 8 characters that only it starts with. Refused (exit 1) when no\n" +
			"operation has that ID, it was rejected, it is voided already, its date is in a closed\n" +
			"period, or taking it away would make the stock negative at some date, in any\n" +
			"location it moved (its own; a transfer's source and destination), named then. The same\n" +
			"--idempotency-key again answers \"already recorded\" (exit 0).\n" +
			"Example: stockctl void 3f2a9c1e --reason \"typed 30 for 3\"",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "reason", Usage: "why the operation is voided (required), e.g. --reason \"typed 30 for 3\""},
		}, repairCommonFlags()...),
		OnUsageError: usageError,
		Action:       repairAction(domain.TypeOperationVoided, parseVoid, resolveTarget),
	}
}

func parseVoid(c *cli.Context) (commands.Repair, error) {
	if c.NArg() != 1 {
		return commands.Repair{}, usagef("void takes one EVENT_ID, got %d argument(s); e.g. stockctl void 3f2a9c1e --reason \"typed 30 for 3\"", c.NArg())
	}
	rep, err := parseRepair(c, domain.TypeOperationVoided)
	if err != nil {
		return rep, err
	}
	rep.Target = c.Args().First()
	return rep, requireReason(rep, rep.Target+` --reason "typed 30 for 3"`)
}
