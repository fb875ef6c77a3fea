package web

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/termsafe"
	"github.com/stockctl/stockctl/ledgercsv"
)

// apiMethods answers an API route for several methods, and any other with a JSON 405
// that lists them in Allow.
func apiMethods(handlers map[string]http.HandlerFunc) http.Handler {
	var allow []string
	for m := range handlers {
		allow = append(allow, m)
	}
	if handlers[http.MethodGet] != nil && handlers[http.MethodHead] == nil {
		allow = append(allow, http.MethodHead) // answered by the GET handler
	}
	slices.Sort(allow)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, ok := handlers[r.Method]
		if !ok && r.Method == http.MethodHead {
			h, ok = handlers[http.MethodGet]
		}
		if !ok {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, http.StatusMethodNotAllowed, apiError{Code: "method_not_allowed",
				Message: fmt.Sprintf("%s %s: use %s", r.Method, r.URL.Path, strings.Join(allow, " or "))})
			return
		}
		h(w, r)
	})
}

// downloadFormats are the formats GET /api/operations writes.
var downloadFormats = map[string]string{
	"csv":   "text/csv; charset=utf-8",
	"json":  "application/json; charset=utf-8",
	"jsonl": "application/x-ndjson; charset=utf-8",
}

// apiOperations answers GET /api/operations?format=csv|json|jsonl with the operations
// page's filter and sort: every operation it selects, all pages, in its order, streamed
// as it is read. CSV is `stockctl export`'s format and JSON its array of objects, so a
// download imports and compares like an export; jsonl is those objects one per line.
func (s *Server) apiOperations(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if _, ok := downloadFormats[format]; !ok {
		writeError(w, http.StatusBadRequest, apiError{Code: "invalid_format", Field: "format",
			Message: fmt.Sprintf("format %q: use csv, json or jsonl", format)})
		return
	}
	f, problems, known, err := s.parseOperationsForm(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if len(problems) > 0 {
		writeError(w, http.StatusBadRequest, apiError{Code: "invalid_filter", Message: strings.Join(problems, "; ")})
		return
	}
	if !known {
		writeError(w, http.StatusNotFound, apiError{Code: "unknown_product", Field: "product",
			Message: fmt.Sprintf("no operation was ever recorded for %q", f.Product)})
		return
	}
	w.Header().Set("Content-Type", downloadFormats[format])
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, downloadName(f), format))
	w.Header().Set("Cache-Control", "no-store")
	if r.Method == http.MethodHead {
		return
	}
	// The server's write timeout is for pages: a download of a million rows may take
	// longer, so each block of rows buys the next minute.
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Now().Add(time.Minute))
	n := 0
	extend := func() {
		if n++; n%10000 == 0 {
			rc.SetWriteDeadline(time.Now().Add(time.Minute))
		}
	}
	var write func(ListedOperation) error
	var finish func() error
	switch format {
	case "csv":
		cw := ledgercsv.NewWriter(w)
		write = func(o ListedOperation) error {
			extend()
			d, err := time.Parse(domain.BusinessDateLayout, o.Date)
			if err != nil {
				return err
			}
			return cw.Write(d, o.Product, signed(o), o.StockCents)
		}
		finish = cw.Flush
	default:
		bw := bufio.NewWriter(w)
		sep, end := ",\n  ", "\n]\n"
		if format == "jsonl" {
			sep, end = "\n", "\n"
		} else {
			bw.WriteString("[")
		}
		write = func(o ListedOperation) error {
			extend()
			b, err := json.Marshal(exportObject(o))
			if err != nil {
				return err
			}
			switch {
			case n > 1:
				bw.WriteString(sep)
			case format == "json":
				bw.WriteString("\n  ")
			}
			_, err = bw.Write(termsafe.JSON(b))
			return err
		}
		finish = func() error {
			if n > 0 || format == "json" {
				bw.WriteString(end)
			}
			return bw.Flush()
		}
	}
	err = s.cfg.Store.EachListedOperation(r.Context(), f.query, write)
	if err == nil {
		err = finish()
	}
	if err != nil {
		// The status is sent: cutting the connection is how the client learns that the
		// file is incomplete.
		s.cfg.ErrorLog.Printf("web: %s %s: %v", r.Method, r.URL.Path, err)
		panic(http.ErrAbortHandler)
	}
}

// saleNoun is how the lists name a sale (commands' word), and restockNoun a restock;
// operationTypes are every type the lists filter by, adjustments and counts too.
var (
	saleNoun, restockNoun = commands.WordsFor(domain.TypeStockSold).Noun, commands.WordsFor(domain.TypeStockRestocked).Noun
	operationTypes        = []string{saleNoun, restockNoun, commands.WordsFor(domain.TypeStockAdjusted).Noun, commands.WordsFor(domain.TypeStockCounted).Noun}
)

// signed is an operation's movement: an adjustment or a count may take units out.
func signed(o ListedOperation) int64 { return o.DeltaCents }

// exportOperation is `stockctl export --format json`'s object: the original pipeline's
// fields.
type exportOperation struct {
	Date    string  `json:"operation_date"`
	Product string  `json:"product_ID"`
	Qty     float64 `json:"operation_qt"`
	Stock   float64 `json:"stock"`
	Type    string  `json:"operation_type"`
}

func exportObject(o ListedOperation) exportOperation {
	// The operations view's operation_type (migration 008).
	typ := "replenishment"
	switch {
	case o.Type == saleNoun:
		typ = "sales"
	case o.Type == restockNoun:
	case o.Type == operationTypes[2]:
		typ = map[bool]string{true: "adjustment_out", false: "adjustment_in"}[o.DeltaCents < 0]
	case o.DeltaCents < 0:
		typ = "count_out"
	case o.DeltaCents > 0:
		typ = "count_in"
	default:
		typ = "count"
	}
	return exportOperation{Date: o.Date, Product: o.Product, Qty: float64(signed(o)) / 100, Stock: float64(o.StockCents) / 100, Type: typ}
}

// downloadName is a download's file name without its extension: what it holds, as
// operations-P1-sales-2024-01-01-to-2024-03-31. Characters a file name should not hold
// become "_".
func downloadName(f operationsForm) string {
	parts := []string{"operations"}
	if f.Product != "" {
		parts = append(parts, f.Product)
	}
	if f.Type != "" {
		parts = append(parts, f.Type+"s")
	}
	switch {
	case f.From != "" && f.To != "":
		parts = append(parts, f.From+"-to-"+f.To)
	case f.From != "":
		parts = append(parts, "from-"+f.From)
	case f.To != "":
		parts = append(parts, "to-"+f.To)
	}
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_' {
			return r
		}
		return '_'
	}, strings.Join(parts, "-"))
}
