package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
)

func correctCommand() *cli.Command {
	return &cli.Command{
		Name:      "correct",
		Usage:     "replace an operation's quantity, date or note; --reason required",
		ArgsUsage: "EVENT_ID",
		Description: "Appends one OperationCorrected event that voids the operation and records it again\n" +
			"with what changed, both or neither: history shows the old one voided and the new one\n" +
			"with the reason. EVENT_ID is the operation's event ID or a prefix of at least 8\n" +
			"characters. Give at least one of --quantity, --date, --note that differs (exit 2\n" +
			"otherwise); what is not given stays as it was. A count cannot be corrected: void it\n" +
			"and count again. The corrected operation is in the same location (a transfer between\n" +
			"the same two: both move). Refused (exit 1) as a void is, or when the corrected\n" +
			"operation would make the stock negative at some date in one of them.\n" +
			"Example: stockctl correct 3f2a9c1e --quantity 3 --reason \"typed 30 for 3\"",
		Flags: append(append([]cli.Flag{
			&cli.StringFlag{Name: "quantity", Usage: "the corrected quantity, e.g. --quantity 3"},
			&cli.StringFlag{Name: "note", Usage: "the corrected note (\"\" clears it)"},
			&cli.StringFlag{Name: "reason", Usage: "why the operation is corrected (required), e.g. --reason \"typed 30 for 3\""},
		}, repairDateFlags("the corrected business date, YYYY-MM-DD or \"YYYY-MM-DD HH:MM:SS\"")...), repairCommonFlags()...),
		OnUsageError: usageError,
		Action:       repairAction(domain.TypeOperationCorrected, parseCorrect, prepareCorrect),
	}
}

func parseCorrect(c *cli.Context) (commands.Repair, error) {
	if c.NArg() != 1 {
		return commands.Repair{}, usagef("correct takes one EVENT_ID, got %d argument(s); e.g. stockctl correct 3f2a9c1e --quantity 3 --reason \"typed 30 for 3\"", c.NArg())
	}
	rep, err := parseRepair(c, domain.TypeOperationCorrected)
	if err != nil {
		return rep, err
	}
	rep.Target = c.Args().First()
	if !c.IsSet("quantity") && !c.IsSet("date") && !c.IsSet("note") {
		return rep, usagef("correct: nothing to correct: give --quantity, --date or --note; e.g. stockctl correct %s --quantity 3 --reason \"typed 30 for 3\"", rep.Target)
	}
	if c.IsSet("quantity") {
		if rep.Quantity, err = domain.ParseQuantity(c.String("quantity")); err != nil {
			return rep, fmt.Errorf("correct: --quantity: %w", err)
		}
	}
	return rep, requireReason(rep, rep.Target+` --quantity 3 --reason "typed 30 for 3"`)
}

// prepareCorrect resolves the target and refuses a correction that would change nothing
// in it (exit 2): the same quantity, date and note.
func prepareCorrect(c *cli.Context, e *env, rep *commands.Repair) error {
	if err := resolveTarget(c, e, rep); err != nil {
		return err
	}
	t, err := e.db.Target(c.Context, rep.Target)
	if err != nil || t == nil || t.Rejected || t.VoidedBy != "" {
		// What is wrong with the target is the handler's to say.
		return err
	}
	sameQty := rep.Quantity.IsZero() || rep.Quantity.Cents() == max(t.Delta, -t.Delta)
	sameDate := !rep.DateGiven || rep.Date.String() == t.Date.String()
	sameNote := !rep.NoteGiven || rep.Note == t.Note
	if sameQty && sameDate && sameNote {
		return usagef("correct: nothing to correct: %s already has that quantity, date and note; give what differs", rep.Target)
	}
	return nil
}
