package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/asof"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/readmodel"
)

// errNeedsAttention means alerts listed something: exit 1, for cron and monitoring.
var errNeedsAttention = errors.New("alerts")

func alertsCommand() *cli.Command {
	return &cli.Command{
		Name:  "alerts",
		Usage: "list the stocks at zero, at or below their minimum, or forecast to run out soon",
		Description: "Catches the read model up with the log, then lists what needs attention, most urgent\n" +
			"first: stocks at zero, then at or below their minimum (stockctl threshold set), then\n" +
			"forecast to run out within --horizon or their lead time, whichever is longer; each group\n" +
			"by earliest stock-out date, stocks with no forecast last. The stocks are every product's\n" +
			"total and its stock in each location with a threshold of its own; --location X lists\n" +
			"every product's stock in X instead.\n" +
			"The forecast: daily rate = units sold in the --window business days ending today (or\n" +
			"--as-of), voided sales left out, corrected ones at their corrected quantity, divided by\n" +
			"the window's days; days of cover = stock / daily rate; stock-out date = that day plus\n" +
			"the whole days of cover. No sale in the window: no rate, no cover, no date (blank in the\n" +
			"table and CSV, null in JSON).\n" +
			"Exit status: 0 when nothing needs attention, 1 when something does, 2 for bad input,\n" +
			"3 when the log or the read model is unavailable.\n" +
			"Examples: stockctl alerts\n" +
			"          stockctl alerts --horizon 30d --location north -o json\n" +
			"          stockctl alerts --as-of 2024-04-30 --window 7d",
		Flags:        append(attentionFlags(), &cli.StringFlag{Name: "horizon", Value: "14d", Usage: "list stocks forecast to run out within this many days: 14d or 14"}),
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			list, format, err := readAttention(c, "alerts")
			if err != nil {
				return err
			}
			horizon, _ := days(c, "horizon")
			t, n := alertsTable(list, horizon, format)
			if err := t.write(c.App.Writer, format); err != nil {
				return err
			}
			if n > 0 {
				return needsAttention(n)
			}
			return nil
		},
	}
}

// needsAttention is the error alerts ends with when n stocks need attention (exit 1).
func needsAttention(n int) error {
	noun := "stocks need"
	if n == 1 {
		noun = "stock needs"
	}
	return fmt.Errorf("%w: %d %s attention", errNeedsAttention, n, noun)
}

// alertsTable is the table alerts writes: the stocks of list with a reason, in its order,
// and how many they are.
func alertsTable(list []readmodel.Attention, horizon int, format string) (table, int) {
	t := table{header: []string{"product", "location", "stock", "min", "daily_rate", "days_of_cover", "stockout_date", "reason"},
		numeric: []int{2, 3, 4, 5}}
	values := []attentionJSON{}
	for _, a := range list {
		if a.Reason == "" {
			continue
		}
		j := toJSON(a)
		j.Why = reasonWords(a, horizon)
		values = append(values, j)
		t.rows = append(t.rows, []string{a.Product, locationCell(a.Location, format), cents(a.Stock), deref(j.Min),
			rateCell(a.Forecast), coverCell(a.Forecast), deref(j.StockOut), j.Why})
	}
	t.values = values
	return t, len(values)
}

// attentionFlags are the flags alerts and reorder share.
func attentionFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "window", Value: "28d", Usage: "measure the daily rate of sales over this many business days, ending on the day asked: 28d or 28"},
		&cli.StringFlag{Name: "location", Usage: "every product's stock in this location, under its threshold there if any"},
		&cli.StringFlag{Name: "as-of", Usage: "as at the end of this business date (YYYY-MM-DD): its stock, and the window ending on it; today by default"},
		outputFlag(),
	}
}

// readAttention checks the flags alerts and reorder share, catches up and reads the list.
func readAttention(c *cli.Context, name string) ([]readmodel.Attention, string, error) {
	format, err := checkOutput(c)
	if err != nil {
		return nil, "", err
	}
	if c.Args().Present() {
		return nil, "", usagef("%s takes no arguments (got %q); see --help", name, c.Args().First())
	}
	var q readmodel.AttentionQuery
	if q.WindowDays, err = days(c, "window"); err != nil {
		return nil, "", err
	}
	if c.Command.Name == "alerts" {
		if q.HorizonDays, err = days(c, "horizon"); err != nil {
			return nil, "", err
		}
	}
	if c.IsSet("as-of") {
		s := c.String("as-of")
		d, err := asof.ParseDate(s)
		if err != nil || len(s) != len("2006-01-02") {
			if err == nil {
				err = fmt.Errorf("%q: use YYYY-MM-DD, a whole day", s)
			}
			return nil, "", usagef("%s: --as-of: %v", name, err)
		}
		q.AsOf = d.Time()
	}
	var loc domain.LocationID
	if c.IsSet("location") {
		if loc, err = domain.ParseLocationID(c.String("location")); err != nil {
			return nil, "", usagef("%s: --location: %v", name, err)
		}
		q.Location = loc.String()
	}
	e, err := openCaughtUp(c)
	if err != nil {
		return nil, "", err
	}
	defer e.Close()
	if q.Location != "" {
		locs, err := e.db.Locations(c.Context)
		if err != nil {
			return nil, "", err
		}
		if _, ok := locs.Get(loc); !ok {
			return nil, "", fmt.Errorf("%s: %w", name, locs.Check(loc))
		}
	}
	list, err := e.db.Attention(c.Context, q)
	return list, format, err
}

// maxDays bounds --window and --horizon: ten years.
const maxDays = 3660

// days reads a count of days given as "14d" or "14".
func days(c *cli.Context, flag string) (int, error) {
	s := c.String(flag)
	n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
	if err != nil || n < 1 || n > maxDays {
		return 0, usagef("--%s %q: use a whole number of days from 1 to %d, like 14d", flag, s, maxDays)
	}
	return n, nil
}

// attentionJSON is one stock as alerts and reorder write it in JSON: no forecast is null.
type attentionJSON struct {
	Product    string   `json:"product"`
	Location   *string  `json:"location"` // null for the product's total
	Stock      string   `json:"stock"`
	Min        *string  `json:"min"`
	ReorderQty *string  `json:"reorder_qty"`
	LeadDays   *int     `json:"lead_time_days"`
	Sold       string   `json:"sold_in_window"`
	WindowDays int      `json:"window_days"`
	DailyRate  *float64 `json:"daily_rate"`
	Cover      *float64 `json:"days_of_cover"`
	StockOut   *string  `json:"stockout_date"`
	Reason     *string  `json:"reason"` // zero, below_min, forecast
	Why        string   `json:"reason_text,omitempty"`
	Suggested  string   `json:"suggested_quantity"`
}

func toJSON(a readmodel.Attention) attentionJSON {
	j := attentionJSON{Product: a.Product, Stock: cents(a.Stock), Sold: cents(a.Forecast.Sold),
		WindowDays: a.Forecast.WindowDays, Suggested: cents(a.Suggested)}
	if a.Location != "" {
		j.Location = &a.Location
	}
	if t := a.Threshold; t != nil {
		m, r, l := t.Min.String(), t.ReorderQty.String(), t.LeadDays
		j.Min, j.ReorderQty, j.LeadDays = &m, &r, &l
	}
	if f := a.Forecast; f.HasRate {
		rate, cover, out := round(f.Rate, 4), round(f.CoverDays, 2), f.StockOut.Format("2006-01-02")
		j.DailyRate, j.Cover, j.StockOut = &rate, &cover, &out
	}
	if a.Reason != "" {
		j.Reason = &a.Reason
	}
	return j
}

// reasonWords says why a needs attention, for a person.
func reasonWords(a readmodel.Attention, horizon int) string {
	switch a.Reason {
	case readmodel.ReasonZero:
		return "out of stock"
	case readmodel.ReasonBelowMin:
		return "at or below its minimum"
	case readmodel.ReasonForecast:
		if a.Threshold != nil && a.Threshold.LeadDays > horizon {
			return fmt.Sprintf("runs out within its lead time (%d days)", a.Threshold.LeadDays)
		}
		return fmt.Sprintf("runs out within %d days", horizon)
	}
	return ""
}

func round(v float64, places int) float64 {
	p := math.Pow10(places)
	return math.Round(v*p) / p
}

// locationCell is a stock's location in a table: "(total)" for a product's total; empty
// in CSV and JSON.
func locationCell(l, format string) string {
	if l == "" && format == "table" {
		return "(total)"
	}
	return l
}

func rateCell(f domain.Forecast) string {
	if !f.HasRate {
		return ""
	}
	return strconv.FormatFloat(f.Rate, 'f', 2, 64)
}

func coverCell(f domain.Forecast) string {
	if !f.HasRate {
		return ""
	}
	return strconv.FormatFloat(f.CoverDays, 'f', 1, 64)
}
