package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/asof"
	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/data"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/datagen"
	"github.com/stockctl/stockctl/ledgercsv"
	"github.com/stockctl/stockctl/readmodel"
	"github.com/stockctl/stockctl/reports"
)

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "show the whole job in a fresh data directory: import, generate, sell, refuse, repair, alert, report",
		Description: "In a new temporary data directory, or in --data-dir (given before or after demo, or\n" +
			"as STOCKCTL_DATA_DIR) if it is new or empty, on the embedded broker: imports\n" +
			"the original sample file, generates and imports a year of operations for 20 products\n" +
			"ending this week, records a restock and a sale and has an oversale refused, voids a\n" +
			"typo and records a count, sells a large order of P001 and sets its reorder point\n" +
			"(threshold set P001 --min 400), shows alerts, the reorder list, stock and history, and\n" +
			"writes the HTML report, printing where everything is.\n" +
			"Example: stockctl demo",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "data-dir", Usage: "new or empty data directory to use (default: the global --data-dir if given, else a new temporary one)"},
		},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("demo takes no arguments")
			}
			if c.String("brokers") != "" {
				return usagef("demo runs on the embedded broker; leave out --brokers")
			}
			if c.String("db") != "" {
				return usagef("demo keeps its read model in its data directory; leave out --db")
			}
			dir, err := demoDir(c)
			if err != nil {
				return err
			}
			c.Set("data-dir", dir)
			return runDemo(c, dir)
		},
	}
}

// demoDir chooses the demo's data directory: its own --data-dir, else the global one
// when given explicitly, else a new temporary one. A directory holding anything, a
// ledger above all, is refused: the demo appends thousands of made-up operations.
func demoDir(c *cli.Context) (string, error) {
	dir, from := c.String("data-dir"), "demo --data-dir"
	if !c.IsSet("data-dir") {
		root := c.Lineage()[1]
		if !root.IsSet("data-dir") {
			return os.MkdirTemp("", "stockctl-demo-")
		}
		dir, from = root.String("data-dir"), "--data-dir"
		if os.Getenv("STOCKCTL_DATA_DIR") == dir {
			from = "STOCKCTL_DATA_DIR"
		}
	}
	if dir == "" {
		return "", usagef("demo: %s is empty", from)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	entries, err := os.ReadDir(abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return abs, nil
	case err != nil:
		return "", usagef("demo: %s (%s): %v: pick an empty or new directory", dir, from, err)
	case len(entries) > 0:
		return "", usagef("demo: %s (%s) is not empty: the demo adds thousands of made-up operations, so pick an empty or new directory, or give none for a new temporary one", dir, from)
	}
	return abs, nil
}

func runDemo(c *cli.Context, dir string) error {
	start := time.Now()
	w := c.App.Writer
	step := func(format string, args ...any) { fmt.Fprintf(w, "\n== "+format+"\n", args...) }
	e, err := openEnv(c)
	if err != nil {
		return err
	}
	defer e.Close()
	ctx := c.Context
	importer := commands.NewImportHandler(e.log, e, e.db, uuid.NewString)
	importCSV := func(name string, content []byte) error {
		rows, bad, err := ledgercsv.ReadAs(bytes.NewReader(content), ledgercsv.Options{}, importRow)
		if err != nil || len(bad) > 0 {
			return fmt.Errorf("demo: %s: %v %v", name, err, bad)
		}
		rep, err := importer.Handle(ctx, commands.Import{Rows: rows, Source: name, Operator: "demo"})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "imported %d rows of %s (%d already there, %d refused, %d stock mismatches)\n",
			rep.Appended-rep.Rejected, name, rep.Already, len(rep.Refused), len(rep.Mismatches))
		return nil
	}

	step("data directory %s (embedded broker, no Kafka install)", dir)
	step("import the original sample file (data/operations.csv, embedded in the binary)")
	if err := importCSV("operations.csv", data.SampleCSV); err != nil {
		return err
	}
	step("import it again, re-saved by an editor (LF line ends, no BOM): rows are recognised by content")
	resaved := strings.ReplaceAll(strings.TrimPrefix(string(data.SampleCSV), "\uFEFF"), "\r\n", "\n")
	if err := importCSV("operations.csv", []byte(resaved)); err != nil {
		return err
	}
	now := time.Now()
	gen := demoYear(now)
	last := gen.Start.AddDate(0, 0, gen.Days-1+gen.ShiftDays)
	step("generate and import a year of operations for 20 products, up to %s", last.Format("2006-01-02"))
	var year bytes.Buffer
	n, err := datagen.Generate(&year, gen)
	if err != nil {
		return err
	}
	genPath := filepath.Join(dir, "generated-year.csv")
	if err := os.WriteFile(genPath, year.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(w, "generated %d operations into %s\n", n, genPath)
	if err := importCSV("generated-year.csv", year.Bytes()); err != nil {
		return err
	}

	step("record operations as stockctl restock and sell do")
	product, _ := domain.ParseProductID("DEMO-1")
	date := domain.NewBusinessDate(now)
	op := func(qty string) commands.Operation {
		q, _ := domain.ParseQuantity(qty)
		return commands.Operation{Product: product, Quantity: q, CommandID: uuid.NewString(), Date: date, Operator: "demo"}
	}
	res, err := commands.NewRestockHandler(e.log, e, e.db, uuid.NewString).Handle(ctx, commands.Restock(op("10")))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "$ stockctl restock DEMO-1 10\nrestocked 10.00; stock now %s\n", res.Stock)
	seller := commands.NewSellHandler(e.log, e, e.db, uuid.NewString)
	if res, err = seller.Handle(ctx, commands.Sell(op("3"))); err != nil {
		return err
	}
	fmt.Fprintf(w, "$ stockctl sell DEMO-1 3\nsold 3.00; stock now %s\n", res.Stock)
	_, err = seller.Handle(ctx, commands.Sell(op("8")))
	if !errors.Is(err, domain.ErrInsufficientStock) {
		return fmt.Errorf("demo: the oversale should have been refused, got %v", err)
	}
	fmt.Fprintf(w, "$ stockctl sell DEMO-1 8\nrefused (exit 1): %v\n", err)

	step("repair a typo and record a physical count: new events, nothing deleted")
	if err := demoRepairs(c, e, seller, op); err != nil {
		return err
	}

	step("a large order of P001 today, and a reorder point for it")
	if err := demoAlerts(c, e, seller, op); err != nil {
		return err
	}

	step("stockctl stock")
	if err := writeStock(c, e, nil, "table"); err != nil {
		return err
	}
	step("stockctl history DEMO-1")
	if err := writeHistory(c, e, product.String(), asof.Moment{}, "table", ""); err != nil {
		return err
	}
	step("stockctl report")
	out := filepath.Join(dir, "report")
	rep, err := writeReport(ctx, e.db, reports.Options{Out: out, HTML: true, PNG: true, Now: time.Now(), LowCents: 500,
		Attention: attentionReader{e.db}, ReorderList: true})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "report of %d operations written to %s\n", rep.Operations, rep.Index)
	fmt.Fprintf(w, "\ndone in %s. Open file://%s in a browser; go on with\n  STOCKCTL_DATA_DIR=%s stockctl stock\n",
		time.Since(start).Round(time.Millisecond), rep.Index, dir)
	return nil
}

// demoRepairs tells the story of a typo voided and a count that finds one unit missing.
func demoRepairs(c *cli.Context, e *env, seller commands.SellHandler, op func(string) commands.Operation) error {
	ctx, w := c.Context, c.App.Writer
	repairs := commands.NewRepairHandler(e.log, e, e.db, e.db, uuid.NewString)
	typo, err := seller.Handle(ctx, commands.Sell(op("5")))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "$ stockctl sell DEMO-1 5          # 2 were sold\n%s\n", typo.Message())
	id := typo.Event.ID
	void, err := repairs.Handle(ctx, commands.Repair{Kind: domain.TypeOperationVoided, Target: id, Reason: "typed 5 for 2",
		CommandID: uuid.NewString(), Operator: "demo"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "$ stockctl void %s --reason \"typed 5 for 2\"\n%s\n", id[:8], void.Message())
	sale, err := seller.Handle(ctx, commands.Sell(op("2")))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "$ stockctl sell DEMO-1 2\n%s\n", sale.Message())
	counted, _ := domain.ParseQuantity("4")
	count, err := repairs.Handle(ctx, commands.Repair{Kind: domain.TypeStockCounted, Product: typo.Event.Product, Quantity: counted,
		Date: op("1").Date, DateGiven: true, Reason: "shelf count", CommandID: uuid.NewString(), Operator: "demo"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "$ stockctl count DEMO-1 4 --date \"%s\" --reason \"shelf count\"\n%s\n", op("1").Date, count.Message())
	return nil
}

// demoYear is the demo's generated year: the same operations on every run (seed 1, the
// demand model of 2024, 365 days from Monday 1 January), their dates moved by whole weeks
// so that the last day is in the week ending today. Sales are then recent, as alerts and
// reorder need them to forecast, and P001 ends at 455.00 every time.
func demoYear(now time.Time) datagen.Options {
	opt := datagen.Options{Products: 20, Days: 365, Seed: 1, Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	late := int(today.Sub(opt.Start.AddDate(0, 0, opt.Days-1)).Hours() / 24)
	opt.ShiftDays = late - ((late%7)+7)%7
	return opt
}

// demoAlerts sells a large order of P001, sets its reorder point above what is left and
// shows alerts and the first lines of reorder, as those commands print them.
func demoAlerts(c *cli.Context, e *env, seller commands.SellHandler, op func(string) commands.Operation) error {
	ctx, w := c.Context, c.App.Writer
	p001, _ := domain.ParseProductID("P001")
	order := op("120")
	order.Product, order.Note = p001, "order 4711"
	sale, err := seller.Handle(ctx, commands.Sell(order))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "$ stockctl sell P001 120 --note \"order 4711\"\n%s\n", sale.Message())
	min, _ := domain.ParseQuantity("400")
	t := domain.Threshold{Product: p001, Min: min, LeadDays: 7}
	res, err := commands.NewThresholdHandler(e.log, e, e.db, uuid.NewString).Handle(ctx, commands.ThresholdChange{Threshold: t, Operator: "demo"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "$ stockctl threshold set P001 --min 400 --lead-time 7d\n%s", thresholdSetMessage(t, res))
	list, err := e.db.Attention(ctx, readmodel.AttentionQuery{WindowDays: 28, HorizonDays: 14})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "$ stockctl alerts")
	alerts, count := alertsTable(list, 14, "table")
	if err := alerts.write(w, "table"); err != nil {
		return err
	}
	if count > 0 {
		fmt.Fprintf(w, "stockctl: %v (exit 1)\n", needsAttention(count))
	}
	fmt.Fprintln(w, "$ stockctl reorder | head -6")
	reorder := reorderTable(list, "table")
	if len(reorder.rows) > 5 {
		reorder.rows = reorder.rows[:5]
	}
	return reorder.write(w, "table")
}
