package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/asof"
	"github.com/stockctl/stockctl/internal/termsafe"
	"github.com/stockctl/stockctl/productid"
	"github.com/stockctl/stockctl/readmodel"
)

// errNoHistory means history was asked for a product the ledger has never seen, as the
// API's 404: most often a mistyped ID.
var errNoHistory = errors.New("no operations on product")

// historyReason is the reason column of an entry: why it was rejected, voided, made or
// what a count found. A table names other events by their short IDs, which void and
// correct accept.
func historyReason(h readmodel.HistoryEntry, format string) string {
	id := func(s string) string {
		if format == "table" {
			return shortID(s)
		}
		return s
	}
	with := func(s, reason string) string {
		if reason == "" {
			return s
		}
		return s + ": " + reason
	}
	switch {
	case h.Status == "rejected":
		return h.Reason
	case h.Status == "voided":
		return with("voided by "+id(h.VoidedBy), h.VoidReason)
	case h.Type == "void":
		return with("void of "+id(h.Target), h.RepairReason)
	case h.Target != "":
		return with("corrects "+id(h.Target), h.RepairReason)
	case h.Type == "count":
		return with(fmt.Sprintf("counted %s, expected %s, %s", h.Counted, h.Expected, plusSign(h.Delta)), h.RepairReason)
	case h.Type == "adjustment":
		return h.RepairReason + ", " + plusSign(h.Delta)
	}
	return h.RepairReason
}

// strikeVoided wraps the lines of a rendered table (its header first, then one line per
// entry) whose entry is voided in the terminal's strikethrough. The table's cells are
// escaped already (termsafe.Cell): the only live characters are the ones added here.
func strikeVoided(table []byte, entries []readmodel.HistoryEntry) []byte {
	lines := bytes.SplitAfter(table, []byte("\n"))
	var out bytes.Buffer
	for i, l := range lines {
		if i > 0 && i <= len(entries) && entries[i-1].Status == "voided" {
			body := bytes.TrimRight(l, " \n")
			out.WriteString("\x1b[9m")
			out.Write(body)
			out.WriteString("\x1b[29m")
			out.Write(l[len(body):])
			continue
		}
		out.Write(l)
	}
	return out.Bytes()
}

// isTerminal reports whether w writes to a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := termsafe.Raw(w).(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

// shortID is the first 8 characters of an event ID, the shortest prefix void and correct
// accept.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// plusSign writes a signed movement with its sign either way: "+3.00", "-3.00", "0.00".
func plusSign(delta string) string {
	if delta == "" || strings.HasPrefix(delta, "-") || delta == "0.00" {
		return delta
	}
	return "+" + delta
}

func historyCommand() *cli.Command {
	return &cli.Command{
		Name:      "history",
		Usage:     "show every operation on a product with its running stock; rejected ones marked",
		ArgsUsage: "PRODUCT",
		Description: "Lists the product's operations by business date (in the order recorded within a\n" +
			"date). Accepted ones show the stock right after them in that order: every operation\n" +
			"dated before counts, even one recorded later. Rejected ones show why the ledger\n" +
			"refused them. A voided operation is listed as VOIDED, with the void's reason and\n" +
			"event ID, and the void right after it; a correction as the operation it records, a\n" +
			"count with what was counted and expected, an adjustment with its reason code. The\n" +
			"event column's short IDs are what void and correct take. --as-of DATE lists the operations dated up to the end of that day;\n" +
			"--as-known-at TIME those recorded by then (local time), with the stock the ledger\n" +
			"knew then. A product with no operation at all exits 1; one with none at that moment\n" +
			"lists nothing.\n" +
			"Examples: stockctl history P1 --output csv\n" +
			"          stockctl history P1 --as-known-at \"2024-05-03 18:00:00\"\n" +
			"          stockctl history P1 --location north   (that location's operations and\n" +
			"          stock; a transfer shows as transfer out/in in each of its two locations)",
		Flags:        append(momentFlags(), outputFlag(), readLocationFlag()),
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			format, err := checkOutput(c)
			if err != nil {
				return err
			}
			if c.NArg() != 1 {
				return usagef("history takes one PRODUCT, got %d argument(s); e.g. stockctl history P1", c.NArg())
			}
			p, err := productid.Lookup(c.Args().First())
			if err != nil {
				return fmt.Errorf("history: %w", err)
			}
			m, err := moment(c)
			if err != nil {
				return err
			}
			e, err := openCaughtUp(c)
			if err != nil {
				return err
			}
			defer e.Close()
			loc, err := readLocation(c, e, "history")
			if err != nil {
				return err
			}
			return writeHistory(c, e, p.String(), m, format, loc)
		},
	}
}

// writeHistory prints a product's operations at moment m in format.
// With loc, only that location's entries, with its stock.
func writeHistory(c *cli.Context, e *env, product string, m asof.Moment, format, loc string) error {
	entries, err := e.db.HistoryAt(c.Context, product, m)
	if err != nil {
		return err
	}
	if loc != "" && len(entries) > 0 {
		entries = historyAt(entries, loc)
	}
	if len(entries) == 0 {
		// Before its first operation a product has an empty history; never seen, it
		// is most often a mistyped ID.
		if _, total, err := e.db.HistoryPage(c.Context, product, 0, 1); err != nil {
			return err
		} else if total == 0 {
			return fmt.Errorf("history: %w %q", errNoHistory, product)
		}
		entries = []readmodel.HistoryEntry{} // JSON shows an empty list, not null
	}
	t := table{header: []string{"date", "type", "quantity", "stock", "status", "reason", "recorded_by", "note", "event"},
		numeric: []int{2, 3}, values: entries}
	// A product kept in several locations gets a location column (a transfer's is
	// "from→to"); one kept in main only reads as it always has.
	located := false
	for _, h := range entries {
		located = located || (h.Location != "" && h.Location != "main") || h.To != ""
	}
	if located {
		t.header = append(t.header[:2:2], append([]string{"location"}, t.header[2:]...)...)
		t.numeric = []int{3, 4}
	}
	for _, h := range entries {
		status, event := h.Status, h.EventID
		if format == "table" {
			status, event = strings.ToUpper(status), shortID(event)
			if h.Status == "accepted" {
				status = h.Status
			}
		}
		row := []string{h.Date, h.Type, h.Quantity, h.Stock, status, historyReason(h, format), h.RecordedBy, h.Note, event}
		if located {
			where := h.Location
			if h.To != "" {
				where += "→" + h.To
			}
			row = append(row[:2:2], append([]string{where}, row[2:]...)...)
		}
		t.rows = append(t.rows, row)
	}
	if err := writeMoment(c.App.Writer, m, format); err != nil {
		return err
	}
	if format == "table" && isTerminal(c.App.Writer) {
		// On a terminal, a voided row is struck through as well; a pipe gets the text.
		var b bytes.Buffer
		if err := t.write(&b, format); err != nil {
			return err
		}
		_, err := termsafe.Raw(c.App.Writer).Write(strikeVoided(b.Bytes(), entries))
		return err
	}
	return t.write(c.App.Writer, format)
}
