package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/reports"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages holds one template set per page, each the layout with that page's content.
var pages = func() map[string]*template.Template {
	base := template.Must(template.ParseFS(templateFiles, "templates/layout.html", "templates/form.html", "templates/product_fragment.html",
		"templates/repair_form.html"))
	out := make(map[string]*template.Template)
	for _, name := range []string{"dashboard", "product", "new", "error", "void", "repair", "transfer"} {
		out[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFiles, "templates/"+name+".html"))
	}
	return out
}()

// render writes a page, or a 500 if its template fails. A page with nothing live has
// version -1.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, data map[string]any) {
	if _, ok := data["Version"]; !ok {
		data["Version"] = int64(-1)
	}
	var b bytes.Buffer
	if err := pages[page].ExecuteTemplate(&b, "layout", data); err != nil {
		s.cfg.ErrorLog.Printf("web: %s %s: %v", r.Method, r.URL.Path, err)
		http.Error(w, "internal error; see the server's log", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// errorPage shows an error as a page.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "error", map[string]any{"Title": http.StatusText(status), "Message": msg})
}

// unavailable shows a failure of the read model or the log (the CLI's exit 3).
func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	s.cfg.ErrorLog.Printf("web: %s %s: %v", r.Method, r.URL.Path, err)
	w.Header().Set("Retry-After", "1")
	s.errorPage(w, r, http.StatusServiceUnavailable, "The ledger cannot be read right now: "+err.Error())
}

// dashboardQuery is the dashboard's filter as the query string gives it.
type dashboardQuery struct {
	From, To, Products string
	Location           string // ?location=north: the views of that location alone
	filter             reports.Filter
}

// parseDashboardQuery reads ?from=&to=&products=P1,P2 (or product= repeated), by the
// same rules as the CLI's --from, --to and --product.
func parseDashboardQuery(v url.Values) (dashboardQuery, error) {
	q := dashboardQuery{From: v.Get("from"), To: v.Get("to"), Location: strings.TrimSpace(v.Get("location"))}
	var raw []string
	for _, s := range append(append([]string(nil), v["product"]...), splitList(v["products"])...) {
		if strings.TrimSpace(s) != "" {
			raw = append(raw, s)
		}
	}
	if n := len(distinct(raw)); n > MaxFilterProducts {
		return q, fmt.Errorf("products: %d given, at most %d at once", n, MaxFilterProducts)
	}
	var err error
	q.filter, err = reports.ParseFilter(q.From, q.To, raw, func(field string) string {
		if field == "product" {
			return "products"
		}
		return field
	})
	if err != nil {
		return q, err
	}
	q.Products = strings.Join(q.filter.Products, ", ")
	if q.Location != "" {
		id, err := domain.ParseLocationID(q.Location)
		if err != nil {
			return q, fmt.Errorf("location: %w", err)
		}
		q.Location = id.String()
		q.filter.Location = q.Location
	}
	return q, nil
}

// dashboardLocations returns the open locations, main first, and checks q's location is one
// of them, refusing an unknown or closed one as the CLI's --location does.
func (s *Server) dashboardLocations(r *http.Request, q dashboardQuery) ([]Location, error, error) {
	locs, err := s.cfg.Store.Locations(r.Context())
	if err != nil {
		return nil, nil, err
	}
	var open []Location
	var ids []domain.LocationID
	closed := false
	for _, l := range locs {
		if l.Status == "open" {
			open = append(open, l)
			id, _ := domain.ParseLocationID(l.ID)
			ids = append(ids, id)
		} else if l.ID == q.Location {
			closed = true
		}
	}
	if q.Location == "" {
		return open, nil, nil
	}
	for _, l := range open {
		if l.ID == q.Location {
			return open, nil, nil
		}
	}
	id, _ := domain.ParseLocationID(q.Location)
	return open, fmt.Errorf("location: %w", &domain.LocationError{ID: id, Closed: closed, Open: ids}), nil
}

// atLocation is a store that gives the report's store of one location (readmodel's
// DB.AtLocation).
type atLocation interface {
	AtLocation(loc string) reports.Store
}

// MaxFilterProducts is how many products one dashboard filter or /api/stock request may
// name. The read model puts each in an SQL IN list (twice in one query), and SQLite
// allows 32,766 variables in a statement: 20,000 products answered 503 "too many SQL
// variables". 500 is more than a page can show and far below that limit.
const MaxFilterProducts = 500

// distinct returns the different product IDs in ids, trimmed as the filter trims them.
func distinct(ids []string) map[string]bool {
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		set[strings.TrimSpace(id)] = true
	}
	return set
}

func splitList(lists []string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, strings.Split(l, ",")...)
	}
	return out
}

// resolve replaces each typed product ID by the stored one it means (see
// matchingProducts), as people type IDs in any case. An ID that matches nothing stays,
// and the views say nothing was recorded for it; one that matches several is an error.
func (q *dashboardQuery) resolve(ids []string) error {
	seen := make(map[string]bool)
	var out []string
	for _, id := range q.filter.Products {
		switch match := matchingProducts(ids, id); {
		case len(match) == 1:
			id = match[0]
		case len(match) > 1:
			return fmt.Errorf("products: %s", ambiguous(id, match))
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	q.filter.Products = out
	q.Products = strings.Join(out, ", ")
	return nil
}

// describe says what the filter selects.
func (q dashboardQuery) describe() string {
	var s string
	switch {
	case q.From == "" && q.To == "":
		s = "All operations"
	case q.From == "":
		s = "Operations up to " + q.To
	case q.To == "":
		s = "Operations from " + q.From
	default:
		s = "Operations from " + q.From + " to " + q.To
	}
	if q.Products != "" {
		s += " of " + q.Products
	}
	if q.Location != "" {
		s += " in location " + q.Location
	}
	return s
}

// values is the query string for the filter, for links and fragment URLs.
func (q dashboardQuery) values() url.Values {
	v := url.Values{}
	if q.From != "" {
		v.Set("from", q.From)
	}
	if q.To != "" {
		v.Set("to", q.To)
	}
	if q.Products != "" {
		v.Set("products", q.Products)
	}
	if q.Location != "" {
		v.Set("location", q.Location)
	}
	return v
}

// dashboardHTML renders the report's views for a filter, and how long it took.
func (s *Server) dashboardHTML(r *http.Request, f reports.Filter) (template.HTML, time.Duration, error) {
	start := time.Now()
	var b bytes.Buffer
	opt := s.reportOptions(r, f)
	opt.Rows, opt.Recent = dashboardRows, true
	opt.Attention = s.cfg.Store
	var store reports.Store = s.cfg.Store
	if f.Location != "" {
		a, ok := s.cfg.Store.(atLocation)
		if !ok {
			return "", 0, fmt.Errorf("the views of one location are not available")
		}
		store = a.AtLocation(f.Location)
	}
	err := reports.Dashboard(r.Context(), store, opt, &b)
	return template.HTML(b.String()), time.Since(start), err
}

func serverTiming(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Server-Timing", fmt.Sprintf("render;dur=%.1f", float64(d)/float64(time.Millisecond)))
}

// dashboardPage answers GET /: the report's views, filtered, updating live.
func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request) {
	// The version before reading: a change after it makes the page fetch itself again.
	version := s.cfg.Hub.Version()
	q, err := parseDashboardQuery(r.URL.Query())
	known, kerr := s.cfg.Store.StockLevels(r.Context())
	if kerr != nil {
		s.unavailable(w, r, kerr)
		return
	}
	if err == nil && len(q.filter.Products) > 0 {
		ids, ierr := s.cfg.Store.ProductIDs(r.Context())
		if ierr != nil {
			s.unavailable(w, r, ierr)
			return
		}
		err = q.resolve(ids)
	}
	open, lerr, oerr := s.dashboardLocations(r, q)
	if oerr != nil {
		s.unavailable(w, r, oerr)
		return
	}
	if err == nil {
		err = lerr
	}
	data := map[string]any{"Known": known, "Title": "Dashboard", "Version": version, "From": q.From, "To": q.To, "Products": q.Products,
		"Location": q.Location, "Locations": open,
		"Filtered": len(q.values()) > 0, "Period": q.describe(), "FragmentURL": "/fragments/dashboard" + query(q.values())}
	if err != nil {
		data["FilterError"] = err.Error()
		data["FragmentURL"] = "/fragments/dashboard"
		s.render(w, r, http.StatusBadRequest, "dashboard", data)
		return
	}
	frag, took, err := s.dashboardHTML(r, q.filter)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	data["Fragment"] = frag
	serverTiming(w, took)
	s.render(w, r, http.StatusOK, "dashboard", data)
}

// dashboardFragment answers GET /fragments/dashboard: the views alone, which the page's
// script fetches when the ledger changes.
func (s *Server) dashboardFragment(w http.ResponseWriter, r *http.Request) {
	q, err := parseDashboardQuery(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if len(q.filter.Products) > 0 {
		ids, err := s.cfg.Store.ProductIDs(r.Context())
		if err != nil {
			s.cfg.ErrorLog.Printf("web: %s %s: %v", r.Method, r.URL.Path, err)
			http.Error(w, "the ledger cannot be read right now", http.StatusServiceUnavailable)
			return
		}
		if err := q.resolve(ids); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	}
	if _, lerr, err := s.dashboardLocations(r, q); err != nil {
		s.cfg.ErrorLog.Printf("web: %s %s: %v", r.Method, r.URL.Path, err)
		http.Error(w, "the ledger cannot be read right now", http.StatusServiceUnavailable)
		return
	} else if lerr != nil {
		http.Error(w, lerr.Error(), http.StatusBadRequest)
		return
	}
	frag, took, err := s.dashboardHTML(r, q.filter)
	if err != nil {
		s.cfg.ErrorLog.Printf("web: %s %s: %v", r.Method, r.URL.Path, err)
		http.Error(w, "the ledger cannot be read right now", http.StatusServiceUnavailable)
		return
	}
	writeFragment(w, took, frag)
}

func writeFragment(w http.ResponseWriter, took time.Duration, frag template.HTML) {
	serverTiming(w, took)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(frag))
}

// productURL returns the address of a product's page under base ("/products/"). A
// browser resolves a path segment "." or ".." (even written %2E) before sending it, so
// those two IDs, which a product may have, go in the query: /products/?id=..
func productURL(base, id string) string {
	if id == "." || id == ".." {
		return base + "?id=" + url.QueryEscape(id)
	}
	return base + url.PathEscape(id)
}

// historyURL returns the address of a product's history in the API.
func historyURL(id string) string {
	if id == "." || id == ".." {
		return "/api/products/history?id=" + url.QueryEscape(id)
	}
	return "/api/products/" + url.PathEscape(id) + "/history"
}

// productParam is the product a product route names: in its path, or in ?id= for the
// IDs a path cannot carry.
func productParam(r *http.Request) string {
	if id := r.PathValue("id"); id != "" {
		return id
	}
	return r.URL.Query().Get("id")
}
