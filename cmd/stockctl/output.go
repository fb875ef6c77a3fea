package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"
)

func outputFlag() cli.Flag {
	return &cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "table, json or csv", Value: "table"}
}

// table is rows of text with a header, rendered as an aligned table, JSON or CSV.
type table struct {
	header []string
	rows   [][]string
	values any // what JSON shows
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
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(t.values)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(t.header)
		cw.WriteAll(t.rows)
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(t.header, "\t"))
	for _, r := range t.rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}
