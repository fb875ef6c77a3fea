package main

import (
	"bufio"
	"encoding/json"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/termsafe"
	"github.com/stockctl/stockctl/ledgercsv"
	"github.com/stockctl/stockctl/readmodel"
	"github.com/stockctl/stockctl/reports"
)

// readLocationFlag is --location on the commands that read (history, report, export).
func readLocationFlag() cli.Flag {
	return &cli.StringFlag{Name: "location", Usage: "only this location's operations (a transfer is in both of its locations)"}
}

// readLocation returns the --location a reading command was given ("" for none), refusing
// an unknown or closed one as sell does: invalid input (exit 2) naming the open ones.
func readLocation(c *cli.Context, e *env, command string) (string, error) {
	if !c.IsSet("location") {
		return "", nil
	}
	id, err := domain.ParseLocationID(c.String("location"))
	if err != nil {
		return "", usagef("%s: --location: %v", command, err)
	}
	locs, err := e.db.Locations(c.Context)
	if err != nil {
		return "", err
	}
	if err := locs.Check(id); err != nil {
		return "", usagef("%s: --location: %v", command, err)
	}
	return id.String(), nil
}

// historyAt keeps the entries of location loc, in order: its operations, a transfer out
// of it ("transfer out") or into it ("transfer in"), the voids of its operations; each in
// effect shows loc's stock after it, their running sum (every operation of the product in
// loc is listed from its first, one made before the product left main included). A
// rejected operation is listed in its location (migration 013; one rejected before that
// has none, and is left out).
func historyAt(entries []readmodel.HistoryEntry, loc string) []readmodel.HistoryEntry {
	out := []readmodel.HistoryEntry{}
	var stock int64
	for _, h := range entries {
		where := h.Location
		if where == "" && h.Status != "rejected" {
			where = "main"
		}
		if where != loc && h.To != loc {
			continue
		}
		q, _ := domain.ParseQuantity(h.Quantity)
		move := q.Cents()
		switch h.Type {
		case commands.WordsFor(domain.TypeStockSold).Noun:
			move = -move
		case "transfer":
			if h.To == loc {
				h.Type = "transfer in"
			} else {
				h.Type, move = "transfer out", -move
			}
		case "count", "adjustment":
			d, neg, _ := domain.ParseSignedQuantity(h.Delta)
			move = d.Cents()
			if neg {
				move = -move
			}
		case "void":
			move = 0
		}
		if h.Status == "accepted" && h.Type != "void" {
			stock += move
			h.Stock = cents(stock)
		}
		out = append(out, h)
	}
	return out
}

// locationLine is one line of export --format jsonl --location: a row of the view
// location_operations.
type locationLine struct {
	Date     string  `json:"operation_date"`
	Product  string  `json:"product_ID"`
	Qty      float64 `json:"operation_qt"`
	Stock    float64 `json:"stock"`
	Type     string  `json:"operation_type"`
	Location string  `json:"location"`
}

// exportLocation writes location loc's operations that f selects, as CSV in the original
// format (signed quantities, loc's stock after each) or JSON Lines.
func exportLocation(c *cli.Context, db *readmodel.DB, f reports.Filter, loc, format string) error {
	if format == "csv" {
		w := ledgercsv.NewWriter(termsafe.Raw(c.App.Writer))
		w.DecimalComma = c.Bool("decimal-comma")
		if err := db.EachLocationOperation(c.Context, f, loc, func(r readmodel.LocationRow) error {
			return w.Write(r.Date, r.Product, r.SignedCents, r.StockCents)
		}); err != nil {
			return err
		}
		return w.Flush()
	}
	out := bufio.NewWriter(c.App.Writer)
	enc := json.NewEncoder(out)
	if err := db.EachLocationOperation(c.Context, f, loc, func(r readmodel.LocationRow) error {
		q := r.SignedCents
		if q < 0 {
			q = -q
		}
		return enc.Encode(locationLine{Date: r.Date.Format(domain.BusinessDateLayout), Product: r.Product,
			Qty: float64(q) / 100, Stock: float64(r.StockCents) / 100, Type: r.Type, Location: r.Location})
	}); err != nil {
		return err
	}
	return out.Flush()
}
