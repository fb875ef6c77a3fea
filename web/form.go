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
)

// flash is the confirmation shown after a form recorded an operation.
type flash struct {
	Message string
	Again   bool
}

func (s *Server) flash(r *http.Request, nonce string) (*flash, error) {
	id, err := formCommandID(nonce)
	if err != nil {
		return nil, nil
	}
	o, err := s.cfg.Store.CommandOutcome(r.Context(), id)
	if err != nil || !o.Found {
		return nil, err
	}
	past := commands.WordsFor(o.Type).Past
	past = strings.ToUpper(past[:1]) + past[1:]
	f := &flash{Message: fmt.Sprintf("%s %s of %q on %s; stock after it: %s.", past, o.Quantity, o.Product, o.Date, o.Stock)}
	if r.URL.Query().Get("again") != "" {
		f.Again = true
		f.Message = "This form was already submitted; it was recorded once. " + f.Message
	}
	return f, nil
}

// entryForm is what the entry form shows.
type entryForm struct {
	Nonce, CSRF                                   string
	NewProduct                                    bool
	Product, Type, Quantity, Date, Note, Operator string
	Stock                                         string
	StockKnown                                    bool
	DefaultOperator                               string
	// DecimalComma is true when the browser's language writes 12,5: the form takes it.
	DecimalComma bool
	Known        []StockLevel
	Errors       map[string]string
}

// newForm returns an empty entry form for product (which may be empty), with a fresh
// nonce: the idempotency key of the operation it will record.
func (s *Server) newForm(r *http.Request, product string) (entryForm, error) {
	nonce := newNonce()
	f := entryForm{Nonce: nonce, CSRF: s.formToken(nonce), Product: product, Type: commands.WordsFor(domain.TypeStockSold).Noun, DefaultOperator: s.cfg.Operator,
		DecimalComma: decimalComma(r)}
	return f, s.fillStock(r, &f)
}

// fillStock adds the known products and the chosen one's stock.
func (s *Server) fillStock(r *http.Request, f *entryForm) error {
	known, err := s.cfg.Store.StockLevels(r.Context())
	if err != nil {
		return err
	}
	f.Known = known
	for _, k := range known {
		if k.Product == f.Product {
			f.Stock, f.StockKnown = k.Stock, true
		}
	}
	return nil
}

// newOperationPage answers GET /operations/new[?product=ID].
func (s *Server) newOperationPage(w http.ResponseWriter, r *http.Request) {
	product := r.URL.Query().Get("product")
	if p, err := productid.Lookup(product); err == nil {
		product = p.String()
	}
	form, err := s.newForm(r, product)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "new", map[string]any{"Title": "Record an operation", "Form": form})
}

// formKeyPrefix marks the idempotency keys of web forms.
const formKeyPrefix = "web-"

func formCommandID(nonce string) (string, error) {
	if nonce == "" || len(nonce) > 64 {
		return "", errors.New("bad nonce")
	}
	return "key:" + formKeyPrefix + nonce, nil
}

// submitOperation answers POST /operations from the entry form. The form's nonce is the
// operation's idempotency key: submitted twice (a double click, the back button), it is
// recorded once. Errors show next to their field with what was typed kept.
func (s *Server) submitOperation(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.errorPage(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("The form is over %d bytes.", tooBig.Limit))
			return
		}
		s.errorPage(w, r, http.StatusBadRequest, "The form could not be read: "+err.Error())
		return
	}
	nonce := r.PostForm.Get("nonce")
	if !s.checkFormToken(nonce, r.PostForm.Get("csrf")) {
		s.errorPage(w, r, http.StatusForbidden, "This form did not come from this server, or the server has restarted since it was shown. "+
			"Nothing was recorded: open the form again and submit it.")
		return
	}
	f := entryForm{Nonce: nonce, CSRF: r.PostForm.Get("csrf"), DefaultOperator: s.cfg.Operator,
		Product: r.PostForm.Get("product"), Type: r.PostForm.Get("type"), Quantity: r.PostForm.Get("quantity"),
		Date: r.PostForm.Get("date"), Note: r.PostForm.Get("note"), Operator: r.PostForm.Get("operator"),
		NewProduct: r.PostForm.Get("new_product") != ""}
	f.DecimalComma = decimalComma(r)
	in := operationInput{Product: f.Product, Type: f.Type, Quantity: formQuantity(f.Quantity, f.DecimalComma), Date: f.Date, Note: f.Note,
		Operator: f.Operator, Key: formKeyPrefix + nonce, NewProduct: f.NewProduct}
	res, _, err := s.record(r, in)
	if err != nil {
		status, class := classify(err)
		field := class.Field
		if field == "" || field == "idempotency_key" {
			field = "form"
		}
		f.Errors = map[string]string{field: lookAlikeHint(err, `tick "this is a new product"`)}
		switch {
		case class.Class == commands.OutcomeUnknown:
			// The form keeps its nonce, the operation's idempotency key: sending this same
			// form again records it at most once, where a new form would record it twice.
			s.cfg.ErrorLog.Printf("web: %s %s: %v", r.Method, r.URL.Path, err)
			f.Errors = map[string]string{"form": "This operation may have been recorded: " + err.Error() +
				". Check the product's history, or press Record again on this form, which records it at most once."}
		case status == http.StatusServiceUnavailable:
			s.cfg.ErrorLog.Printf("web: %s %s: %v", r.Method, r.URL.Path, err)
			f.Errors = map[string]string{"form": "Nothing was recorded: " + err.Error() + ". Submit again when the broker is back."}
		}
		if ferr := s.fillStock(r, &f); ferr != nil {
			s.unavailable(w, r, ferr)
			return
		}
		s.render(w, r, status, "new", map[string]any{"Title": "Record an operation", "Form": f})
		return
	}
	target := productURL("/products/", res.Event.Product.String())
	if strings.Contains(target, "?") {
		target += "&"
	} else {
		target += "?"
	}
	target += "recorded=" + url.QueryEscape(nonce)
	if res.AlreadyRecorded {
		target += "&again=1"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
