package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/productid"
)

// repairForm is the product page's Count or Adjust form, or the void confirmation's.
type repairForm struct {
	// Kind is "count", "adjust" or "void"; Action where the form posts.
	Kind, Action                    string
	Nonce, CSRF                     string
	Product                         string
	Quantity, Direction, Date, Time string
	Reason, Note, Operator          string
	DefaultOperator                 string
	DecimalComma                    bool
	Reasons                         []string // an adjustment's reason codes
	// Location is where a count or an adjustment happens; Locations the open ones
	// offered (none while main is the only one).
	Location  string
	Locations []locationChoice
	Errors    map[string]string
	Focus     string
	// Submit is the void's button ("Void this sale"); Back, its way out.
	Submit, Back string
}

// repairFields are a repair form's fields in the order it shows them.
var repairFields = []string{"location", "quantity", "direction", "reason", "date", "time", "note", "operator"}

// fail sets the form's errors and the field to focus.
func (f *repairForm) fail(errs map[string]string) {
	f.Errors, f.Focus = errs, ""
	for _, field := range repairFields {
		if errs[field] != "" && f.Focus == "" {
			f.Focus = field
		}
	}
}

// newRepairForm returns an empty form of kind for product, with a fresh nonce: the
// idempotency key of the repair it will record.
func (s *Server) newRepairForm(r *http.Request, kind, product string) repairForm {
	nonce := newNonce()
	f := repairForm{Kind: kind, Nonce: nonce, CSRF: s.formToken(nonce), Product: product, DefaultOperator: s.cfg.Operator,
		DecimalComma: decimalComma(r), Reasons: domain.AdjustReasons}
	switch kind {
	case "count":
		f.Action = "/counts"
	case "adjust":
		f.Action, f.Direction = "/adjustments", "out"
	}
	return f
}

// readRepairForm reads a posted repair form, or answers 400/403/413 and returns false.
func (s *Server) readRepairForm(w http.ResponseWriter, r *http.Request, kind string) (repairForm, bool) {
	nonce, ok := s.readPosted(w, r, "Nothing was recorded: open the page again and submit it.")
	if !ok {
		return repairForm{}, false
	}
	f := s.newRepairForm(r, kind, r.PostForm.Get("product"))
	f.Nonce, f.CSRF = nonce, r.PostForm.Get("csrf")
	f.Quantity, f.Direction, f.Date, f.Time = r.PostForm.Get("quantity"), r.PostForm.Get("direction"), r.PostForm.Get("date"), r.PostForm.Get("time")
	f.Reason, f.Note, f.Operator = r.PostForm.Get("reason"), r.PostForm.Get("note"), r.PostForm.Get("operator")
	f.Location = r.PostForm.Get("location")
	return f, true
}

// submitRepair records a repair a form describes. Errors come back next to their field,
// with what was typed kept, on show's page; success goes to the product's page, which
// says what was recorded. The form's nonce is the idempotency key: submitted twice, it
// is recorded once.
func (s *Server) submitRepair(w http.ResponseWriter, r *http.Request, f repairForm, in repairInput, show func(int, repairForm)) {
	date, timeErr := formDate(f.Date, f.Time)
	in.Date, in.Operator, in.Reason, in.Note = date, f.Operator, f.Reason, f.Note
	in.Key, in.defaultOperator, in.Location = formKeyPrefix+f.Nonce, s.cfg.Operator, f.Location
	rep, invalid := in.parse(s.cfg.Now())
	if len(invalid) > 0 || timeErr != nil {
		errs := make(map[string]string)
		for _, e := range invalid {
			field := e.Field
			if field == "idempotency_key" || field == "event_id" || field == "product" {
				field = "form"
			}
			errs[field] = formMessage(e)
		}
		if timeErr != nil {
			errs["time"] = timeErr.Error()
		}
		f.fail(errs)
		show(http.StatusBadRequest, f)
		return
	}
	res, err := s.repair(r.Context(), rep)
	if err != nil {
		status, class := classify(err)
		msg := repairFormMessage(err)
		field := class.Field
		if field == "" || field == "idempotency_key" || field == "event_id" || field == "product" || (field == "quantity" && in.Kind == domain.TypeOperationVoided) {
			field = "form"
		}
		switch {
		case class.Class == commands.OutcomeUnknown:
			s.cfg.ErrorLog.Printf("web: %s %s: %v", r.Method, r.URL.Path, err)
			field, msg = "form", "This may have been recorded: "+msg+". Check the product's history, or submit this same form again, which records it at most once."
		case status == http.StatusServiceUnavailable:
			s.cfg.ErrorLog.Printf("web: %s %s: %v", r.Method, r.URL.Path, err)
			field, msg = "form", "Nothing was recorded: "+msg+". Submit again when the broker is back."
		}
		f.fail(map[string]string{field: msg})
		show(status, f)
		return
	}
	target := withQuery(productURL("/products/", res.Event.Product.String()), "recorded="+url.QueryEscape(f.Nonce))
	if res.AlreadyRecorded {
		target += "&again=1"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// repairFormMessage is err's message without the command's prefix ("void: "), as the
// entry form shows refusals.
func repairFormMessage(err error) string {
	msg := formMessage(err)
	for _, kind := range []domain.EventType{domain.TypeOperationVoided, domain.TypeOperationCorrected, domain.TypeStockCounted, domain.TypeStockAdjusted} {
		msg = strings.TrimPrefix(msg, commands.WordsFor(kind).Verb+": ")
	}
	return msg
}

// submitCount answers POST /counts from a product page's Count form.
func (s *Server) submitCount(w http.ResponseWriter, r *http.Request) {
	f, ok := s.readRepairForm(w, r, "count")
	if !ok {
		return
	}
	in := repairInput{Kind: domain.TypeStockCounted, Product: f.Product, Quantity: formQuantity(f.Quantity, numbers(r))}
	s.submitRepair(w, r, f, in, func(status int, f repairForm) { s.showRepairForm(w, r, status, "Count", f) })
}

// submitAdjust answers POST /adjustments from a product page's Adjust form.
func (s *Server) submitAdjust(w http.ResponseWriter, r *http.Request) {
	f, ok := s.readRepairForm(w, r, "adjust")
	if !ok {
		return
	}
	in := repairInput{Kind: domain.TypeStockAdjusted, Product: f.Product, Quantity: formQuantity(f.Quantity, numbers(r)), Direction: f.Direction}
	s.submitRepair(w, r, f, in, func(status int, f repairForm) { s.showRepairForm(w, r, status, "Adjust the stock of", f) })
}

// showRepairForm shows a refused Count or Adjust form on a page of its own, with the
// product's stock and a way back to its page.
func (s *Server) showRepairForm(w http.ResponseWriter, r *http.Request, status int, title string, f repairForm) {
	product := f.Product
	if p, err := productid.Lookup(product); err == nil {
		product = p.String()
	}
	locs, err := s.openLocations(r)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	f.Locations = locs
	data := map[string]any{"Title": title + " " + product, "Form": f, "Back": productURL("/products/", product)}
	if levels, err := s.cfg.Store.StockLevels(r.Context(), product); err == nil && len(levels) == 1 {
		data["Stock"] = quantityText(numbers(r), levels[0].Stock)
	}
	s.render(w, r, status, "repair", data)
}

// repairFlash is the confirmation a product page shows after a repair form recorded o.
func repairFlash(o domain.Outcome, stock, qty string) (string, bool) {
	switch o.Type {
	case domain.TypeOperationVoided:
		return fmt.Sprintf("Voided the operation of %q dated %s; stock now %s.", o.Product, strings.TrimSuffix(o.Date, " 00:00:00"), stock), true
	case domain.TypeStockCounted:
		return fmt.Sprintf("Recorded a count of %q on %s; stock after it: %s. The history shows the difference.", o.Product, strings.TrimSuffix(o.Date, " 00:00:00"), stock), true
	case domain.TypeStockTransferred:
		return fmt.Sprintf("Moved %s of %q from %s to %s on %s.", qty, o.Product, o.Location, o.To, strings.TrimSuffix(o.Date, " 00:00:00")), true
	case domain.TypeStockAdjusted:
		return fmt.Sprintf("Recorded an adjustment of %q on %s; stock after it: %s.", o.Product, strings.TrimSuffix(o.Date, " 00:00:00"), stock), true
	}
	return "", false
}
