package main

import (
	"fmt"
	"os"
	"os/user"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
)

// Limits on the free-text fields of an operation.
const (
	maxNoteLength     = 500
	maxOperatorLength = 64
	maxKeyLength      = 100
	maxKeyBytes       = domain.MaxIDLength - len(keyPrefix)
	keyPrefix         = "key:"
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
	if op.Note, err = checkText("--note", c.String("note"), maxNoteLength); err != nil {
		return op, fmt.Errorf("%s: %w", verb, err)
	}
	op.Operator = c.String("operator")
	if !c.IsSet("operator") {
		op.Operator = loginUser()
	}
	if op.Operator, err = checkText("--operator", op.Operator, maxOperatorLength); err != nil {
		return op, fmt.Errorf("%s: %w", verb, err)
	}
	op.CommandID = uuid.NewString()
	if c.IsSet("idempotency-key") {
		key, err := checkText("--idempotency-key", c.String("idempotency-key"), maxKeyLength)
		if err != nil || key == "" || len(key) > maxKeyBytes {
			return op, usagef("%s: --idempotency-key must be 1 to %d printable characters (%d bytes)", verb, maxKeyLength, maxKeyBytes)
		}
		op.CommandID = keyPrefix + key
	}
	return op, nil
}

// checkText accepts printable text of at most max characters.
func checkText(flag, s string, max int) (string, error) {
	if !utf8.ValidString(s) {
		return "", usagef("%s is not valid UTF-8", flag)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", usagef("%s has %d characters, at most %d allowed", flag, n, max)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return "", usagef("%s contains the non-printable character %U", flag, r)
		}
	}
	return s, nil
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
