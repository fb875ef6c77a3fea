package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
)

func locationCommand() *cli.Command {
	return &cli.Command{
		Name:  "location",
		Usage: "declare, list, rename and close the locations stock is kept in",
		Description: "A location (a warehouse, a shop's back room) must be declared before an operation names\n" +
			"it, so a typo cannot create a phantom warehouse. main exists from the start, and every\n" +
			"operation without --location is in it. Each change is an event written to every\n" +
			"partition of the log, so every host and every replay agrees.\n" +
			"Examples: stockctl location add north --name \"North warehouse\"\n" +
			"          stockctl location list\n" +
			"          stockctl location close north",
		Subcommands: []*cli.Command{
			locationChangeCommand("add", "declare a location", domain.TypeLocationAdded,
				"ID lower-case letters, digits, '-', '_' or '.', 1 to 32 characters; --name is what people read.\n"+
					"Refused (exit 1) if the ID was declared before, even if it was closed since."),
			locationListCommand(),
			locationChangeCommand("rename", "give a location a new name (its ID never changes)", domain.TypeLocationRenamed, ""),
			locationChangeCommand("close", "close a location: no operation may name it any more", domain.TypeLocationClosed,
				"Refused (exit 1) while the location holds stock of any product: move it out with transfer,\n"+
					"or count it to zero, first. main cannot be closed."),
		},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return unknownCommand("stockctl location", c.Args().First(), c.Command.Subcommands)
			}
			return cli.ShowSubcommandHelp(c)
		},
	}
}

func locationChangeCommand(name, usage string, typ domain.EventType, more string) *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "note", Usage: "free text kept with the change"},
		&cli.StringFlag{Name: "operator", Usage: "who made the change (default the login user)"},
	}
	if typ != domain.TypeLocationClosed {
		flags = append([]cli.Flag{&cli.StringFlag{Name: "name", Usage: "the location's name, for people (required)"}}, flags...)
	}
	description := "Appends a " + string(typ) + " event to every partition of the topic and waits until the\nledger has taken it in."
	if more != "" {
		description += "\n" + more
	}
	return &cli.Command{
		Name:         name,
		Usage:        usage,
		ArgsUsage:    "ID",
		Description:  description,
		Flags:        flags,
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			verb := "location " + name
			if c.NArg() != 1 {
				return usagef("%s takes one location ID, got %d argument(s); e.g. stockctl location %s north", verb, c.NArg(), name)
			}
			id, err := domain.ParseLocationID(c.Args().First())
			if err != nil {
				return usagef("%s: %v", verb, err)
			}
			note, operator := c.String("note"), c.String("operator")
			if err := commands.CheckText(note, commands.MaxNoteLength); err != nil {
				return usagef("%s: --note %s", verb, commands.TextMessage(err))
			}
			if !c.IsSet("operator") {
				operator = loginUser()
			} else if err := checkOperator(operator); err != nil {
				return usagef("%s: %v", verb, err)
			}
			if typ != domain.TypeLocationClosed && !c.IsSet("name") {
				return usagef("%s: --name is required: what people call it, e.g. --name \"North warehouse\"", verb)
			}
			if c.IsSet("name") {
				if err := domain.CheckLocationName(c.String("name")); err != nil {
					return usagef("%s: --name: %v", verb, err)
				}
			}
			e, err := openCaughtUp(c)
			if err != nil {
				return err
			}
			defer e.Close()
			msg, err := changeLocation(c, e, typ, id, c.String("name"), domain.Metadata{EventID: uuid.NewString(), CommandID: uuid.NewString(),
				BusinessDate: domain.NewBusinessDate(time.Now()), RecordedAt: time.Now(), RecordedBy: operator, Note: note})
			if err != nil {
				return fmt.Errorf("%s: %w", verb, err)
			}
			fmt.Fprintln(c.App.Writer, msg)
			return nil
		},
	}
}

// changeLocation decides a location event against the caught-up read model, appends it
// to every partition, catches up and says what the ledger made of it.
func changeLocation(c *cli.Context, e *env, typ domain.EventType, id domain.LocationID, name string, m domain.Metadata) (string, error) {
	locs, err := e.db.Locations(c.Context)
	if err != nil {
		return "", err
	}
	var ev domain.Event
	switch typ {
	case domain.TypeLocationAdded:
		ev, err = locs.Add(id, name, m)
	case domain.TypeLocationRenamed:
		ev, err = locs.Rename(id, name, m)
	default:
		var held int64
		if held, err = heldIn(c, e, id); err == nil {
			ev, err = locs.Close(id, held, m)
		}
	}
	if err != nil {
		return "", err
	}
	if _, err := e.log.AppendToAll(c.Context, ev); err != nil {
		var na interface{ NotAppended() bool }
		if errors.As(err, &na) && na.NotAppended() {
			return "", fmt.Errorf("%w; nothing was recorded", err)
		}
		return "", fmt.Errorf("%w: the change may have reached some partitions: %w; see `stockctl location list`, and run the same command again to complete it",
			commands.ErrOutcomeUnknown, err)
	}
	if err := e.CatchUp(c.Context); err != nil {
		return "", fmt.Errorf("%w: the log holds the change, but the read model could not take it in: %w", commands.ErrOutcomeUnknown, err)
	}
	after, err := e.db.LocationList(c.Context)
	if err != nil {
		return "", err
	}
	for _, li := range after {
		if li.ID != id {
			continue
		}
		switch typ {
		case domain.TypeLocationAdded:
			return fmt.Sprintf("added location %s (%s)", id, name), nil
		case domain.TypeLocationRenamed:
			return fmt.Sprintf("renamed location %s: %s", id, name), nil
		}
		if li.ClosedIn < int(e.log.Partitions()) {
			// Stock reached it in some partition between the check and the close.
			return "", fmt.Errorf("%w: %s received stock while it was being closed: it is closed in %d of %d partitions; "+
				"move its stock out and run the same command again", domain.ErrLocationNotEmpty, id, li.ClosedIn, e.log.Partitions())
		}
		return fmt.Sprintf("closed location %s: no operation may name it any more", id), nil
	}
	return "", fmt.Errorf("%w: the log holds the change of %s, but the read model does not know the location", commands.ErrOutcomeUnknown, id)
}

// heldIn returns what location id holds over all products.
func heldIn(c *cli.Context, e *env, id domain.LocationID) (int64, error) {
	levels, err := e.db.PlaceLevels(c.Context, nil, []string{id.String()})
	if err != nil {
		return 0, err
	}
	var held int64
	for _, l := range levels {
		held += l.Cents
	}
	return held, nil
}

func locationListCommand() *cli.Command {
	return &cli.Command{
		Name:         "list",
		Usage:        "list the locations, with what each holds",
		Description:  "Every declared location, main first: its ID, name, whether it is open, its stock over all\nproducts and how many products it holds.\nExample: stockctl location list --output json",
		Flags:        []cli.Flag{outputFlag()},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			format, err := checkOutput(c)
			if err != nil {
				return err
			}
			if c.NArg() > 0 {
				return usagef("location list takes no arguments")
			}
			e, err := openCaughtUp(c)
			if err != nil {
				return err
			}
			defer e.Close()
			list, err := e.db.LocationList(c.Context)
			if err != nil {
				return err
			}
			type row struct {
				ID       string `json:"location"`
				Name     string `json:"name"`
				Status   string `json:"status"`
				Stock    string `json:"stock"`
				Products int    `json:"products"`
			}
			rows := make([]row, 0, len(list))
			t := table{header: []string{"location", "name", "status", "stock", "products"}, numeric: []int{3, 4}}
			for _, li := range list {
				r := row{ID: li.ID.String(), Name: li.Name, Status: li.Status, Stock: cents(li.Stock), Products: li.Products}
				rows = append(rows, r)
				t.rows = append(t.rows, []string{r.ID, r.Name, r.Status, r.Stock, fmt.Sprint(r.Products)})
			}
			t.values = rows
			return t.write(c.App.Writer, format)
		},
	}
}

// cents writes hundredths with two decimals.
func cents(n int64) string {
	q, err := domain.QuantityFromCents(n)
	if err != nil {
		return fmt.Sprintf("%d.%02d", n/100, n%100)
	}
	return q.String()
}
