package main

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strings"
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
		locationFlag(),
		allowFutureFlag(),
		&cli.StringFlag{Name: "note", Usage: "free text kept with the operation"},
		&cli.StringFlag{Name: "operator", Usage: "who recorded the operation (default the login user)"},
		&cli.StringFlag{Name: "idempotency-key", Usage: "a key that makes repeating this command safe: the operation is recorded at most once per key"},
		recordOutputFlag(),
	}
}

// locationFlag names where an operation happens.
func locationFlag() cli.Flag {
	return &cli.StringFlag{Name: "location", Usage: "where it happens: a declared location ID (stockctl location list)", Value: "main"}
}

// allowFutureFlag lets sell, restock and import record a date more than a day ahead.
func allowFutureFlag() cli.Flag {
	return &cli.BoolFlag{Name: "allow-future", Usage: "accept a --date more than a day after today, refused otherwise as a likely typo " +
		"(2099 for 2009); e.g. --date 2027-01-15 --allow-future"}
}

// parseOperation validates the arguments and flags of sell or restock.
func parseOperation(c *cli.Context, verb string) (commands.Operation, error) {
	var op commands.Operation
	if c.NArg() != 2 {
		return op, usagef("%s takes PRODUCT and QUANTITY, got %d argument(s); e.g. stockctl %s P1 5", verb, c.NArg(), verb)
	}
	in := commands.Input{Product: c.Args().Get(0), Quantity: c.Args().Get(1), Date: c.String("date"),
		Note: c.String("note"), Operator: c.String("operator"), Key: c.String("idempotency-key"),
		NewProduct: c.Bool("new-product"), AllowFuture: c.Bool("allow-future"), Location: c.String("location")}
	if verb == "transfer" {
		in.Location, in.To = c.String("from"), c.String("to")
		if !c.IsSet("from") || !c.IsSet("to") {
			return op, usagef("transfer: --from and --to are required: the locations the units leave and reach, e.g. --from main --to north")
		}
	}
	for _, name := range []string{"location", "from", "to"} {
		if c.IsSet(name) && c.String(name) == "" {
			return op, usagef("%s: --%s is empty: give a location ID such as main or north (stockctl location list)", verb, name)
		}
	}
	if !c.IsSet("operator") {
		in.Operator = loginUser()
	} else if err := checkOperator(in.Operator); err != nil {
		return op, usagef("%s: %v", verb, err)
	}
	// Given but empty, --date and --idempotency-key are refused, not taken as unset.
	if c.IsSet("date") && in.Date == "" {
		_, err := domain.ParseBusinessDate("")
		return op, fmt.Errorf("%s: --date: %w", verb, err)
	}
	if c.IsSet("idempotency-key") && in.Key == "" {
		_, err := commands.CommandIDForKey("")
		return op, usagef("%s: --idempotency-key %s", verb, commands.TextMessage(err))
	}
	if in.Key == "" {
		// Every write carries a key, so that one whose outcome is unknown can be retried
		// safely: the key is printed then.
		in.Key = uuid.NewString()
	}
	op, err := in.Parse(time.Now(), uuid.NewString)
	var fe *commands.FieldError
	if !errors.As(err, &fe) {
		return op, err
	}
	switch fe.Field {
	case "product", "quantity":
		return op, fmt.Errorf("%s: %w", verb, fe.Err)
	case "date":
		return op, fmt.Errorf("%s: --date: %w", verb, fe.Err)
	case "location", "to":
		flag := fe.Field
		if verb == "transfer" && flag == "location" {
			flag = "from"
		}
		return op, fmt.Errorf("%s: --%s: %w", verb, flag, fe.Err)
	}
	return op, usagef("%s: --%s %s", verb, strings.ReplaceAll(fe.Field, "_", "-"), commands.TextMessage(fe.Err))
}

// checkOperator refuses a blank --operator, which would record operations by no one
// (the web form's empty operator means serve's default instead, so commands accept it).
func checkOperator(operator string) error {
	if strings.TrimSpace(operator) == "" {
		return fmt.Errorf("--operator must be 1 to %d printable characters", commands.MaxOperatorLength)
	}
	return nil
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

// recordAction runs an operation of kind through its handler and prints the outcome.
func recordAction(kind domain.EventType, handle func(*cli.Context, *env, commands.Operation) (commands.Result, error)) cli.ActionFunc {
	return func(c *cli.Context) error {
		format, err := checkRecordOutput(c)
		if err != nil {
			return err
		}
		res, err := recordOnce(c, commands.WordsFor(kind).Verb, handle)
		if format == "json" {
			if err != nil {
				writeRecordError(c, err)
				return err
			}
			return writeRecordJSON(c, kind, res)
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(c.App.Writer, res.Message())
		return nil
	}
}

func recordOnce(c *cli.Context, verb string, handle func(*cli.Context, *env, commands.Operation) (commands.Result, error)) (commands.Result, error) {
	op, err := parseOperation(c, verb)
	if err != nil {
		return commands.Result{}, err
	}
	e, err := openEnv(c)
	if err != nil {
		return commands.Result{}, err
	}
	defer e.Close()
	res, err := handle(c, e, op)
	var unknown *commands.OutcomeUnknownError
	if errors.As(err, &unknown) {
		unknown.Advice = fmt.Sprintf("check `stockctl history %s`, or run the command again with --idempotency-key %s: "+
			"it is recorded at most once", shellQuote(op.Product.String()), shellQuote(op.Key))
		// The handler's wrapping fixed its message before the advice was set.
		err = fmt.Errorf("%s: %w", verb, unknown)
	}
	return res, err
}

// shellQuote returns s as one word for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/@%+=,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
