package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/stockctl/stockctl/productid"
	"github.com/stockctl/stockctl/reports"
)

// historyPageRows is how many operations one page of a product's history lists. 50 rows
// are a screen or two: the stock and its chart stay the first thing a product page shows.
const historyPageRows = 50

// historyRow is an operation as the product page shows it, quantities written one way.
type historyRow struct {
	HistoryEntry
	QuantityText, StockText string
	When                    string // the business date, without a time of 00:00:00
	// ShortID is the event ID's first characters; the full one is EventID.
	ShortID string
	// Why says what a repair did and why ("counted 37.00, expected 40.00; monthly
	// count"); VoidedWhy, of a voided row, who voided it, when and why.
	Why, VoidedWhy string
	// VoidURL is the confirmation of voiding the row, for an operation in effect.
	VoidURL string
	// Repair marks a void, count, adjustment or correction, which the page sets apart.
	Repair bool
	// Where is the row's location ("main→north" for a transfer), for a product kept in
	// several locations.
	Where string
}

// productView is what product_fragment.html shows.
type productView struct {
	Product          string
	Known            bool
	Stock            string // as the page writes quantities
	AtZero, Low      bool
	Chart            template.HTML
	History          []historyRow
	Total            int
	First, Last      int // the rows shown, 1-based, latest business date first
	Page, Pages      int
	PrevURL, NextURL string
	Range            string // "Operations 1–50 of 5,000"
	Operations       string // how many accepted operations, written for people
	LastDate         string
	HistoryURL       string
	// Places is the stock per location, for a product kept in more than one.
	Places []LocationStock
	// Watch is its thresholds and forecast (issue 20).
	Watch *productWatch
}

// quantityText writes a quantity the read model gives as "1234.50" as the page's other
// quantities are written: both decimals and the browser's separators, "1,234.50", so the
// stock line and every row of the history read alike.
func quantityText(n reports.Numbers, q string) string {
	c, ok := parseCents(q)
	if !ok {
		return q
	}
	return n.Fixed(c)
}

// parseCents reads the read model's quantity text, "-12.50" or "12", in hundredths.
func parseCents(q string) (int64, bool) {
	whole, frac, _ := strings.Cut(q, ".")
	if len(frac) > 2 {
		return 0, false
	}
	neg := strings.HasPrefix(whole, "-")
	w, err := strconv.ParseInt(strings.TrimPrefix(whole, "-"), 10, 64)
	if err != nil {
		return 0, false
	}
	f := int64(0)
	if frac != "" {
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil || f < 0 {
			return 0, false
		}
		if len(frac) == 1 {
			f *= 10
		}
	}
	c := w*100 + f
	if neg {
		c = -c
	}
	return c, true
}

// historyPage reads ?page=: 1 when absent, an error when not a whole number from 1.
func historyPage(r *http.Request) (int, error) {
	raw := r.URL.Query().Get("page")
	if raw == "" {
		return 1, nil
	}
	p, err := strconv.Atoi(raw)
	if err != nil || p < 1 {
		return 1, fmt.Errorf("page %q: give a whole number from 1; showing the newest operations", raw)
	}
	return p, nil
}

// withPage returns the address u (which may carry ?id=) for page p; page 1 has none.
func withPage(u string, p int) string {
	if p <= 1 {
		return u
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + "page=" + strconv.Itoa(p)
}

// productHTML renders a product's stock, its stock chart and one page of its history,
// latest business date first with the stock after each row in business-date order, and
// how long it took.
func (s *Server) productHTML(r *http.Request, product string, page int) (template.HTML, time.Duration, error) {
	start := time.Now()
	n := numbers(r)
	v := productView{Product: product, HistoryURL: historyURL(product)}
	levels, err := s.cfg.Store.StockLevels(r.Context(), product)
	if err != nil {
		return "", 0, err
	}
	if len(levels) == 1 {
		c, _ := parseCents(levels[0].Stock)
		v.Known, v.Stock = true, n.Fixed(c)
		v.AtZero, v.Low = c <= 0, c > 0 && c <= s.cfg.LowCents
		v.Operations = n.Count(levels[0].Seq) + " accepted operation"
		if levels[0].Seq != 1 {
			v.Operations += "s"
		}
		v.LastDate = strings.TrimSuffix(levels[0].LastDate, " 00:00:00")
	}
	history, total, err := s.cfg.Store.HistoryPage(r.Context(), product, (page-1)*historyPageRows, historyPageRows)
	if err != nil {
		return "", 0, err
	}
	if pages := (total + historyPageRows - 1) / historyPageRows; page > pages && pages > 0 {
		// Past the end (the link of a page that has since shrunk, or a typed number):
		// the oldest page, which is what it was after.
		page = pages
		if history, total, err = s.cfg.Store.HistoryPage(r.Context(), product, (page-1)*historyPageRows, historyPageRows); err != nil {
			return "", 0, err
		}
	}
	v.Total, v.Page = total, page
	v.Pages = (total + historyPageRows - 1) / historyPageRows
	v.First, v.Last = (page-1)*historyPageRows+1, (page-1)*historyPageRows+len(history)
	base := productURL("/products/", product)
	if page > 1 {
		v.PrevURL = withPage(base, page-1)
	}
	if page < v.Pages {
		v.NextURL = withPage(base, page+1)
	}
	v.Range = fmt.Sprintf("Operations %s–%s of %s", n.Count(int64(v.First)), n.Count(int64(v.Last)), n.Count(int64(total)))
	byID := make(map[string]HistoryEntry, len(history))
	for _, h := range history {
		byID[h.EventID] = h
	}
	places, err := s.cfg.Store.ProductLocations(r.Context(), product)
	if err != nil {
		return "", 0, err
	}
	if len(places) > 1 {
		for _, p := range places {
			c, _ := parseCents(p.Stock)
			v.Places = append(v.Places, LocationStock{Location: p.Location, Stock: n.Fixed(c)})
		}
	}
	for _, h := range history {
		row := historyRowOf(n, h, byID)
		if len(v.Places) > 0 && h.Location != "" {
			row.Where = h.Location
			if h.To != "" {
				row.Where += "→" + h.To
			}
		}
		v.History = append(v.History, row)
	}
	watch, watched, err := s.watchOf(r, product)
	if err != nil {
		return "", 0, err
	}
	if v.Known {
		v.Watch = watch
	}
	if watched != nil {
		v.Chart, err = reports.WatchedStockChart(r.Context(), s.cfg.Store, product, s.reportOptions(r, reports.Filter{}), *watched)
	} else {
		v.Chart, err = reports.StockChart(r.Context(), s.cfg.Store, product, s.reportOptions(r, reports.Filter{}))
	}
	if err != nil {
		return "", 0, err
	}
	var b bytes.Buffer
	if err := pages["product"].ExecuteTemplate(&b, "product_fragment", v); err != nil {
		return "", 0, err
	}
	return template.HTML(b.String()), time.Since(start), nil
}

// reportOptions are the options of every view of package reports the web shows: the
// browser's way of writing numbers and links to the web's pages.
func (s *Server) reportOptions(r *http.Request, f reports.Filter) reports.Options {
	return reports.Options{Filter: f, LowCents: s.cfg.LowCents, Now: s.cfg.Now(), Numbers: numbers(r), Links: &reports.Links{
		Product:      func(id string) string { return productURL("/products/", id) },
		Products:     "/products",
		Operations:   "/operations",
		NewOperation: "/operations/new",
	}}
}

// productPage answers GET /products/{id}: the product's stock, its chart, its history a
// page at a time and the entry form for it, updating live. ?recorded=NONCE shows what a
// form recorded. An ID in the wrong case goes to the product's page when exactly one
// product folds to it.
func (s *Server) productPage(w http.ResponseWriter, r *http.Request) {
	p, err := productid.Lookup(productParam(r))
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if stored, _, err := s.resolveProduct(r, p.String()); err != nil {
		s.unavailable(w, r, err)
		return
	} else if stored != p.String() {
		target := productURL("/products/", stored)
		if q := r.URL.Query(); len(q) > 0 {
			q.Del("id")
			if enc := q.Encode(); enc != "" {
				target = withQuery(target, enc)
			}
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	page, pageErr := historyPage(r)
	version := s.cfg.Hub.Version()
	frag, took, err := s.productHTML(r, p.String(), page)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	form, err := s.newForm(r, p.String())
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	count, adjust := s.newRepairForm(r, "count", p.String()), s.newRepairForm(r, "adjust", p.String())
	count.Locations, adjust.Locations = form.Locations, form.Locations
	data := map[string]any{"Title": "Product " + p.String(), "Product": p.String(), "Form": form, "Fragment": frag, "Version": version,
		"Count": count, "Adjust": adjust, "MoveURL": "/transfers/new?product=" + url.QueryEscape(p.String()),
		"FragmentURL": withPage(productURL("/fragments/products/", p.String()), page)}
	status := http.StatusOK
	if pageErr != nil {
		data["PageError"], status = pageErr.Error(), http.StatusBadRequest
	}
	if nonce := r.URL.Query().Get("recorded"); nonce != "" {
		if flash, err := s.flash(r, nonce); err != nil {
			s.unavailable(w, r, err)
			return
		} else if flash != nil {
			data["Flash"] = flash
		}
	}
	serverTiming(w, took)
	s.render(w, r, status, "product", data)
}

// withQuery adds an encoded query to an address that may already have one.
func withQuery(u, enc string) string {
	if strings.Contains(u, "?") {
		return u + "&" + enc
	}
	return u + "?" + enc
}

// productFragment answers GET /fragments/products/{id}[?page=N].
func (s *Server) productFragment(w http.ResponseWriter, r *http.Request) {
	p, err := productid.Lookup(productParam(r))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	page, _ := historyPage(r)
	frag, took, err := s.productHTML(r, p.String(), page)
	if err != nil {
		s.cfg.ErrorLog.Printf("web: %s %s: %v", r.Method, r.URL.Path, err)
		http.Error(w, "the ledger cannot be read right now", http.StatusServiceUnavailable)
		return
	}
	writeFragment(w, took, frag)
}
