package web

import (
	"cmp"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stockctl/stockctl/reports"
)

// The lists' templates join the page set pages.go makes: the layout and their content.
func init() {
	base := template.Must(template.ParseFS(templateFiles, "templates/layout.html"))
	for _, name := range []string{"products", "operations"} {
		pages[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFiles, "templates/"+name+".html"))
	}
}

// listRows is how many rows a page of the products or the operations list shows.
const listRows = 50

// productSorts are the products list's sorts; a leading "-" is descending. Movement is
// units sold over all time: what a shop manager reorders by.
var productSorts = []string{"product", "-product", "stock", "-stock", "movement", "-movement", "last", "-last"}

// column is one column of a sortable list (Sort "" when it does not sort), and the
// direction a first click sorts it: the products running out, the fast movers, the
// latest first.
type column struct {
	Label, Sort, First, Title string
	Numeric                   bool
}

var productColumns = []column{
	{Label: "Product", Sort: "product", First: "product", Title: "Product ID"},
	{Label: "Stock now", Sort: "stock", First: "stock", Title: "Current stock; the lowest first on the first click", Numeric: true},
	{Label: "Sold (all time)", Sort: "movement", First: "-movement", Title: "Movement: units sold over all time; the fast movers first on the first click", Numeric: true},
	{Label: "Restocked (all time)", Title: "Units restocked over all time", Numeric: true},
	{Label: "Operations", Title: "Operations in effect over all time: sales, restocks, adjustments and counts (voided ones not counted)", Numeric: true},
	{Label: "Last operation", Sort: "last", First: "-last", Title: "Business date of the latest operation; the latest first on the first click"},
}

// productLine is one row of the products list, formatted.
type productLine struct {
	Product, URL, Stock, Sold, Restocked, Operations, LastDate string
	// LastTime is the last operation's business date and time; the column shows the day
	// alone, so that the dates line up, and the time on hover.
	LastTime string
	// Level is "out" at zero stock, "low" at or below the --low threshold, else "".
	Level string
}

// productsPage answers GET /products: every product, searched by ?q=, sorted by ?sort=
// and paged by ?page=.
func (s *Server) productsPage(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	v := r.URL.Query()
	q := strings.TrimSpace(v.Get("q"))
	sort := v.Get("sort")
	data := map[string]any{"Title": "Products", "Q": q, "LowThreshold": numbers(r).Units(s.cfg.LowCents)}
	var problems []string
	if sort == "" {
		sort = "product"
	} else if !slices.Contains(productSorts, sort) {
		problems = append(problems, fmt.Sprintf("sort %q: use one of %s", sort, strings.Join(productSorts, ", ")))
		sort = "product"
	}
	page := 1
	if raw := v.Get("page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			problems = append(problems, fmt.Sprintf("page %q: use a page number from 1", raw))
		} else {
			page = n
		}
	}
	data["Sort"] = sort
	all, err := s.cfg.Store.ProductRows(r.Context())
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	rows := searchProducts(all, q)
	sortProducts(rows, sort, q)
	pages := max(1, (len(rows)+listRows-1)/listRows)
	if page > pages {
		problems = append(problems, fmt.Sprintf("page %d: there are %d pages of %s", page, pages, plural(len(rows), "product")))
		page = 1
	}
	link := func(sort string, page int) string {
		lv := url.Values{}
		if q != "" {
			lv.Set("q", q)
		}
		if sort != "product" {
			lv.Set("sort", sort)
		}
		if page > 1 {
			lv.Set("page", strconv.Itoa(page))
		}
		return "/products" + query(lv)
	}
	data["Headers"] = sortHeaders(productColumns, sort, func(s string) string { return link(s, 1) })
	nf := numbers(r)
	from := (page - 1) * listRows
	var lines []productLine
	for _, p := range rows[from:min(from+listRows, len(rows))] {
		l := productLine{Product: p.Product, URL: productURL("/products/", p.Product), Stock: nf.Fixed(p.StockCents),
			Sold: nf.Fixed(p.SoldCents), Restocked: nf.Fixed(p.RestockedCents), Operations: nf.Count(p.Operations),
			LastDate: p.LastDate[:min(len(p.LastDate), len("2006-01-02"))], LastTime: p.LastDate}
		switch {
		case p.StockCents == 0:
			l.Level = "out"
		case p.StockCents <= s.cfg.LowCents:
			l.Level = "low"
		}
		lines = append(lines, l)
	}
	data["Rows"], data["Known"], data["Matched"] = lines, len(all), len(rows)
	if len(lines) > 0 {
		data["Range"] = fmt.Sprintf("Products %s–%s of %s", nf.Count(int64(from+1)), nf.Count(int64(from+len(lines))), nf.Count(int64(len(rows))))
	}
	if page > 1 {
		data["PrevURL"] = link(sort, page-1)
	}
	if page < pages {
		data["NextURL"] = link(sort, page+1)
	}
	status := http.StatusOK
	if len(problems) > 0 {
		status = http.StatusBadRequest
		data["Problems"] = problems
	}
	serverTiming(w, time.Since(start))
	s.render(w, r, status, "products", data)
}

// searchProducts keeps the products whose ID holds q, ignoring case.
func searchProducts(all []ProductRow, q string) []ProductRow {
	if q == "" {
		return all
	}
	lq := strings.ToLower(q)
	var out []ProductRow
	for _, p := range all {
		if strings.Contains(strings.ToLower(p.Product), lq) {
			out = append(out, p)
		}
	}
	return out
}

// sortProducts orders rows by sort, ties by ID. Sorted by product while searching, the
// IDs that start with the search come first: typing "P1" finds P1 before AP1.
func sortProducts(rows []ProductRow, sort, q string) {
	desc := strings.HasPrefix(sort, "-")
	lq := strings.ToLower(q)
	key := func(a, b ProductRow) int {
		switch strings.TrimPrefix(sort, "-") {
		case "stock":
			return cmp.Compare(a.StockCents, b.StockCents)
		case "movement":
			return cmp.Compare(a.SoldCents, b.SoldCents)
		case "last":
			return cmp.Compare(a.LastDate, b.LastDate)
		}
		if lq != "" {
			ap, bp := strings.HasPrefix(strings.ToLower(a.Product), lq), strings.HasPrefix(strings.ToLower(b.Product), lq)
			if ap != bp && !desc {
				if ap {
					return -1
				}
				return 1
			}
		}
		return cmp.Compare(a.Product, b.Product)
	}
	// Ties stay in ID order both ways: reversing the stock must not reverse P1, P2.
	slices.SortStableFunc(rows, func(a, b ProductRow) int {
		c := key(a, b)
		if desc {
			c = -c
		}
		if c == 0 && strings.TrimPrefix(sort, "-") != "product" {
			c = cmp.Compare(a.Product, b.Product)
		}
		return c
	})
}

// sortHeader is one column header of a sortable table.
type sortHeader struct {
	Label, Title, URL string
	// AriaSort is "ascending" or "descending" on the column the table is sorted by.
	AriaSort string
	Numeric  bool
}

// sortHeaders makes the headers of a table sorted by sort: a click on the sorted column
// reverses it, a click on another sorts it in its First direction.
func sortHeaders(cols []column, sort string, link func(sort string) string) []sortHeader {
	var out []sortHeader
	for _, c := range cols {
		h := sortHeader{Label: c.Label, Title: c.Title, Numeric: c.Numeric}
		if c.Sort != "" {
			next := c.First
			switch sort {
			case c.Sort:
				h.AriaSort, next = "ascending", "-"+c.Sort
			case "-" + c.Sort:
				h.AriaSort, next = "descending", c.Sort
			}
			h.URL = link(next)
		}
		out = append(out, h)
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return reports.English.Count(int64(n)) + " " + word + "s"
}
