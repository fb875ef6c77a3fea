package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/readmodel"
)

func thresholdCommand() *cli.Command {
	return &cli.Command{
		Name:  "threshold",
		Usage: "set, list and clear the reorder points (minimum stock) of products",
		Description: "A threshold is a product's minimum stock: its total over all locations, or with\n" +
			"--location its stock in one location. Each change is an event of the product on the log,\n" +
			"so every host and every replay agrees, and the ledger records each time a stock crosses\n" +
			"below its minimum (or reaches zero) for `stockctl alerts` and notifications.\n" +
			"Examples: stockctl threshold set P1 --min 20 --reorder-qty 100 --lead-time 7d\n" +
			"          stockctl threshold set P1 --min 5 --location north\n" +
			"          stockctl threshold list\n" +
			"          stockctl threshold clear P1 --location north",
		Subcommands: []*cli.Command{thresholdSetCommand(), thresholdListCommand(), thresholdClearCommand()},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return unknownCommand("stockctl threshold", c.Args().First(), c.Command.Subcommands)
			}
			return cli.ShowSubcommandHelp(c)
		},
	}
}

// thresholdScopeFlag is --location of set, clear and list.
func thresholdScopeFlag(usage string) cli.Flag {
	return &cli.StringFlag{Name: "location", Usage: usage}
}

func thresholdSetCommand() *cli.Command {
	return &cli.Command{
		Name:      "set",
		Usage:     "set a product's minimum stock, reorder quantity and lead time",
		ArgsUsage: "PRODUCT --min QUANTITY",
		Description: "Appends a ThresholdSet event of the product and waits until the ledger has taken it in;\n" +
			"it replaces the product's threshold of the same scope. Without --location it watches the\n" +
			"product's total over all locations; with one, the stock in that location alone (main\n" +
			"included), which must be declared and open (exit 2 otherwise).\n" +
			"--min may be 0 (alert at zero only). --lead-time is the supplier's delay in days: 7d or 7.\n" +
			"A product never restocked may have a threshold: it is kept, with a warning.\n" +
			"Example: stockctl threshold set P1 --min 20 --reorder-qty 100 --lead-time 7d",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "min", Usage: "the minimum stock: at or below it the product needs reordering (required; 0 allowed)"},
			&cli.StringFlag{Name: "reorder-qty", Usage: "the least quantity to order at a time (default 0: no minimum order)"},
			&cli.StringFlag{Name: "lead-time", Usage: fmt.Sprintf("the supplier's lead time in days, 7d or 7, 0 to %d (default 0)", domain.MaxLeadDays)},
			thresholdScopeFlag("watch the stock in this location only (default: the product's total over all locations)"),
			&cli.StringFlag{Name: "note", Usage: "free text kept with the change"},
			&cli.StringFlag{Name: "operator", Usage: "who made the change (default the login user)"},
		},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			return changeThreshold(c, false)
		},
	}
}

func thresholdClearCommand() *cli.Command {
	return &cli.Command{
		Name:      "clear",
		Usage:     "remove a product's threshold",
		ArgsUsage: "PRODUCT",
		Description: "Appends a ThresholdCleared event of the product: its threshold of that scope (its total\n" +
			"without --location, the location's with one) is removed. Clearing a threshold that is\n" +
			"not set is refused (exit 1) and writes nothing.\n" +
			"Example: stockctl threshold clear P1 --location north",
		Flags: []cli.Flag{
			thresholdScopeFlag("clear the threshold of this location (default: the one on the product's total)"),
			&cli.StringFlag{Name: "note", Usage: "free text kept with the change"},
			&cli.StringFlag{Name: "operator", Usage: "who made the change (default the login user)"},
		},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			return changeThreshold(c, true)
		},
	}
}

// parseThreshold reads the arguments and flags of threshold set or clear.
func parseThreshold(c *cli.Context, verb string, clear bool) (commands.ThresholdChange, error) {
	var ch commands.ThresholdChange
	if c.NArg() != 1 {
		return ch, usagef("%s takes one PRODUCT, got %d argument(s); e.g. stockctl %s P1%s", verb, c.NArg(), verb,
			map[bool]string{false: " --min 20", true: ""}[clear])
	}
	p, err := domain.ParseProductID(c.Args().First())
	if err != nil {
		return ch, usagef("%s: %v", verb, err)
	}
	t := domain.Threshold{Product: p}
	if c.IsSet("location") {
		if t.Location, err = domain.ParseLocationID(c.String("location")); err != nil {
			return ch, usagef("%s: --location: %v", verb, err)
		}
		t.PerLocation = true
	}
	if !clear {
		if !c.IsSet("min") {
			return ch, usagef("%s: --min is required: the stock at or below which %s needs reordering, e.g. --min 20", verb, p)
		}
		if t.Min, err = parseAmount(c.String("min")); err != nil {
			return ch, usagef("%s: --min: %v", verb, err)
		}
		if c.IsSet("reorder-qty") {
			if t.ReorderQty, err = parseAmount(c.String("reorder-qty")); err != nil {
				return ch, usagef("%s: --reorder-qty: %v", verb, err)
			}
		}
		if c.IsSet("lead-time") {
			if t.LeadDays, err = parseLeadTime(c.String("lead-time")); err != nil {
				return ch, usagef("%s: --lead-time: %v", verb, err)
			}
		}
	}
	ch = commands.ThresholdChange{Threshold: t, Clear: clear, Operator: c.String("operator"), Note: c.String("note")}
	if err := commands.CheckText(ch.Note, commands.MaxNoteLength); err != nil {
		return ch, usagef("%s: --note %s", verb, commands.TextMessage(err))
	}
	if !c.IsSet("operator") {
		ch.Operator = loginUser()
	} else if err := checkOperator(ch.Operator); err != nil {
		return ch, usagef("%s: %v", verb, err)
	}
	return ch, nil
}

// parseAmount reads a quantity that may be zero, such as a minimum.
func parseAmount(s string) (domain.Quantity, error) {
	var q domain.Quantity
	err := q.UnmarshalText([]byte(s))
	return q, err
}

// parseLeadTime reads a lead time in days: "7d" or "7".
func parseLeadTime(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
	if err != nil || n < 0 || n > domain.MaxLeadDays || strings.HasPrefix(s, "+") {
		return 0, fmt.Errorf("%q: give whole days from 0 to %d, such as 7d or 7", s, domain.MaxLeadDays)
	}
	return n, nil
}

func changeThreshold(c *cli.Context, clear bool) error {
	verb := map[bool]string{false: "threshold set", true: "threshold clear"}[clear]
	ch, err := parseThreshold(c, verb, clear)
	if err != nil {
		return err
	}
	e, err := openEnv(c)
	if err != nil {
		return err
	}
	defer e.Close()
	h := commands.NewThresholdHandler(e.log, e, e.db, uuid.NewString)
	res, err := h.Handle(c.Context, ch)
	if err != nil {
		return err
	}
	t := ch.Threshold
	if clear {
		fmt.Fprintf(c.App.Writer, "cleared the threshold of %s\n", thresholdScope(t))
		return nil
	}
	fmt.Fprint(c.App.Writer, thresholdSetMessage(t, res))
	if res.NeverStocked {
		fmt.Fprintf(e.stderr, "warning: %s has no stock recorded yet (never restocked): the threshold is kept and watches a stock of 0\n", t.Product)
	}
	return nil
}

// thresholdScope names what t watches.
func thresholdScope(t domain.Threshold) string {
	if t.PerLocation {
		return fmt.Sprintf("%s in %s", t.Product, t.Location)
	}
	return fmt.Sprintf("%s (total over all locations)", t.Product)
}

// thresholdSetMessage is what threshold set prints: the threshold, the stock it watches,
// and whether that stock needs reordering now. Lines end with a newline.
func thresholdSetMessage(t domain.Threshold, res commands.ThresholdResult) string {
	stock, _ := domain.QuantityFromCents(res.Stock)
	order, lead := "no reorder quantity", "no lead time"
	if t.ReorderQty.Cents() > 0 {
		order = "reorder quantity " + t.ReorderQty.String()
	}
	switch {
	case t.LeadDays == 1:
		lead = "lead time 1 day"
	case t.LeadDays > 1:
		lead = fmt.Sprintf("lead time %d days", t.LeadDays)
	}
	msg := fmt.Sprintf("threshold of %s: min %s, %s, %s; stock now %s\n", thresholdScope(t), t.Min, order, lead, stock)
	if !res.NeverStocked && res.Stock <= t.Min.Cents() {
		msg += fmt.Sprintf("%s is at or below its minimum now: it needs reordering\n", thresholdScope(t))
	}
	return msg
}

func thresholdListCommand() *cli.Command {
	return &cli.Command{
		Name:  "list",
		Usage: "list the thresholds set, with the stock each watches",
		Description: "Every threshold, by product: its scope (\"(total)\" for the product's total over all\n" +
			"locations, else the location), minimum, reorder quantity, lead time, the stock it watches\n" +
			"now, and whether that stock is at or below the minimum.\n" +
			"Example: stockctl threshold list --location north --output csv",
		Flags:        []cli.Flag{thresholdScopeFlag("only the thresholds of this location"), outputFlag()},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			format, err := checkOutput(c)
			if err != nil {
				return err
			}
			if c.NArg() > 0 {
				return usagef("threshold list takes no arguments; filter with --location")
			}
			var only *domain.LocationID
			if c.IsSet("location") {
				l, err := domain.ParseLocationID(c.String("location"))
				if err != nil {
					return usagef("threshold list: --location: %v", err)
				}
				only = &l
			}
			e, err := openCaughtUp(c)
			if err != nil {
				return err
			}
			defer e.Close()
			if only != nil {
				locs, err := e.db.Locations(c.Context)
				if err != nil {
					return err
				}
				if _, ok := locs.Get(*only); !ok {
					return fmt.Errorf("threshold list: %w", locs.Check(*only))
				}
			}
			list, err := e.db.Thresholds(c.Context)
			if err != nil {
				return err
			}
			return thresholdTable(list, only).write(c.App.Writer, format)
		},
	}
}

// thresholdRow is a threshold as list shows it; Location is null for the total.
type thresholdRow struct {
	Product    string  `json:"product"`
	Location   *string `json:"location"`
	Min        string  `json:"min"`
	ReorderQty string  `json:"reorder_qty"`
	LeadDays   int     `json:"lead_time_days"`
	Stock      string  `json:"stock"`
	Below      bool    `json:"at_or_below_min"`
	SetBy      string  `json:"set_by"`
	SetAt      string  `json:"set_at"`
}

func thresholdTable(list []readmodel.SetThreshold, only *domain.LocationID) table {
	rows := []thresholdRow{}
	t := table{header: []string{"product", "location", "min", "reorder_qty", "lead_time", "stock", "status", "set_by", "set_at"},
		numeric: []int{2, 3, 5}}
	for _, st := range list {
		if only != nil && (!st.PerLocation || st.Location != *only) {
			continue
		}
		stock, _ := domain.QuantityFromCents(st.Stock)
		r := thresholdRow{Product: st.Product.String(), Min: st.Min.String(), ReorderQty: st.ReorderQty.String(), LeadDays: st.LeadDays,
			Stock: stock.String(), Below: st.Stock <= st.Min.Cents(), SetBy: st.RecordedBy, SetAt: st.RecordedAt}
		where := "(total)"
		if st.PerLocation {
			l := st.Location.String()
			r.Location, where = &l, l
		}
		status := "ok"
		if r.Below {
			status = "REORDER"
		}
		rows = append(rows, r)
		setAt := r.SetAt
		if at, err := time.Parse(time.RFC3339Nano, setAt); err == nil {
			setAt = at.UTC().Format(time.RFC3339) // to the second in a table
		}
		t.rows = append(t.rows, []string{r.Product, where, r.Min, r.ReorderQty, fmt.Sprintf("%dd", r.LeadDays), r.Stock, status, r.SetBy, setAt})
	}
	t.values = rows
	return t
}
