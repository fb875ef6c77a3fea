package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/stockctl/stockctl/productid"
	"github.com/stockctl/stockctl/reports"
)

// operationSorts are the operations list's sorts; a leading "-" is descending.
var operationSorts = []string{"-date", "date", "-recorded", "recorded", "product", "-product", "-quantity", "quantity"}

var operationColumns = []column{
	{Label: "Date", Sort: "date", First: "-date", Title: "Business date; the latest first on the first click"},
	{Label: "Product", Sort: "product", First: "product", Title: "Product ID, each product's operations in the order they were accepted"},
	{Label: "Type", Title: "sale, restock, adjustment or count"},
	{Label: "Quantity", Sort: "quantity", First: "-quantity", Title: "Units sold or restocked; the largest first on the first click", Numeric: true},
	{Label: "Stock after", Title: "The product's stock after the operation", Numeric: true},
	{Label: "Recorded", Sort: "recorded", First: "-recorded", Title: "When and by whom it was recorded; the latest first on the first click"},
	{Label: "Note"},
}

// operationsForm is the operations list's filter as the query string gives it.
type operationsForm struct {
	From, To, Product, Type, Sort string
	After, Before                 string
	query                         OperationQuery
}

// values is the query string of the filter and sort, without a cursor.
func (f operationsForm) values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"from", f.From}, {"to", f.To}, {"product", f.Product}, {"type", f.Type}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if f.Sort != "-date" {
		v.Set("sort", f.Sort)
	}
	return v
}

// parseOperationsForm reads ?from=&to=&product=&type=&sort=&after=&before=, resolving
// the product to its stored ID regardless of case. Every problem is listed; known is
// false for a well-formed product the ledger never saw.
func (s *Server) parseOperationsForm(r *http.Request) (f operationsForm, problems []string, known bool, err error) {
	v := r.URL.Query()
	f = operationsForm{From: strings.TrimSpace(v.Get("from")), To: strings.TrimSpace(v.Get("to")),
		Product: strings.TrimSpace(v.Get("product")), Type: v.Get("type"), Sort: v.Get("sort"),
		After: v.Get("after"), Before: v.Get("before")}
	known = true
	filter, ferr := reports.ParseFilter(f.From, f.To, nil, func(field string) string { return field })
	if ferr != nil {
		problems = append(problems, ferr.Error())
	}
	f.query.From, f.query.To = filter.From, filter.To
	if f.Type != "" && !slices.Contains(operationTypes, f.Type) {
		problems = append(problems, fmt.Sprintf("type %q: use %s, or leave it empty for all", f.Type, strings.Join(operationTypes, ", ")))
	}
	f.query.Type = f.Type
	if f.Sort == "" {
		f.Sort = "-date"
	}
	if !slices.Contains(operationSorts, f.Sort) {
		problems = append(problems, fmt.Sprintf("sort %q: use one of %s", f.Sort, strings.Join(operationSorts, ", ")))
		f.Sort = "-date"
	}
	f.query.Sort = f.Sort
	if f.After != "" && f.Before != "" {
		problems = append(problems, "after and before: give one page link at a time; start again from the first page")
	}
	if f.Product != "" {
		p, perr := productid.Lookup(f.Product)
		if perr != nil {
			problems = append(problems, "product: "+perr.Error())
		} else {
			id, match, err := s.resolveProduct(r, p.String())
			if err != nil {
				return f, problems, false, err
			}
			if len(match) > 1 {
				problems = append(problems, ambiguous(p.String(), match))
			}
			known = len(match) == 1
			f.Product, f.query.Product = id, id
		}
	}
	return f, problems, known, nil
}

// operationLine is one row of the operations list, formatted.
type operationLine struct {
	Date, Product, URL, Type, Quantity, Stock, Recorded, RecordedAt, RecordedBy, Note string
}

// operationsPage answers GET /operations: the accepted operations, filtered, sorted and
// paged by cursor.
func (s *Server) operationsPage(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	f, problems, known, err := s.parseOperationsForm(r)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	data := map[string]any{"Title": "Operations", "Form": f, "Types": operationTypes,
		"Filtered": len(f.values()) > 0, "Unknown": !known && len(problems) == 0}
	base := f.values()
	link := func(extra ...string) string {
		v := url.Values{}
		for k, vs := range base {
			v[k] = vs
		}
		for i := 0; i+1 < len(extra); i += 2 {
			if extra[i+1] == "" {
				v.Del(extra[i])
			} else {
				v.Set(extra[i], extra[i+1])
			}
		}
		return "/operations" + query(v)
	}
	data["Headers"] = sortHeaders(operationColumns, f.Sort, func(s string) string {
		if s == "-date" {
			s = ""
		}
		return link("sort", s)
	})
	if len(problems) == 0 && known {
		page, err := s.cfg.Store.OperationsPage(r.Context(), f.query, f.After, f.Before, listRows)
		var bad *QueryError
		switch {
		case errors.As(err, &bad):
			problems = append(problems, bad.Msg)
			data["RestartURL"] = link("after", "", "before", "")
		case err != nil:
			s.unavailable(w, r, err)
			return
		default:
			s.fillOperations(r, data, page, base, link)
		}
	}
	status := http.StatusOK
	if len(problems) > 0 {
		status = http.StatusBadRequest
		data["Problems"] = problems
	}
	serverTiming(w, time.Since(start))
	s.render(w, r, status, "operations", data)
}

// fillOperations puts a page's rows, range and links in data.
func (s *Server) fillOperations(r *http.Request, data map[string]any, page OperationPage, base url.Values, link func(extra ...string) string) {
	nf := numbers(r)
	var lines []operationLine
	for _, o := range page.Rows {
		l := operationLine{Date: strings.TrimSuffix(o.Date, " 00:00:00"), Product: o.Product, URL: productURL("/products/", o.Product),
			Type: o.Type, Quantity: listQuantity(nf, o), Stock: nf.Fixed(o.StockCents), RecordedAt: o.RecordedAt,
			Recorded: o.RecordedAt, RecordedBy: o.RecordedBy, Note: listNote(o)}
		if t, err := time.Parse(time.RFC3339Nano, o.RecordedAt); err == nil {
			l.Recorded = t.UTC().Format("2006-01-02 15:04")
		}
		lines = append(lines, l)
	}
	data["Rows"], data["Total"] = lines, nf.Count(page.Total)
	if len(lines) > 0 {
		data["Range"] = fmt.Sprintf("%s–%s of %s", nf.Count(page.Start), nf.Count(page.Start+int64(len(lines))-1), nf.Count(page.Total))
		data["CSVURL"], data["JSONURL"] = downloadURL("csv", base), downloadURL("json", base)
	}
	if page.Prev != "" {
		data["FirstURL"], data["PrevURL"] = link("after", "", "before", ""), link("after", "", "before", page.Prev)
	}
	if page.Next != "" {
		data["NextURL"], data["LastURL"] = link("before", "", "after", page.Next), link("after", "", "before", LastPage)
	}
}

// downloadURL is the address of everything filter selects, in its order, as format:
// format comes first, then the page's own filter and sort.
func downloadURL(format string, filter url.Values) string {
	u := "/api/operations?format=" + format
	if len(filter) > 0 {
		u += "&" + filter.Encode()
	}
	return u
}

// listQuantity is a row's quantity: a sale's and a restock's as typed, an adjustment's
// and a count's signed, since either may add or take out.
func listQuantity(nf reports.Numbers, o ListedOperation) string {
	if o.Type == saleNoun || o.Type == restockNoun || o.DeltaCents == 0 {
		return nf.Fixed(o.QtyCents)
	}
	if o.DeltaCents < 0 {
		return "−" + nf.Fixed(-o.DeltaCents)
	}
	return "+" + nf.Fixed(o.DeltaCents)
}

// listNote is a row's note after its reason: an adjustment's reason code, a count's or a
// correction's reason.
func listNote(o ListedOperation) string {
	switch {
	case o.Reason == "":
		return o.Note
	case o.Note == "":
		return o.Reason
	}
	return o.Reason + " — " + o.Note
}
