package main

import (
	"bufio"
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/internal/termsafe"
	"github.com/stockctl/stockctl/ledgercsv"
	"github.com/stockctl/stockctl/readmodel"
	"github.com/stockctl/stockctl/reports"
)

func exportCommand() *cli.Command {
	return &cli.Command{
		Name:  "export",
		Usage: "write the operations ledger to standard output, as CSV in the original format, JSON or JSON Lines",
		Description: "Every format lists the accepted operations in business-date order (operations of one\n" +
			"date by product, each product's in the order the ledger accepted them), each with the\n" +
			"stock after it in that order: an operation recorded later with an earlier --date shows\n" +
			"where it belongs and moves the stock of the rows after it. --from, --to and --product\n" +
			"select them. csv is the original format (BOM, CRLF, ';', dd/mm/yyyy, signed quantities,\n" +
			"stock after each operation), so importing it into an empty ledger gives the same stock.\n" +
			"It has no note column; a product ID a spreadsheet would take for a formula (starting\n" +
			"with =, +, -, @, a tab or a carriage return) gets a leading ', which import removes, and\n" +
			"quantities stay numbers. json is one array of objects with the original pipeline's\n" +
			"fields. jsonl is one object per line with all the operation's fields, for jq, DuckDB or\n" +
			"pandas: those five fields, then quantity and stock_after as exact decimal strings, then\n" +
			"event_id, command_id, product_seq, recorded_at, recorded_by, note, partition and offset.\n" +
			"JSON and JSON Lines are not neutralised: spreadsheets do not open them.\n" +
			"Examples: stockctl export --from 2024-01-01 > operations-2024.csv\n" +
			"          stockctl export --format jsonl --product P1 | jq -c 'select(.recorded_by == \"alice\")'",
		Flags: append(filterFlags(),
			&cli.StringFlag{Name: "format", Usage: "csv, json or jsonl (one object per line, every field)", Value: "csv"},
			&cli.BoolFlag{Name: "decimal-comma", Usage: "write CSV quantities with a decimal comma (-12,50), as French-style files do"},
		),
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("export takes no arguments; use --product to select products")
			}
			format := c.String("format")
			if format != "csv" && format != "json" && format != "jsonl" {
				return usagef("--format %q: use csv, json or jsonl", format)
			}
			if format != "csv" && c.Bool("decimal-comma") {
				return usagef("--decimal-comma is for --format csv: JSON numbers always use a dot")
			}
			f, err := parseFilter(c)
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			e, err := openCaughtUp(c)
			if err != nil {
				return err
			}
			defer e.Close()
			if format == "csv" {
				// The file goes out byte for byte: its BOM and CRLFs are part of the format,
				// and product IDs, checked when read from the log, hold no control character.
				w := ledgercsv.NewWriter(termsafe.Raw(c.App.Writer))
				w.DecimalComma = c.Bool("decimal-comma")
				if err := e.db.EachOperation(c.Context, f, func(r readmodel.ExportRow) error {
					return w.Write(r.Date, r.Product, r.SignedCents, r.StockCents)
				}); err != nil {
					return err
				}
				return w.Flush()
			}
			if format == "jsonl" {
				return exportJSONLines(c, e.db, f)
			}
			return exportJSON(c, e.db, f)
		},
	}
}

// jsonOperation is one operation with the original pipeline's message fields.
type jsonOperation struct {
	Date    string  `json:"operation_date"`
	Product string  `json:"product_ID"`
	Qty     float64 `json:"operation_qt"`
	Stock   float64 `json:"stock"`
	Type    string  `json:"operation_type"`
}

// jsonLine is one line of --format jsonl: the original fields, then the amounts as exact
// decimals (a float64 is not exact beyond 2^53 hundredths), then the event's metadata.
type jsonLine struct {
	jsonOperation
	Quantity   string `json:"quantity"` // unsigned, two decimals
	StockAfter string `json:"stock_after"`
	EventID    string `json:"event_id"`
	CommandID  string `json:"command_id"`
	Seq        int64  `json:"product_seq"`
	RecordedAt string `json:"recorded_at"`
	RecordedBy string `json:"recorded_by"`
	Note       string `json:"note"`
	Partition  int32  `json:"partition"`
	Offset     int64  `json:"offset"`
}

// jsonOperationOf gives r the original pipeline's fields.
func jsonOperationOf(r readmodel.ExportRow) jsonOperation {
	typ := "replenishment"
	if r.SignedCents < 0 {
		typ = "sales"
	}
	return jsonOperation{Date: r.Date.Format("2006-01-02 15:04:05"), Product: r.Product,
		Qty: float64(r.SignedCents) / 100, Stock: float64(r.StockCents) / 100, Type: typ}
}

// decimal writes non-negative hundredths with two decimals: 425 is "4.25".
func decimal(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }

// exportJSONLines writes one JSON object per operation, each on its own line.
func exportJSONLines(c *cli.Context, db *readmodel.DB, f reports.Filter) error {
	w := bufio.NewWriter(termsafe.Raw(c.App.Writer))
	err := db.EachOperationDetail(c.Context, f, func(r readmodel.ExportRow) error {
		b, err := json.Marshal(jsonLine{jsonOperation: jsonOperationOf(r), Quantity: decimal(max(r.SignedCents, -r.SignedCents)),
			StockAfter: decimal(r.StockCents), EventID: r.EventID, CommandID: r.CommandID, Seq: r.Seq,
			RecordedAt: r.RecordedAt, RecordedBy: r.RecordedBy, Note: r.Note, Partition: r.Partition, Offset: r.Offset})
		if err != nil {
			return err
		}
		w.Write(termsafe.JSON(b))
		return w.WriteByte('\n')
	})
	if err != nil {
		return err
	}
	return w.Flush()
}

func exportJSON(c *cli.Context, db *readmodel.DB, f reports.Filter) error {
	w := bufio.NewWriter(termsafe.Raw(c.App.Writer))
	w.WriteString("[")
	n := 0
	err := db.EachOperation(c.Context, f, func(r readmodel.ExportRow) error {
		b, err := json.Marshal(jsonOperationOf(r))
		if err != nil {
			return err
		}
		if n > 0 {
			w.WriteString(",")
		}
		n++
		w.WriteString("\n  ")
		_, err = w.Write(termsafe.JSON(b))
		return err
	})
	if err != nil {
		return err
	}
	w.WriteString("\n]\n")
	return w.Flush()
}
