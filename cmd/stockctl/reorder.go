package main

import (
	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/readmodel"
)

func reorderCommand() *cli.Command {
	return &cli.Command{
		Name:  "reorder",
		Usage: "the suggested purchase list: what to order of each product, to send to a supplier",
		Description: "Catches the read model up with the log, then lists each stock with something to order,\n" +
			"most urgent first (as alerts orders them), with its stock, minimum, daily rate, days of\n" +
			"cover and the suggested quantity:\n" +
			"  need = minimum + daily rate × (lead time + window) − stock\n" +
			"  order = the larger of the reorder quantity and need rounded up to a whole unit, when\n" +
			"  need > 0; nothing otherwise.\n" +
			"With no sale in the window need is minimum − stock; with no threshold, minimum, reorder\n" +
			"quantity and lead time are 0 (enough for the window's sales). The daily rate is read\n" +
			"as alerts reads it (see stockctl alerts --help).\n" +
			"Examples: stockctl reorder\n" +
			"          stockctl reorder --location north -o csv > order.csv",
		Flags:        attentionFlags(),
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			list, format, err := readAttention(c, "reorder")
			if err != nil {
				return err
			}
			return reorderTable(list, format).write(c.App.Writer, format)
		},
	}
}

// reorderTable is the table reorder writes: the stocks of list with something to order.
func reorderTable(list []readmodel.Attention, format string) table {
	t := table{header: []string{"product", "location", "stock", "minimum", "daily_rate", "days_of_cover", "suggested_quantity"},
		numeric: []int{2, 3, 4, 5, 6}}
	values := []attentionJSON{}
	for _, a := range list {
		if a.Suggested <= 0 {
			continue
		}
		j := toJSON(a)
		values = append(values, j)
		t.rows = append(t.rows, []string{a.Product, locationCell(a.Location, format), cents(a.Stock), deref(j.Min),
			rateCell(a.Forecast), coverCell(a.Forecast), cents(a.Suggested)})
	}
	t.values = values
	return t
}
