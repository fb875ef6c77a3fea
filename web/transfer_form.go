package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/productid"
	"github.com/stockctl/stockctl/reports"
)

// transferForm is the form that moves stock of a product from one location to another.
type transferForm struct {
	Nonce, CSRF                 string
	Product, Quantity, From, To string
	Date, Time, Note, Operator  string
	DefaultOperator             string
	DecimalComma                bool
	Locations                   []locationChoice
	Known                       []StockLevel
	Places                      []LocationStock // the product's stock per location
	Errors                      map[string]string
	Focus                       string
	AllowFuture, Future         bool
	ProductURL                  string
}

// transferFields are the transfer form's fields in the order it shows them.
var transferFormFields = []string{"product", "quantity", "from", "to", "date", "time", "note", "operator"}

func (f *transferForm) fail(errs map[string]string) {
	f.Errors, f.Focus = errs, ""
	for _, field := range transferFormFields {
		if errs[field] != "" && f.Focus == "" {
			f.Focus = field
		}
	}
}

// fillTransfer adds the open locations, the known products and the product's stock per
// location.
func (s *Server) fillTransfer(r *http.Request, f *transferForm) error {
	var err error
	if f.Locations, err = s.openLocations(r); err != nil {
		return err
	}
	known, err := s.cfg.Store.StockLevels(r.Context())
	if err != nil {
		return err
	}
	n := numbers(r)
	f.Known = make([]StockLevel, len(known))
	for i, k := range known {
		k.Stock = quantityText(n, k.Stock)
		f.Known[i] = k
	}
	f.Places, f.ProductURL = nil, ""
	if p, err := productid.Lookup(strings.TrimSpace(f.Product)); err == nil {
		places, err := s.cfg.Store.ProductLocations(r.Context(), p.String())
		if err != nil {
			return err
		}
		for _, pl := range places {
			f.Places = append(f.Places, LocationStock{Location: pl.Location, Stock: quantityText(n, pl.Stock)})
		}
		f.ProductURL = productURL("/products/", p.String())
	}
	return nil
}

// newTransferPage answers GET /transfers/new[?product=ID&from=LOC].
func (s *Server) newTransferPage(w http.ResponseWriter, r *http.Request) {
	nonce := newNonce()
	q := r.URL.Query()
	f := transferForm{Nonce: nonce, CSRF: s.formToken(nonce), Product: q.Get("product"), From: q.Get("from"), To: q.Get("to"),
		DefaultOperator: s.cfg.Operator, DecimalComma: decimalComma(r)}
	if p, err := productid.Lookup(f.Product); err == nil {
		f.Product = p.String()
	}
	if err := s.fillTransfer(r, &f); err != nil {
		s.unavailable(w, r, err)
		return
	}
	if f.From == "" {
		f.From = "main"
	}
	if f.To == "" {
		for _, l := range f.Locations {
			if l.ID != f.From {
				f.To = l.ID
				break
			}
		}
	}
	f.Focus = "product"
	if f.Product != "" {
		f.Focus = "quantity"
	}
	s.render(w, r, http.StatusOK, "transfer", map[string]any{"Title": "Move stock", "Form": f})
}

// submitTransfer answers POST /transfers from the transfer form: one transfer event, or
// the form again with the refusal in plain words next to its field and nothing moved.
func (s *Server) submitTransfer(w http.ResponseWriter, r *http.Request) {
	nonce, ok := s.readPosted(w, r, "Nothing was moved: open the form again and submit it.")
	if !ok {
		return
	}
	pf := r.PostForm
	f := transferForm{Nonce: nonce, CSRF: pf.Get("csrf"), Product: pf.Get("product"), Quantity: pf.Get("quantity"),
		From: pf.Get("from"), To: pf.Get("to"), Date: pf.Get("date"), Time: pf.Get("time"), Note: pf.Get("note"),
		Operator: pf.Get("operator"), DefaultOperator: s.cfg.Operator, DecimalComma: decimalComma(r),
		AllowFuture: pf.Get("allow_future") != ""}
	refuse := func(status int, errs map[string]string) {
		f.fail(errs)
		if err := s.fillTransfer(r, &f); err != nil {
			s.unavailable(w, r, err)
			return
		}
		s.render(w, r, status, "transfer", map[string]any{"Title": "Move stock", "Form": f})
	}
	errs := make(map[string]string)
	if strings.TrimSpace(f.From) == "" {
		errs["from"] = "pick the location the units leave"
	}
	if strings.TrimSpace(f.To) == "" {
		errs["to"] = "pick the location the units go to"
	}
	date, timeErr := formDate(f.Date, f.Time)
	if timeErr != nil {
		errs["time"] = timeErr.Error()
	}
	in := operationInput{Product: f.Product, Type: string(domain.TypeStockTransferred), Quantity: formQuantity(f.Quantity, numbers(r)),
		Date: date, Note: f.Note, Operator: f.Operator, Key: formKeyPrefix + nonce, AllowFuture: f.AllowFuture,
		Location: f.From, To: f.To}
	_, op, invalid := in.parseAll(s.cfg.Now(), s.cfg.Operator)
	for _, e := range invalid {
		field := e.Field
		switch field {
		case "idempotency_key":
			field = "form"
		case "location":
			field = "from"
		}
		if errs[field] == "" {
			errs[field] = formMessage(e)
		}
		f.Future = f.Future || errors.Is(e, domain.ErrFutureDate)
	}
	if op.Location == op.To && errs["from"] == "" && errs["to"] == "" {
		errs["to"] = fmt.Sprintf("the units are already in %s: pick another location to move them to", op.To)
	}
	if len(errs) > 0 {
		refuse(http.StatusBadRequest, errs)
		return
	}
	res, _, err := s.record(r, in)
	if err != nil {
		status, class := classify(err)
		field, msg := class.Field, transferMessage(err, op.Date, numbers(r))
		var locErr *domain.LocationError
		switch {
		case errors.As(err, &locErr):
			field = "from"
			if locErr.ID == op.To {
				field = "to"
			}
		case field == "location":
			field = "to"
		case field == "" || field == "idempotency_key":
			field = "form"
		}
		switch {
		case status == http.StatusServiceUnavailable && class.Class == commands.OutcomeUnknown:
			field, msg = "form", "This transfer may have been recorded: "+msg+". Check the product's history, or press Move again on this form, which records it at most once."
		case status == http.StatusServiceUnavailable:
			s.cfg.ErrorLog.Printf("web: %s %s: %v", r.Method, r.URL.Path, err)
			field, msg = "form", "Nothing was moved: "+msg+". Submit again when the broker is back."
		}
		refuse(status, map[string]string{field: msg})
		return
	}
	target := withQuery(productURL("/products/", res.Event.Product.String()), "recorded="+url.QueryEscape(nonce))
	if res.AlreadyRecorded {
		target += "&again=1"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// transferMessage says why a transfer was refused in a shop's words: "only 3.00 of P1 in
// north on 2024-05-03" rather than the CLI's "insufficient stock for…".
func transferMessage(err error, date domain.BusinessDate, n reports.Numbers) string {
	var short *domain.InsufficientStockError
	if errors.As(err, &short) {
		on := date
		if short.Backdated {
			on = short.On
		}
		avail := "none"
		if !short.Available.IsZero() {
			avail = "only " + n.Fixed(short.Available.Cents())
		}
		return fmt.Sprintf("Nothing was moved: %s of %s in %s on %s; you asked to move %s. Move less, or restock %s first.",
			avail, short.Product.String(), short.Location, on.Day(), n.Fixed(short.Requested.Cents()), short.Location)
	}
	var loc *domain.LocationError
	if errors.As(err, &loc) {
		open := make([]string, len(loc.Open))
		for i, id := range loc.Open {
			open[i] = id.String()
		}
		what := "is not a location"
		if loc.Closed {
			what = "is closed"
		}
		return fmt.Sprintf("Nothing was moved: %q %s. Open locations: %s.", loc.ID.String(), what, strings.Join(open, ", "))
	}
	return "Nothing was moved: " + formMessage(err)
}
