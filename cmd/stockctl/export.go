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
		Usage: "write the operations ledger to standard output, as CSV in the original format or JSON",
		Description: "CSV is the original format (BOM, CRLF, ';', dd/mm/yyyy, signed quantities, stock\n" +
			"after each operation), product by product, each product's operations in the order the\n" +
			"ledger accepted them, so importing it into an empty ledger gives the same stock. A\n" +
			"product ID a spreadsheet would take for a formula (=, +, -, @) gets a leading ', which\n" +
			"import removes. JSON is an array of objects with the original pipeline's fields.\n" +
			"Example: stockctl export --from 2024-01-01 > operations-2024.csv",
		Flags: append(filterFlags(),
			&cli.StringFlag{Name: "format", Usage: "csv or json", Value: "csv"},
			&cli.BoolFlag{Name: "decimal-comma", Usage: "write CSV quantities with a decimal comma (-12,50), as French-style files do"},
		),
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("export takes no arguments; use --product to select products")
			}
			format := c.String("format")
			if format != "csv" && format != "json" {
				return usagef("--format %q: use csv or json", format)
			}
			if format == "json" && c.Bool("decimal-comma") {
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

func exportJSON(c *cli.Context, db *readmodel.DB, f reports.Filter) error {
	w := bufio.NewWriter(termsafe.Raw(c.App.Writer))
	w.WriteString("[")
	n := 0
	err := db.EachOperation(c.Context, f, func(r readmodel.ExportRow) error {
		typ := "replenishment"
		if r.SignedCents < 0 {
			typ = "sales"
		}
		b, err := json.Marshal(jsonOperation{Date: r.Date.Format("2006-01-02 15:04:05"), Product: r.Product,
			Qty: float64(r.SignedCents) / 100, Stock: float64(r.StockCents) / 100, Type: typ})
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
