package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/internal/termsafe"
	"github.com/stockctl/stockctl/ledgercsv"
)

func outputFlag() cli.Flag {
	return &cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "table, json or csv", Value: "table"}
}

// table is rows of text with a header, rendered as an aligned table, JSON or CSV.
// Whatever a cell holds (a note written by any Kafka producer), the table and CSV escape
// control, format and bidi characters with termsafe.Cell, JSON with termsafe.JSON, and
// CSV neutralises text cells a spreadsheet would run as formulas.
type table struct {
	header []string
	rows   [][]string
	// numeric are the columns holding numbers, which CSV leaves as numbers.
	numeric []int
	values  any // what JSON shows
}

func checkOutput(c *cli.Context) (string, error) {
	switch f := c.String("output"); f {
	case "table", "json", "csv":
		return f, nil
	default:
		return "", usagef("--output %q: use table, json or csv", f)
	}
}

func (t table) write(w io.Writer, format string) error {
	switch format {
	case "json":
		return writeJSON(w, t.values)
	case "csv":
		cw := csv.NewWriter(termsafe.Raw(w))
		cw.Write(t.header)
		for _, r := range t.rows {
			cells := make([]string, len(r))
			for i, v := range r {
				cells[i] = termsafe.Cell(v)
				if !slices.Contains(t.numeric, i) {
					cells[i] = ledgercsv.Neutralise(cells[i])
				}
			}
			cw.Write(cells)
		}
		cw.Flush()
		return cw.Error()
	}
	// tabwriter writes each cell and its padding separately: unbuffered, a table of
	// 10,000 rows (stock --by-location) would be tens of thousands of write calls.
	bw := bufio.NewWriter(w)
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(t.header, "\t"))
	for _, r := range t.rows {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = termsafe.Cell(v)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return bw.Flush()
}

// writeJSON writes v as indented JSON, with the characters a terminal would act on
// escaped (termsafe.JSON): the same value for a program, nothing live for a terminal.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = termsafe.Raw(w).Write(append(termsafe.JSON(b), '\n'))
	return err
}
