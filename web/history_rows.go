package web

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/stockctl/stockctl/reports"
)

// historyRowOf is how the product page shows h: its quantities in the browser's way,
// its event ID short, and for a repair or a voided operation what happened and why.
// byID holds the page's other rows, where a voided row finds who voided it and when.
func historyRowOf(n reports.Numbers, h HistoryEntry, byID map[string]HistoryEntry) historyRow {
	// Most operations carry a date alone (the CLI's --date 2024-05-02): a column of
	// 00:00:00 would only push the quantities off a phone's screen.
	row := historyRow{HistoryEntry: h, QuantityText: quantityText(n, h.Quantity), When: strings.TrimSuffix(h.Date, " 00:00:00"),
		ShortID: shortID(h.EventID)}
	// A time to the minute (the JSON history has it whole): a phone keeps the quantity on
	// its screen.
	if day, clock, ok := strings.Cut(row.When, " "); ok && len(clock) == len("15:04:05") {
		row.When = day + " " + clock[:len("15:04")]
	}
	if h.Stock != "" && h.Status != "voided" {
		row.StockText = quantityText(n, h.Stock)
	}
	var why []string
	switch {
	case h.Type == "void":
		row.Repair, row.QuantityText = true, ""
		if h.Delta != "" {
			row.QuantityText = signedText(n, h.Delta)
		}
		why = append(why, "voids "+shortID(h.Target))
	case h.Type == "count":
		row.Repair = true
		if h.Delta != "" {
			row.QuantityText = signedText(n, h.Delta)
		}
		if h.Counted != "" {
			why = append(why, fmt.Sprintf("counted %s, expected %s", quantityText(n, h.Counted), quantityText(n, h.Expected)))
		}
	case h.Type == "adjustment":
		row.Repair = true
		if h.Delta != "" {
			row.QuantityText = signedText(n, h.Delta)
		}
	case h.Target != "":
		row.Repair = true
		why = append(why, "corrects "+shortID(h.Target))
	}
	if h.RepairReason != "" {
		why = append(why, h.RepairReason)
	}
	if h.Status == "voided" {
		// The status says "voided": this line says who did it, when and why.
		v := h.VoidReason
		if by, ok := byID[h.VoidedBy]; ok {
			v = strings.TrimSuffix("by "+by.RecordedBy+" on "+recordedText(by.RecordedAt)+": "+v, ": ")
		}
		if v != "" {
			row.VoidedWhy = v
		}
	}
	row.Why = strings.Join(why, "; ")
	if h.Status == "accepted" && h.Type != "void" && h.EventID != "" {
		row.VoidURL = "/operations/" + url.PathEscape(h.EventID) + "/void"
	}
	return row
}

// signedText writes a signed quantity ("-3.00", "+2.00") as the page writes quantities,
// with its sign.
func signedText(n reports.Numbers, q string) string {
	c, ok := parseCents(q)
	if !ok {
		return q
	}
	if c > 0 {
		return "+" + n.Fixed(c)
	}
	return n.Fixed(c)
}

// recordedText writes a recorded time (RFC 3339) to the minute, in UTC as stored.
func recordedText(at string) string {
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return at
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}
