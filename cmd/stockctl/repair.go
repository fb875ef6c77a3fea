package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
)

// What void, correct, count and adjust share: their flags, the parsing of the fields
// every repair has, and how the outcome is printed. Each is a commands.Repair run
// through commands.RepairHandler, as sell is a commands.Operation through SellHandler.

// repairCommonFlags are the flags of every repair: who, the idempotency key, the output.
func repairCommonFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "operator", Usage: "who recorded the repair (default the login user)"},
		&cli.StringFlag{Name: "idempotency-key", Usage: "a key that makes repeating this command safe: the repair is recorded at most once per key"},
		recordOutputFlag(),
	}
}

// repairDateFlags are --date and --allow-future, for a count, an adjustment or a
// correction's new date.
func repairDateFlags(usage string) []cli.Flag {
	return []cli.Flag{&cli.StringFlag{Name: "date", Usage: usage}, allowFutureFlag()}
}

// parseRepair reads the flags every repair has into a Repair of kind: --operator,
// --idempotency-key, and --reason, --note and --date where the command has them.
func parseRepair(c *cli.Context, kind domain.EventType) (commands.Repair, error) {
	verb := commands.WordsFor(kind).Verb
	rep := commands.Repair{Kind: kind, Operator: c.String("operator"), Key: c.String("idempotency-key"),
		Reason: strings.TrimSpace(c.String("reason")), Note: c.String("note"), NoteGiven: c.IsSet("note")}
	if !c.IsSet("operator") {
		rep.Operator = loginUser()
	} else if err := checkOperator(rep.Operator); err != nil {
		return rep, usagef("%s: %v", verb, err)
	} else if err := commands.CheckText(rep.Operator, commands.MaxOperatorLength); err != nil {
		return rep, usagef("%s: --operator %s", verb, commands.TextMessage(err))
	}
	if c.IsSet("idempotency-key") {
		id, err := commands.CommandIDForKey(rep.Key)
		if err != nil {
			return rep, usagef("%s: --idempotency-key %s", verb, commands.TextMessage(err))
		}
		rep.CommandID = id
	} else {
		// Every write carries a key, so that one whose outcome is unknown can be retried.
		rep.Key = uuid.NewString()
		rep.CommandID, _ = commands.CommandIDForKey(rep.Key)
	}
	if c.IsSet("location") {
		l, err := domain.ParseLocationID(c.String("location"))
		if err != nil {
			return rep, fmt.Errorf("%s: --location: %w", verb, err)
		}
		rep.Location = l
	}
	if err := commands.CheckText(rep.Reason, commands.MaxNoteLength); err != nil {
		return rep, usagef("%s: --reason %s", verb, commands.TextMessage(err))
	}
	if err := commands.CheckText(rep.Note, commands.MaxNoteLength); err != nil {
		return rep, usagef("%s: --note %s", verb, commands.TextMessage(err))
	}
	if c.IsSet("date") {
		d, err := domain.ParseBusinessDate(c.String("date"))
		if err != nil {
			return rep, fmt.Errorf("%s: --date: %w", verb, err)
		}
		if err := domain.CheckNotFuture(d, time.Now()); err != nil && !c.Bool("allow-future") {
			return rep, fmt.Errorf("%s: --date: %w: %s", verb, err, commands.FutureHint)
		}
		rep.Date, rep.DateGiven = d, true
	}
	return rep, nil
}

// requireReason refuses a repair without --reason (exit 2), naming an example.
func requireReason(rep commands.Repair, example string) error {
	if rep.Reason == "" {
		verb := commands.WordsFor(rep.Kind).Verb
		return usagef("%s: --reason is required: say why, e.g. stockctl %s %s", verb, verb, example)
	}
	return nil
}

// parseProduct reads a count's or an adjustment's PRODUCT argument.
func parseProduct(verb, s string) (domain.ProductID, error) {
	in := commands.Input{Product: s, Quantity: "1"}
	op, err := in.Parse(time.Now(), uuid.NewString)
	if err != nil {
		return domain.ProductID{}, fmt.Errorf("%s: %w", verb, err)
	}
	return op.Product, nil
}

// repairAction parses a repair with parse, records it and prints the outcome: the
// sentence, or with --output json the object repairJSON describes. prepare, when set,
// runs once the read model has caught up and before the handler: it resolves an event
// ID prefix and checks what needs the target.
func repairAction(kind domain.EventType, parse func(*cli.Context) (commands.Repair, error),
	prepare func(*cli.Context, *env, *commands.Repair) error) cli.ActionFunc {
	return func(c *cli.Context) error {
		format, err := checkRecordOutput(c)
		if err != nil {
			return err
		}
		res, err := repairOnce(c, kind, parse, prepare)
		if format == "json" {
			if err != nil {
				writeRecordError(c, err)
				return err
			}
			return writeRepairJSON(c, res)
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(c.App.Writer, res.Message())
		return nil
	}
}

func repairOnce(c *cli.Context, kind domain.EventType, parse func(*cli.Context) (commands.Repair, error),
	prepare func(*cli.Context, *env, *commands.Repair) error) (commands.RepairResult, error) {
	verb := commands.WordsFor(kind).Verb
	rep, err := parse(c)
	if err != nil {
		return commands.RepairResult{}, err
	}
	e, err := openEnv(c)
	if err != nil {
		return commands.RepairResult{}, err
	}
	defer e.Close()
	if prepare != nil {
		if err := e.CatchUp(c.Context); err != nil {
			return commands.RepairResult{}, err
		}
		if err := prepare(c, e, &rep); err != nil {
			return commands.RepairResult{}, err
		}
	}
	h := commands.NewRepairHandler(e.log, e, e.db, e.db, uuid.NewString)
	res, err := h.Handle(c.Context, rep)
	var unknown *commands.OutcomeUnknownError
	if errors.As(err, &unknown) {
		what := rep.Product.String()
		if rep.Target != "" {
			what = "the product of " + rep.Target
			if t, _ := e.db.Target(c.Context, rep.Target); t != nil {
				what = t.Product.String()
			}
		}
		unknown.Advice = fmt.Sprintf("check `stockctl history %s`, or run the command again with --idempotency-key %s: "+
			"it is recorded at most once", shellQuote(what), shellQuote(rep.Key))
		err = fmt.Errorf("%s: %w", verb, unknown)
	}
	return res, err
}

// resolveTarget replaces rep.Target, an event ID or a prefix of one, by the full ID of
// the operation it names.
func resolveTarget(c *cli.Context, e *env, rep *commands.Repair) error {
	id, err := e.db.ResolveOperation(c.Context, rep.Target)
	if err != nil {
		return fmt.Errorf("%s: %w", commands.WordsFor(rep.Kind).Verb, err)
	}
	rep.Target = id
	return nil
}

// repairJSON is what a repair prints with --output json.
type repairJSON struct {
	EventID   string `json:"event_id"`
	CommandID string `json:"command_id"`
	// IdempotencyKey repeats this command safely: the one given, or the one made for it.
	IdempotencyKey string `json:"idempotency_key"`
	Type           string `json:"type"` // "void", "correction", "count" or "adjustment"
	// Target is the event ID of the operation a void or a correction cancelled.
	Target  string `json:"target,omitempty"`
	Product string `json:"product"`
	// Location is where a count or an adjustment happened, or the voided or corrected
	// operation ("main" for main); To, that operation's destination when a transfer.
	Location string `json:"location"`
	To       string `json:"to,omitempty"`
	Date     string `json:"date"`
	// Quantity is a correction's new quantity, what a count counted, an adjustment's size.
	Quantity string `json:"quantity,omitempty"`
	// Delta is what the repair moved the stock by, signed ("-3.00"); not known again for
	// a command already recorded.
	Delta    string `json:"delta,omitempty"`
	Counted  string `json:"counted,omitempty"`
	Expected string `json:"expected,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Stock    string `json:"stock"`
	// AlreadyRecorded: the idempotency key's command was recorded before, and nothing new.
	AlreadyRecorded bool   `json:"already_recorded"`
	Message         string `json:"message"`
}

func writeRepairJSON(c *cli.Context, res commands.RepairResult) error {
	ev := res.Event
	out := repairJSON{EventID: ev.ID, CommandID: ev.CommandID, IdempotencyKey: res.Key, Type: commands.WordsFor(ev.Type).Noun,
		Target: ev.Target, Product: ev.Product.String(), Date: ev.BusinessDate.String(), Reason: ev.Reason,
		Stock: res.Stock.String(), AlreadyRecorded: res.AlreadyRecorded, Message: res.Message()}
	out.Location, out.To = res.Where()
	if ev.Type != domain.TypeOperationVoided {
		out.Quantity = ev.Quantity.String()
	}
	if !res.AlreadyRecorded {
		out.Delta = signedCents(res.Delta)
		if ev.Type == domain.TypeStockCounted {
			out.Counted, out.Expected = ev.Quantity.String(), res.Expected.String()
		}
	}
	return writeJSON(c.App.Writer, out)
}

// signedCents writes n hundredths with a minus when negative: "-3.00", "3.00".
func signedCents(n int64) string {
	if n < 0 {
		q, _ := domain.QuantityFromCents(-n)
		return "-" + q.String()
	}
	q, _ := domain.QuantityFromCents(n)
	return q.String()
}
