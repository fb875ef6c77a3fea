package main

import (
	"fmt"
	"os"
	"os/user"
	"time"

	"github.com/google/uuid"
	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
)

// recordFlags are the flags shared by sell and restock.
func recordFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "date", Usage: "business date of the operation, YYYY-MM-DD or \"YYYY-MM-DD HH:MM:SS\" (default now)"},
		&cli.StringFlag{Name: "note", Usage: "free text kept with the operation"},
		&cli.StringFlag{Name: "operator", Usage: "who recorded the operation (default the login user)"},
		&cli.StringFlag{Name: "idempotency-key", Usage: "a key that makes repeating this command safe: the operation is recorded at most once per key"},
	}
}

// parseOperation validates the arguments and flags of sell or restock.
func parseOperation(c *cli.Context, verb string) (commands.Operation, error) {
	var op commands.Operation
	if c.NArg() != 2 {
		return op, usagef("%s takes PRODUCT and QUANTITY, got %d argument(s); e.g. stockctl %s P1 5", verb, c.NArg(), verb)
	}
	var err error
	if op.Product, err = domain.ParseProductID(c.Args().Get(0)); err != nil {
		return op, fmt.Errorf("%s: %w", verb, err)
	}
	if op.Quantity, err = domain.ParseQuantity(c.Args().Get(1)); err != nil {
		return op, fmt.Errorf("%s: %w", verb, err)
	}
	op.Date = domain.NewBusinessDate(time.Now())
	if d := c.String("date"); c.IsSet("date") {
		if op.Date, err = domain.ParseBusinessDate(d); err != nil {
			return op, fmt.Errorf("%s: --date: %w", verb, err)
		}
	}
	op.Note = c.String("note")
	if err := commands.CheckText(op.Note, commands.MaxNoteLength); err != nil {
		return op, usagef("%s: --note %s", verb, commands.TextMessage(err))
	}
	op.Operator = c.String("operator")
	if !c.IsSet("operator") {
		op.Operator = loginUser()
	}
	if err := commands.CheckText(op.Operator, commands.MaxOperatorLength); err != nil {
		return op, usagef("%s: --operator %s", verb, commands.TextMessage(err))
	}
	op.CommandID = uuid.NewString()
	if c.IsSet("idempotency-key") {
		if op.CommandID, err = commands.CommandIDForKey(c.String("idempotency-key")); err != nil {
			return op, usagef("%s: --idempotency-key %s", verb, commands.TextMessage(err))
		}
	}
	return op, nil
}

func loginUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}

// recordAction runs a sale or restock through its handler and prints the outcome.
func recordAction(verb, past string, handle func(*cli.Context, *env, commands.Operation) (commands.Result, error)) cli.ActionFunc {
	return func(c *cli.Context) error {
		op, err := parseOperation(c, verb)
		if err != nil {
			return err
		}
		e, err := openEnv(c)
		if err != nil {
			return err
		}
		defer e.Close()
		res, err := handle(c, e, op)
		if err != nil {
			return err
		}
		w := c.App.Writer
		if res.AlreadyRecorded {
			fmt.Fprintf(w, "already recorded: %s %s of %q on %s (stock after it: %s)\n",
				past, res.Event.Quantity, res.Event.Product.String(), res.Event.BusinessDate, res.Stock)
			return nil
		}
		fmt.Fprintf(w, "%s %s of %q on %s; stock now %s\n",
			past, res.Event.Quantity, res.Event.Product.String(), res.Event.BusinessDate, res.Stock)
		return nil
	}
}
