package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

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
	n := numbers(r)
	f := &flash{Message: fmt.Sprintf("%s %s of %q on %s; stock after it: %s.", past, n.Fixed(o.Quantity.Cents()), o.Product, o.Date, n.Fixed(o.Stock.Cents()))}
	if msg, ok := repairFlash(o, n.Fixed(o.Stock.Cents()), n.Fixed(o.Quantity.Cents())); ok {
		f.Message = msg
	}
	if r.URL.Query().Get("again") != "" {
		f.Again = true
		f.Message = "This form was already submitted; it was recorded once. " + f.Message
	}
	return f, nil
}

// entryForm is what the entry form shows.
type entryForm struct {
	Nonce, CSRF                                         string
	NewProduct                                          bool
	Product, Type, Quantity, Date, Time, Note, Operator string
	Stock                                               string
	StockKnown                                          bool
	DefaultOperator                                     string
	// DecimalComma is true when the browser's language writes 12,5: the form takes it.
	DecimalComma bool
	Known        []StockLevel // stock as the browser's language writes it
	Errors       map[string]string
	// Focus is the first invalid field, which gets the keyboard's focus.
	Focus string
	// Invalid is how many fields are flagged.
	Invalid int
	// AllowFuture is the "record it anyway" box, shown once a date was refused as in the
	// future (Future), or when it was ticked.
	AllowFuture, Future bool
	// Location is where the operation happens (empty: main); Locations the open ones the
	// form offers, none while main is the only one (the form then has no location field).
	Location  string
	Locations []locationChoice
	// Kind is empty: the location field's template serves the repair forms too.
	Kind string
}

// locationChoice is an open location as a form's select offers it.
type locationChoice struct {
	ID, Label string
}

// openLocations returns the open locations a form offers, main first, or none when main
// is the only one: a shop with one room sees the forms as they always were.
func (s *Server) openLocations(r *http.Request) ([]locationChoice, error) {
	locs, err := s.cfg.Store.Locations(r.Context())
	if err != nil {
		return nil, err
	}
	var out []locationChoice
	for _, l := range locs {
		if l.Status != "open" {
			continue
		}
		label := l.ID
		if l.Name != "" && !strings.EqualFold(l.Name, l.ID) {
			label = l.ID + " · " + l.Name
		}
		out = append(out, locationChoice{ID: l.ID, Label: label})
	}
	if len(out) < 2 {
		return nil, nil
	}
	return out, nil
}

// formFields are the form's fields in the order it shows them.
var formFields = []string{"product", "location", "type", "quantity", "date", "time", "note", "operator"}

// fail sets the form's errors and the field to focus.
func (f *entryForm) fail(errs map[string]string) {
	f.Errors, f.Focus, f.Invalid = errs, "", 0
	for _, field := range formFields {
		if errs[field] != "" {
			if f.Focus == "" {
				f.Focus = field
			}
			f.Invalid++
		}
	}
}

// formMessage is err's message as the form shows it, next to its field: without the
// command's prefix the CLI and the API put first ("sell: insufficient stock…"), which in
// a form titled with the operation says nothing but noise.
func formMessage(err error) string {
	msg := commands.FutureAdvice(lookAlikeHint(err, `tick "this is a new product"`), `tick "record it anyway" below`)
	for _, kind := range []domain.EventType{domain.TypeStockSold, domain.TypeStockRestocked} {
		msg = strings.TrimPrefix(msg, commands.WordsFor(kind).Verb+": ")
	}
	return msg
}

// formDate joins the date picker's ISO date and the optional time into the CLI's
// YYYY-MM-DD [HH:MM:SS]; a time with no date, or a time that is not one, is an error on
// the time field, and the date alone is still checked.
func formDate(date, clock string) (string, error) {
	date, clock = strings.TrimSpace(date), strings.TrimSpace(clock)
	switch {
	case clock == "":
		return date, nil
	case date == "":
		return "", errors.New("a time needs a date: pick the date too, or leave both empty for now")
	case len(clock) == len("15:04"):
		clock += ":00"
	}
	// A browser's time field sends HH:MM or HH:MM:SS; a bad one is the time's error, not
	// the date's (the date's message would ask for YYYY-MM-DD beside a picker).
	if _, err := time.Parse("15:04:05", clock); err != nil {
		return date, fmt.Errorf("invalid time %q: give hours and minutes, HH:MM, from 00:00 to 23:59", strings.TrimSpace(clock))
	}
	return date + " " + clock, nil
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
	n := numbers(r)
	if f.Locations, err = s.openLocations(r); err != nil {
		return err
	}
	f.Known = make([]StockLevel, len(known))
	for i, k := range known {
		k.Stock = quantityText(n, k.Stock)
		f.Known[i] = k
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
	// A page that is only the form starts with the keyboard in it: on the product, or on
	// the quantity when the product is given. (The product page does not: it would
	// scroll a phone past the stock.)
	form.Focus = "product"
	if product != "" {
		form.Focus = "quantity"
	}
	s.render(w, r, http.StatusOK, "new", map[string]any{"Title": "Record an operation", "Form": form})
}

// formKeyPrefix marks the idempotency keys of web forms.
const formKeyPrefix = "web-"

// readPosted reads a posted form and checks that this server showed it, or answers
// 400/413 (unreadable, too big) or 403 (not shown here; then says nothing, the sentence
// saying what happened instead) and returns false. It returns the form's nonce.
func (s *Server) readPosted(w http.ResponseWriter, r *http.Request, nothing string) (string, bool) {
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.errorPage(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("The form is over %d bytes.", tooBig.Limit))
		} else {
			s.errorPage(w, r, http.StatusBadRequest, "The form could not be read: "+err.Error())
		}
		return "", false
	}
	nonce := r.PostForm.Get("nonce")
	if !s.checkFormToken(nonce, r.PostForm.Get("csrf")) {
		s.errorPage(w, r, http.StatusForbidden, "This form did not come from this server, or the server has restarted since it was shown. "+nothing)
		return "", false
	}
	return nonce, true
}

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
	nonce, ok := s.readPosted(w, r, "Nothing was recorded: open the form again and submit it.")
	if !ok {
		return
	}
	f := entryForm{Nonce: nonce, CSRF: r.PostForm.Get("csrf"), DefaultOperator: s.cfg.Operator,
		Product: r.PostForm.Get("product"), Type: r.PostForm.Get("type"), Quantity: r.PostForm.Get("quantity"),
		Date: r.PostForm.Get("date"), Time: r.PostForm.Get("time"), Note: r.PostForm.Get("note"), Operator: r.PostForm.Get("operator"),
		NewProduct: r.PostForm.Get("new_product") != "", AllowFuture: r.PostForm.Get("allow_future") != "",
		Location: r.PostForm.Get("location")}
	f.DecimalComma = decimalComma(r)
	refuse := func(status int, errs map[string]string) {
		f.fail(errs)
		if ferr := s.fillStock(r, &f); ferr != nil {
			s.unavailable(w, r, ferr)
			return
		}
		s.render(w, r, status, "new", map[string]any{"Title": "Record an operation", "Form": f})
	}
	date, timeErr := formDate(f.Date, f.Time)
	in := operationInput{Product: f.Product, Type: f.Type, Quantity: formQuantity(f.Quantity, numbers(r)), Date: date, Note: f.Note,
		Operator: f.Operator, Key: formKeyPrefix + nonce, NewProduct: f.NewProduct, AllowFuture: f.AllowFuture,
		Location: f.Location}
	// Every field is checked before anything is recorded, and every wrong one flagged.
	_, _, invalid := in.parseAll(s.cfg.Now(), s.cfg.Operator)
	if len(invalid) > 0 || timeErr != nil {
		errs := make(map[string]string)
		for _, e := range invalid {
			field := e.Field
			if field == "idempotency_key" {
				field = "form"
			}
			errs[field] = formMessage(e)
			f.Future = f.Future || errors.Is(e, domain.ErrFutureDate)
		}
		if timeErr != nil {
			errs["time"] = timeErr.Error()
		}
		refuse(http.StatusBadRequest, errs)
		return
	}
	res, _, err := s.record(r, in)
	if err != nil {
		status, class := classify(err)
		field := class.Field
		if field == "" || field == "idempotency_key" {
			field = "form"
		}
		errs := map[string]string{field: formMessage(err)}
		switch {
		case class.Class == commands.OutcomeUnknown:
			// The form keeps its nonce, the operation's idempotency key: sending this same
			// form again records it at most once, where a new form would record it twice.
			s.cfg.ErrorLog.Printf("web: %s %s: %v", r.Method, r.URL.Path, err)
			errs = map[string]string{"form": "This operation may have been recorded: " + formMessage(err) +
				". Check the product's history, or press Record again on this form, which records it at most once."}
		case status == http.StatusServiceUnavailable:
			s.cfg.ErrorLog.Printf("web: %s %s: %v", r.Method, r.URL.Path, err)
			errs = map[string]string{"form": "Nothing was recorded: " + formMessage(err) + ". Submit again when the broker is back."}
		}
		refuse(status, errs)
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
