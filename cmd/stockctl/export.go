package main

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/termsafe"
	"github.com/stockctl/stockctl/ledgercsv"
	"github.com/stockctl/stockctl/readmodel"
	"github.com/stockctl/stockctl/reports"
)

func exportCommand() *cli.Command {
	return &cli.Command{
		Name:  "export",
		Usage: "write the operations ledger to standard output, as CSV in the original format, JSON or JSON Lines, or the log's events",
		Description: "Every format lists the accepted operations in business-date order (operations of one\n" +
			"date by product, each product's in the order the ledger accepted them), each with the\n" +
			"stock after it in that order: an operation recorded later with an earlier --date shows\n" +
			"where it belongs and moves the stock of the rows after it. --from, --to and --product\n" +
			"select them. csv is the original format (BOM, CRLF, ';', dd/mm/yyyy, signed quantities,\n" +
			"stock after each operation), so importing it into an empty ledger gives the same stock.\n" +
			"It has no note column; a product ID a spreadsheet would take for a formula (starting\n" +
			"with =, +, -, @, a tab or a carriage return) gets a leading ', which import removes, and\n" +
			"quantities stay numbers. CSV cannot tell a void: it lists the operations in effect, counts\n" +
			"and adjustments as signed rows.\n" +
			"json is one array of objects with the original pipeline's fields; operation_type is\n" +
			"sales, replenishment, adjustment_in, adjustment_out, count_in, count_out or count, and a\n" +
			"voided operation stays in its place as voided, with voided_by and void_reason, its stock\n" +
			"the stock it left untouched. jsonl is one object per line with all the operation's\n" +
			"fields, for jq, DuckDB or pandas: those five, then quantity, delta and stock_after as\n" +
			"exact decimal strings, then event_id, event_type, command_id, product_seq, recorded_at,\n" +
			"recorded_by, note, partition, offset, reason, counted, corrects, voided_by, voided_at and\n" +
			"void_reason (null when they do not apply).\n" +
			"events is the log itself, one event per line as the topic holds it, each product's in\n" +
			"log order and each close once: import --format events reads it into an empty ledger\n" +
			"with identical results (it takes no --from, --to or --product).\n" +
			"JSON and JSON Lines are not neutralised: spreadsheets do not open them.\n" +
			"Examples: stockctl export --from 2024-01-01 > operations-2024.csv\n" +
			"          stockctl export --format jsonl --product P1 | jq -c 'select(.recorded_by == \"alice\")'\n" +
			"          stockctl export --format events > ledger.jsonl\n" +
			"--location X (csv or jsonl) lists that location's operations from the view\n" +
			"location_operations, with its stock after each; a transfer is a row out of one location\n" +
			"(transfer_out, negative in CSV) and one into the other (transfer_in). jsonl then has the\n" +
			"five original fields and location.",
		Flags: append(filterFlags(),
			&cli.StringFlag{Name: "format", Usage: "csv, json, jsonl (one object per line, every field) or events (the log itself)", Value: "csv"},
			&cli.BoolFlag{Name: "decimal-comma", Usage: "write CSV quantities with a decimal comma (-12,50), as French-style files do"},
			readLocationFlag(),
		),
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("export takes no arguments; use --product to select products")
			}
			format := c.String("format")
			if format != "csv" && format != "json" && format != "jsonl" && format != "events" {
				return usagef("--format %q: use csv, json, jsonl or events", format)
			}
			if c.IsSet("location") && format != "csv" && format != "jsonl" {
				return usagef("export: --location is for --format csv or jsonl (%s is product-level; the log itself has no location filter)", format)
			}
			if format == "events" {
				for _, name := range []string{"from", "to", "product"} {
					if c.IsSet(name) {
						return usagef("--format events writes the whole log, which import --format events reads back; --%s selects operations: use --format jsonl", name)
					}
				}
			}
			if format != "csv" && c.Bool("decimal-comma") {
				return usagef("--decimal-comma is for --format csv: JSON numbers always use a dot")
			}
			if format == "events" {
				return exportEvents(c)
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
			loc, err := readLocation(c, e, "export")
			if err != nil {
				return err
			}
			if loc != "" {
				return exportLocation(c, e.db, f, loc, format)
			}
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

// jsonOperation is one operation with the original pipeline's message fields; a voided
// operation also names the void or correction that cancelled it, and why.
type jsonOperation struct {
	Date       string  `json:"operation_date"`
	Product    string  `json:"product_ID"`
	Qty        float64 `json:"operation_qt"`
	Stock      float64 `json:"stock"`
	Type       string  `json:"operation_type"`
	VoidedBy   string  `json:"voided_by,omitempty"`
	VoidReason string  `json:"void_reason,omitempty"`
}

// jsonLine is one line of --format jsonl: the original fields, then the amounts as exact
// decimals (a float64 is not exact beyond 2^53 hundredths), then the event's metadata and
// its repairs. Fields without a value for this operation are null, never left out.
type jsonLine struct {
	Date       string  `json:"operation_date"`
	Product    string  `json:"product_ID"`
	Qty        float64 `json:"operation_qt"`
	Stock      float64 `json:"stock"`
	Type       string  `json:"operation_type"`
	Quantity   string  `json:"quantity"` // unsigned, two decimals
	Delta      string  `json:"delta"`    // signed: what it moves the stock by when in effect
	StockAfter string  `json:"stock_after"`
	EventID    string  `json:"event_id"`
	EventType  string  `json:"event_type"`
	CommandID  string  `json:"command_id"`
	Seq        int64   `json:"product_seq"`
	RecordedAt string  `json:"recorded_at"`
	RecordedBy string  `json:"recorded_by"`
	Note       string  `json:"note"`
	Partition  int32   `json:"partition"`
	Offset     int64   `json:"offset"`
	Location   string  `json:"location"`
	ToLocation *string `json:"to_location"`
	Reason     string  `json:"reason"`
	Counted    *string `json:"counted"`
	Corrects   *string `json:"corrects"`
	VoidedBy   *string `json:"voided_by"`
	VoidedAt   *string `json:"voided_at"`
	VoidReason *string `json:"void_reason"`
}

// jsonOperationOf gives r the original pipeline's fields.
func jsonOperationOf(r readmodel.ExportRow) jsonOperation {
	return jsonOperation{Date: r.Date.Format("2006-01-02 15:04:05"), Product: r.Product,
		Qty: float64(r.SignedCents) / 100, Stock: float64(r.StockCents) / 100, Type: r.Type,
		VoidedBy: r.VoidedBy.String, VoidReason: r.VoidReason.String}
}

// decimal writes hundredths with two decimals: 425 is "4.25", -300 is "-3.00".
func decimal(cents int64) string {
	if cents < 0 {
		return "-" + decimal(-cents)
	}
	return fmt.Sprintf("%d.%02d", cents/100, cents%100)
}

// orNull is s's string, or nil (JSON null) when s has none.
func orNull(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

// exportJSONLines writes one JSON object per operation, voided ones included, each on
// its own line.
func exportJSONLines(c *cli.Context, db *readmodel.DB, f reports.Filter) error {
	w := bufio.NewWriter(termsafe.Raw(c.App.Writer))
	err := db.EachOperationDetail(c.Context, f, func(r readmodel.ExportRow) error {
		o := jsonOperationOf(r)
		delta := r.SignedCents
		if r.EventType == string(domain.TypeStockTransferred) {
			delta = 0 // the product's total does not move
		}
		l := jsonLine{Date: o.Date, Product: o.Product, Qty: o.Qty, Stock: o.Stock, Type: o.Type,
			Quantity: decimal(max(r.SignedCents, -r.SignedCents)), Delta: decimal(delta),
			StockAfter: decimal(r.StockCents), EventID: r.EventID, EventType: r.EventType, CommandID: r.CommandID, Seq: r.Seq,
			RecordedAt: r.RecordedAt, RecordedBy: r.RecordedBy, Note: r.Note, Partition: r.Partition, Offset: r.Offset,
			Location: r.Location, ToLocation: orNull(r.To), Reason: r.Reason, Corrects: orNull(r.Corrects), VoidedBy: orNull(r.VoidedBy), VoidedAt: orNull(r.VoidedAt),
			VoidReason: orNull(r.VoidReason)}
		if r.Counted.Valid {
			counted := decimal(r.Counted.Int64)
			l.Counted = &counted
		}
		b, err := json.Marshal(l)
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
	err := db.EachOperationWithVoided(c.Context, f, func(r readmodel.ExportRow) error {
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
