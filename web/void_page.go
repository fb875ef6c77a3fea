package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
)

// voidView is what void.html shows: the operation, what voiding it does to the stock,
// and the form that asks why.
type voidView struct {
	EventID, Short       string
	Product, Back        string
	What                 string // "the sale of 30.00"
	Kind                 string // "sale"
	Date, Note           string
	StockNow, StockAfter string
	// Where is " from main to north" for a transfer, " in north" outside main.
	Where string
	// Places are, for an operation outside main or a transfer, the stock in each
	// location it moved, now and once it is void.
	Places []voidPlace
	// Short names a location the void would take below zero now: it will be refused.
	ShortIn string
	// Refusal says why it cannot be voided (rejected, voided already); no form then.
	Refusal string
	Form    repairForm
}

// voidPlace is one location's stock before and after a void.
type voidPlace struct {
	Location, Now, After string
}

// shortID is the first characters of an event ID, enough to tell operations apart and
// to give back to void or correct.
func shortID(id string) string {
	if len(id) <= MinIDPrefix {
		return id
	}
	return id[:MinIDPrefix]
}

// voidTarget reads the operation a void page names, resolving a prefix; nil when none.
func (s *Server) voidTarget(r *http.Request) (*domain.Target, error) {
	rep := commands.Repair{Target: strings.TrimSpace(r.PathValue("event_id"))}
	if err := s.resolveTarget(r.Context(), &rep); err != nil {
		return nil, err
	}
	return s.cfg.Store.Target(r.Context(), rep.Target)
}

// voidPage answers GET /operations/{event_id}/void: the confirmation a Void button of a
// product page leads to. It works without JavaScript: a link, then a form.
func (s *Server) voidPage(w http.ResponseWriter, r *http.Request) {
	t, err := s.voidTarget(r)
	if err != nil {
		s.voidTargetFailed(w, r, err)
		return
	}
	if t == nil {
		s.errorPage(w, r, http.StatusNotFound, fmt.Sprintf("No operation has event ID %q: the product page and history -o json show them.", r.PathValue("event_id")))
		return
	}
	f := s.newRepairForm(r, "void", t.Product.String())
	s.showVoid(w, r, http.StatusOK, t, f)
}

// voidTargetFailed answers a failure to find a void's operation: an ambiguous prefix is
// the address's fault, anything else the read model's.
func (s *Server) voidTargetFailed(w http.ResponseWriter, r *http.Request, err error) {
	if status, _ := classify(err); status == http.StatusBadRequest {
		s.errorPage(w, r, status, err.Error())
		return
	}
	s.unavailable(w, r, err)
}

// showVoid renders the confirmation for t with form f.
func (s *Server) showVoid(w http.ResponseWriter, r *http.Request, status int, t *domain.Target, f repairForm) {
	n := numbers(r)
	kind := commands.WordsFor(t.Kind).Noun
	v := voidView{EventID: t.ID, Short: shortID(t.ID), Product: t.Product.String(), Back: productURL("/products/", t.Product.String()),
		Kind: kind, What: fmt.Sprintf("the %s of %s", kind, n.Fixed(t.Moved())), Date: strings.TrimSuffix(t.Date.String(), " 00:00:00"),
		Note: t.Note, Where: t.Where()}
	f.Action, f.Submit, f.Back = "/operations/"+url.PathEscape(t.ID)+"/void", "Void this "+kind, v.Back
	v.Form = f
	switch {
	case t.Rejected:
		v.Refusal = "This operation was rejected (" + t.Reason + "): it never changed the stock, so there is nothing to void."
	case t.VoidedBy != "":
		v.Refusal = fmt.Sprintf("This operation was voided already, by event %s.", t.VoidedBy)
	}
	levels, err := s.cfg.Store.StockLevels(r.Context(), v.Product)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	if len(levels) == 1 && t.Kind != domain.TypeStockTransferred {
		if c, ok := parseCents(levels[0].Stock); ok {
			v.StockNow, v.StockAfter = n.Fixed(c), n.Fixed(c-t.Delta)
		}
	}
	if v.Where != "" && v.Refusal == "" {
		places, err := s.cfg.Store.ProductLocations(r.Context(), v.Product)
		if err != nil {
			s.unavailable(w, r, err)
			return
		}
		for _, tp := range t.Places {
			for _, p := range places {
				if c, ok := parseCents(p.Stock); ok && p.Location == tp.Location.String() {
					v.Places = append(v.Places, voidPlace{Location: p.Location, Now: n.Fixed(c), After: n.Fixed(c - tp.Delta)})
					if c-tp.Delta < 0 && v.ShortIn == "" {
						v.ShortIn = p.Location
					}
				}
			}
		}
	}
	s.render(w, r, status, "void", map[string]any{"Title": "Void " + v.What + " of " + v.Product + v.Where, "Void": v})
}

// submitVoid answers POST /operations/{event_id}/void from the confirmation: a reason is
// required, and the CSRF token as on every form.
func (s *Server) submitVoid(w http.ResponseWriter, r *http.Request) {
	f, ok := s.readRepairForm(w, r, "void")
	if !ok {
		return
	}
	t, err := s.voidTarget(r)
	if err != nil {
		s.voidTargetFailed(w, r, err)
		return
	}
	if t == nil {
		s.errorPage(w, r, http.StatusNotFound, fmt.Sprintf("No operation has event ID %q: nothing was voided.", r.PathValue("event_id")))
		return
	}
	in := repairInput{Kind: domain.TypeOperationVoided, EventID: t.ID}
	s.submitRepair(w, r, f, in, func(status int, f repairForm) {
		// Read again: a refusal may come from a change since the page was shown.
		if now, err := s.cfg.Store.Target(r.Context(), t.ID); err == nil && now != nil {
			t = now
		}
		s.showVoid(w, r, status, t, f)
	})
}
