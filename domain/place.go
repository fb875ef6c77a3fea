package domain

import (
	"errors"
	"fmt"
	"slices"
)

// A place is a product's stock in one location: the same balance fields the Stock keeps
// for the product as a whole. The no-oversell and business-date rules hold per place; the
// product's sequence orders the events of all its places.
type place struct {
	loc      LocationID
	level    int64
	lastDate BusinessDate
	dateNet  int64
	used     bool // an operation was accepted here
}

// PlaceSnapshot is one location's stock of a product, for storing it in a read model.
type PlaceSnapshot struct {
	Location LocationID
	Level    Quantity
	// LastDate is the latest business date of an operation in the location, and DateNet
	// what the operations dated LastDate moved there.
	LastDate BusinessDate
	DateNet  int64
}

// PlaceEffect is where an accepted operation landed among its location's balances; the
// fields mean what Effect's mean for the product as a whole.
type PlaceEffect struct {
	Location  LocationID
	Delta     int64
	Before    int64
	DateNet   int64
	Backdated bool
}

// After returns the location's balance right after the operation, in business-date order.
func (p PlaceEffect) After() int64 { return p.Before + p.Delta }

// mainOnly reports whether every operation of the product so far was in main, whose
// place is then the product itself.
func (s *Stock) mainOnly() bool { return s.places == nil }

// placeOf returns the product's stock in l.
func (s *Stock) placeOf(l LocationID) place {
	if s.mainOnly() {
		if l.IsMain() {
			return place{level: s.level.cents, lastDate: s.lastDate, dateNet: s.dateNet, used: s.seq > 0}
		}
		return place{}
	}
	if p := s.find(l); p != nil {
		return *p
	}
	return place{}
}

// find returns the place of l, nil when the product has none there. A product is kept in
// a handful of locations: a scan of the sorted slice beats a map.
func (s *Stock) find(l LocationID) *place {
	for i := range s.places {
		if s.places[i].loc == l {
			return &s.places[i]
		}
	}
	return nil
}

// before orders locations as Places lists them: main first, then by ID.
func before(a, b LocationID) bool {
	return a.IsMain() && !b.IsMain() || !b.IsMain() && a.id < b.id
}

// Places returns the product's stock in every location it has had an operation in, main
// first, then by location ID. A product never used outside main has main only.
func (s *Stock) Places() []PlaceSnapshot {
	if s.mainOnly() {
		return []PlaceSnapshot{{Location: MainLocation, Level: s.level, LastDate: s.lastDate, DateNet: s.dateNet}}
	}
	out := make([]PlaceSnapshot, len(s.places))
	for i, p := range s.places {
		out[i] = PlaceSnapshot{Location: p.loc, Level: Quantity{cents: p.level}, LastDate: p.lastDate, DateNet: p.dateNet}
	}
	return out
}

// PlaceLevel returns the units in stock in l.
func (s *Stock) PlaceLevel(l LocationID) Quantity { return Quantity{cents: s.placeOf(l).level} }

// BackdatedIn reports whether an operation in l dated d needs Conditions.Place (or, as a
// transfer's destination, Conditions.To) to be decided: it would come before l's latest
// operation, and l's balances are not the product's (see Backdated for those).
func (s *Stock) BackdatedIn(l LocationID, d BusinessDate) bool {
	if s.mainOnly() && l.IsMain() {
		return false
	}
	p := s.placeOf(l)
	return p.used && d.t.Before(p.lastDate.t)
}

// placeSpan returns l's balances around d: the product's when l is main and the product
// was never used elsewhere, the place's own for a date at or after its latest, given ones
// otherwise.
func (s *Stock) placeSpan(l LocationID, d BusinessDate, product, given Span) (Span, error) {
	if s.mainOnly() && l.IsMain() {
		return product, nil
	}
	if !s.BackdatedIn(l, d) {
		p := s.placeOf(l)
		sp := Span{Date: d, At: p.level}
		if p.used && d.Equal(p.lastDate) {
			sp.Net = p.dateNet
		}
		return sp, nil
	}
	if !given.Date.Equal(d) || !given.Later {
		return Span{}, fmt.Errorf("%w: deciding an operation of %q in %s dated %s, before its latest there (%s), needs its balances there around that date",
			ErrMalformedEvent, s.product, l, d, s.placeOf(l).lastDate)
	}
	return given, nil
}

// placeEffect is where an operation of delta lands in a place whose balances around its
// date are sp.
func placeEffect(l LocationID, delta int64, sp Span) PlaceEffect {
	return PlaceEffect{Location: l, Delta: delta, Before: sp.At, DateNet: sp.Net + delta, Backdated: sp.Later}
}

// applyPlace takes an accepted effect in, for one place. The caller has made places.
func (s *Stock) applyPlace(pe PlaceEffect, d BusinessDate) {
	p := s.find(pe.Location)
	if p == nil {
		i := 0
		for i < len(s.places) && before(s.places[i].loc, pe.Location) {
			i++
		}
		s.places = slices.Insert(s.places, i, place{loc: pe.Location})
		p = &s.places[i]
	}
	p.level += pe.Delta
	switch {
	case pe.Backdated:
	case p.used && d.Equal(p.lastDate):
		p.dateNet += pe.Delta
	default:
		p.lastDate, p.dateNet = d, pe.Delta
	}
	p.used = true
}

// spread gives the product places of its own, main holding what the product holds, the
// first time an operation outside main is accepted.
func (s *Stock) spread() {
	if !s.mainOnly() {
		return
	}
	s.places = []place{}
	if s.seq > 0 {
		s.places = append(s.places, place{loc: MainLocation, level: s.level.cents, lastDate: s.lastDate, dateNet: s.dateNet, used: true})
	}
}

// Transfer decides moving q units from m.Location to `to`: it returns the StockTransferred
// event, or ErrInsufficientStock when the source would go below zero at its date or any
// later one, or ErrStockOverflow when the destination would pass the maximum.
func (s *Stock) Transfer(q Quantity, to LocationID, m Metadata, c Conditions) (Event, error) {
	e := newEvent(TypeStockTransferred, s, q, m)
	e.To = to
	if _, err := s.check(e, c); err != nil {
		return Event{}, err
	}
	return e, nil
}

// ErrSameLocation means a transfer names one location as both source and destination.
var ErrSameLocation = fmt.Errorf("%w: a transfer's source and destination are the same location", ErrInvalidLocation)

// applyPlaces takes an accepted event's effect in for its place or places.
func (s *Stock) applyPlaces(e Event, eff Effect) {
	s.applyPlace(eff.Place, e.BusinessDate)
	if e.Type == TypeStockTransferred {
		s.applyPlace(eff.To, e.BusinessDate)
	}
}

// transfer decides a transfer: a sale from its source's balances sp and a restock into
// its destination's, one event; the product's total does not move.
func (s *Stock) transfer(e Event, c Conditions, product, sp Span) (Effect, error) {
	if e.To == e.Location {
		return Effect{}, fmt.Errorf("%w (%s)", ErrSameLocation, e.To)
	}
	if err := c.locations().Check(e.To); err != nil {
		return Effect{}, err
	}
	to, err := s.placeSpan(e.To, e.BusinessDate, product, c.To)
	if err != nil {
		return Effect{}, err
	}
	out, err := s.saleOrRestock(Event{Type: TypeStockSold, Product: e.Product, Quantity: e.Quantity, BusinessDate: e.BusinessDate, Location: e.Location}, sp)
	if err != nil {
		var short *InsufficientStockError
		if errors.As(err, &short) {
			short.NeverRestocked, short.Transfer = false, true // the product may well have stock elsewhere
		}
		return Effect{}, err
	}
	in, err := s.saleOrRestock(Event{Type: TypeStockRestocked, Product: e.Product, Quantity: e.Quantity, BusinessDate: e.BusinessDate, Location: e.To}, to)
	if err != nil {
		return Effect{}, err
	}
	return Effect{Before: product.At, DateNet: product.Net, Backdated: product.Later,
		Place: placeEffect(e.Location, out.Delta, sp), To: placeEffect(e.To, in.Delta, to)}, nil
}
