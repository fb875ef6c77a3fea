package domain_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/stockctl/stockctl/domain"
)

// withLocations returns locations main, north and south, and shut (closed).
func withLocations(t *testing.T) *domain.Locations {
	t.Helper()
	ls := domain.NewLocations()
	for _, id := range []string{"north", "south", "shut"} {
		e, err := ls.Add(loc(t, id), id+" warehouse", locMeta("add-"+id))
		if err != nil || ls.Apply(e, 0) != nil {
			t.Fatalf("add %s: %v", id, err)
		}
	}
	e, err := ls.Close(loc(t, "shut"), 0, locMeta("close-shut"))
	if err != nil || ls.Apply(e, 0) != nil {
		t.Fatalf("close shut: %v", err)
	}
	return ls
}

// in returns meta for an operation in location l dated day.
func in(t *testing.T, id, l, day string) domain.Metadata {
	m := meta(t, id)
	m.Location = loc(t, l)
	m.BusinessDate = mustDate(t, day)
	return m
}

// apply decides and applies one operation made by op, failing the test on a refusal.
func apply(t *testing.T, s *domain.Stock, c domain.Conditions, op func() (domain.Event, error)) domain.Effect {
	t.Helper()
	e, err := op()
	if err != nil {
		t.Fatalf("decide: %v", err)
	}
	eff, err := s.Apply(e, c)
	if err != nil {
		t.Fatalf("apply %s: %v", e.Type, err)
	}
	return eff
}

func levels(s *domain.Stock) map[string]string {
	out := map[string]string{"total": s.Level().String()}
	for _, p := range s.Places() {
		out[p.Location.String()] = p.Level.String()
	}
	return out
}

// TestTransferAndSellPerLocation is the story in the aggregate: 10 restocked in
// main, 4 moved to north, a sale of 5 in north refused though main holds 6, a sale of 3
// accepted; main 6, north 1, total 7. The transfer moves the total by nothing.
func TestTransferAndSellPerLocation(t *testing.T) {
	c := domain.Conditions{Locations: withLocations(t)}
	s := domain.NewStock(mustProduct(t, "P1"))
	apply(t, s, c, func() (domain.Event, error) {
		return s.Restock(mustQuantity(t, "10"), in(t, "r1", "main", "2024-05-01"), c)
	})
	eff := apply(t, s, c, func() (domain.Event, error) {
		return s.Transfer(mustQuantity(t, "4"), loc(t, "north"), in(t, "t1", "main", "2024-05-02"), c)
	})
	if eff.Delta != 0 || eff.Place.Delta != -400 || eff.Place.After() != 600 || eff.To.Delta != 400 || eff.To.After() != 400 || eff.To.Location != loc(t, "north") {
		t.Errorf("the transfer's effect: %+v", eff)
	}
	if got := levels(s); !reflect.DeepEqual(got, map[string]string{"total": "10.00", "main": "6.00", "north": "4.00"}) {
		t.Errorf("after the transfer: %v", got)
	}
	_, err := s.Sell(mustQuantity(t, "5"), in(t, "s1", "north", "2024-05-03"), c)
	var short *domain.InsufficientStockError
	if !errors.As(err, &short) || err.Error() != `insufficient stock for "P1" in north: 4.00 available, 5.00 requested` {
		t.Errorf("selling 5 in north, which holds 4: %v", err)
	}
	eff = apply(t, s, c, func() (domain.Event, error) {
		return s.Sell(mustQuantity(t, "3"), in(t, "s2", "north", "2024-05-03"), c)
	})
	if eff.Delta != -300 || eff.Place.Delta != -300 || eff.Place.After() != 100 || eff.After() != 700 {
		t.Errorf("the sale's effect: %+v", eff)
	}
	if got := levels(s); !reflect.DeepEqual(got, map[string]string{"total": "7.00", "main": "6.00", "north": "1.00"}) {
		t.Errorf("at the end: %v", got)
	}
	// The snapshot carries the places; a restored stock decides the same.
	r := domain.RestoreStock(s.Snapshot())
	if !reflect.DeepEqual(r.Snapshot(), s.Snapshot()) {
		t.Errorf("restored %+v, was %+v", r.Snapshot(), s.Snapshot())
	}
	if _, err := r.Sell(mustQuantity(t, "1.01"), in(t, "s3", "north", "2024-05-04"), c); !errors.Is(err, domain.ErrInsufficientStock) {
		t.Errorf("the restored stock sells 1.01 of the 1.00 in north: %v", err)
	}
}

// TestTransferRefusals: a transfer whose source lacks the stock, or names an unknown or
// closed location, or the same location twice, is refused and changes nothing; so is an
// operation in an unknown or closed location.
func TestTransferRefusals(t *testing.T) {
	c := domain.Conditions{Locations: withLocations(t)}
	s := domain.NewStock(mustProduct(t, "P1"))
	apply(t, s, c, func() (domain.Event, error) {
		return s.Restock(mustQuantity(t, "10"), in(t, "r1", "main", "2024-05-01"), c)
	})
	apply(t, s, c, func() (domain.Event, error) {
		return s.Transfer(mustQuantity(t, "4"), loc(t, "north"), in(t, "t1", "main", "2024-05-02"), c)
	})
	before := s.Snapshot()
	for _, tc := range []struct {
		name     string
		from, to string
		qty      string
		want     error
	}{
		{"source short", "north", "south", "4.01", domain.ErrInsufficientStock},
		{"unknown destination", "main", "east", "1", domain.ErrUnknownLocation},
		{"unknown source", "east", "main", "1", domain.ErrUnknownLocation},
		{"closed destination", "main", "shut", "1", domain.ErrLocationClosed},
		{"closed source", "shut", "main", "1", domain.ErrLocationClosed},
		{"same location", "north", "north", "1", domain.ErrSameLocation},
		{"zero", "main", "north", "0", domain.ErrInvalidQuantity},
	} {
		q, _ := domain.ParseQuantity(tc.qty)
		e, err := s.Transfer(q, loc(t, tc.to), in(t, "t-"+tc.name, tc.from, "2024-05-03"), c)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: Transfer = %+v, %v; want %v", tc.name, e, err, tc.want)
		}
	}
	// The same refusals when the log holds such an event: Apply changes nothing.
	e := domain.Event{Type: domain.TypeStockTransferred, ID: "t9", CommandID: "c9", Product: mustProduct(t, "P1"), Quantity: mustQuantity(t, "7"),
		ExpectedSeq: s.Seq() + 1, BusinessDate: mustDate(t, "2024-05-03"), Location: domain.MainLocation, To: loc(t, "north")}
	if _, err := s.Apply(e, c); !errors.Is(err, domain.ErrInsufficientStock) {
		t.Errorf("applying a transfer of 7 from main, which holds 6: %v", err)
	}
	for _, where := range []string{"east", "shut"} {
		if _, err := s.Sell(mustQuantity(t, "1"), in(t, "s-"+where, where, "2024-05-03"), c); !errors.Is(err, domain.ErrUnknownLocation) && !errors.Is(err, domain.ErrLocationClosed) {
			t.Errorf("a sale in %s: %v", where, err)
		}
	}
	if _, err := s.Restock(mustQuantity(t, "1"), in(t, "r-north", "north", "2024-05-03"), domain.Conditions{}); !errors.Is(err, domain.ErrUnknownLocation) {
		t.Errorf("a restock in north with no locations known (main only): %v", err)
	}
	if after := s.Snapshot(); !reflect.DeepEqual(after, before) {
		t.Errorf("refusals changed the stock: %+v, was %+v", after, before)
	}
}

// TestBackdatedPerLocation: a sale dated before its location's latest operation needs that
// location's balances around its date, and is decided on them, not on the product's.
func TestBackdatedPerLocation(t *testing.T) {
	c := domain.Conditions{Locations: withLocations(t)}
	s := domain.NewStock(mustProduct(t, "P1"))
	apply(t, s, c, func() (domain.Event, error) {
		return s.Restock(mustQuantity(t, "10"), in(t, "r1", "main", "2024-05-01"), c)
	})
	apply(t, s, c, func() (domain.Event, error) {
		return s.Transfer(mustQuantity(t, "4"), loc(t, "north"), in(t, "t1", "main", "2024-05-05"), c)
	})
	// North's latest is May 5th: a sale there dated May 3rd is backdated in north.
	m := in(t, "s1", "north", "2024-05-03")
	if !s.BackdatedIn(loc(t, "north"), m.BusinessDate) || s.BackdatedIn(loc(t, "north"), mustDate(t, "2024-05-06")) {
		t.Fatal("BackdatedIn does not follow north's latest date")
	}
	if _, err := s.Sell(mustQuantity(t, "1"), m, c); !errors.Is(err, domain.ErrMalformedEvent) {
		t.Errorf("a backdated sale in north without north's balances: %v", err)
	}
	// North held nothing on May 3rd (the product did: 10 in main).
	north := domain.Span{Date: m.BusinessDate, At: 0, Later: true, Low: 400, High: 400, LowDate: mustDate(t, "2024-05-05"),
		HighDate: mustDate(t, "2024-05-05"), Next: mustDate(t, "2024-05-05")}
	product := domain.Span{Date: m.BusinessDate, At: 1000, Later: true, Low: 1000, High: 1000, LowDate: mustDate(t, "2024-05-05"),
		HighDate: mustDate(t, "2024-05-05"), Next: mustDate(t, "2024-05-05")}
	cc := c
	cc.Place, cc.Span = north, product
	if _, err := s.Sell(mustQuantity(t, "1"), m, cc); !errors.Is(err, domain.ErrInsufficientStock) {
		t.Errorf("a sale in north dated before anything reached north: %v", err)
	}
	// A sale in main dated May 3rd is decided on main's balances (10 then, 6 after May 5th).
	mm := in(t, "s2", "main", "2024-05-03")
	main := domain.Span{Date: mm.BusinessDate, At: 1000, Later: true, Low: 600, High: 600, LowDate: mustDate(t, "2024-05-05"),
		HighDate: mustDate(t, "2024-05-05"), Next: mustDate(t, "2024-05-05")}
	cc.Place = main
	if _, err := s.Sell(mustQuantity(t, "6.01"), mm, cc); !errors.Is(err, domain.ErrInsufficientStock) {
		t.Errorf("selling 6.01 in main on May 3rd, which leaves main at -0.01 after May 5th: %v", err)
	}
	eff := apply(t, s, cc, func() (domain.Event, error) { return s.Sell(mustQuantity(t, "6"), mm, cc) })
	if eff.Place.Before != 1000 || !eff.Place.Backdated || eff.Before != 1000 || !eff.Backdated {
		t.Errorf("the backdated sale's effect: %+v", eff)
	}
	if got := levels(s); !reflect.DeepEqual(got, map[string]string{"total": "4.00", "main": "0.00", "north": "4.00"}) {
		t.Errorf("at the end: %v", got)
	}
}

// TestCountPerLocation: a count's difference is against its location's balance.
func TestCountPerLocation(t *testing.T) {
	c := domain.Conditions{Locations: withLocations(t)}
	s := domain.NewStock(mustProduct(t, "P1"))
	apply(t, s, c, func() (domain.Event, error) {
		return s.Restock(mustQuantity(t, "10"), in(t, "r1", "main", "2024-05-01"), c)
	})
	apply(t, s, c, func() (domain.Event, error) {
		return s.Transfer(mustQuantity(t, "4"), loc(t, "north"), in(t, "t1", "main", "2024-05-02"), c)
	})
	eff := apply(t, s, c, func() (domain.Event, error) {
		return s.Count(mustQuantity(t, "3"), in(t, "c1", "north", "2024-05-03"), c)
	})
	if eff.Delta != -100 || eff.Place.Delta != -100 || eff.Place.Location != loc(t, "north") {
		t.Errorf("counting 3 in north, which holds 4: %+v", eff)
	}
	if got := levels(s); !reflect.DeepEqual(got, map[string]string{"total": "9.00", "main": "6.00", "north": "3.00"}) {
		t.Errorf("after the count: %v", got)
	}
}

// TestTransferOnTheWire: a transfer encodes its source (main too) and its destination.
func TestTransferOnTheWire(t *testing.T) {
	c := domain.Conditions{Locations: withLocations(t)}
	s := restocked(t, "P1", "10")
	e, err := s.Transfer(mustQuantity(t, "4"), loc(t, "north"), in(t, "t1", "main", "2024-05-02"), c)
	if err != nil {
		t.Fatal(err)
	}
	b, err := domain.MarshalEvent(e)
	if err != nil {
		t.Fatal(err)
	}
	back, err := domain.UnmarshalEvent(b)
	if err != nil || back.Location != domain.MainLocation || back.To != loc(t, "north") || back.Type != domain.TypeStockTransferred {
		t.Errorf("%s decodes to %+v, %v", b, back, err)
	}
	for _, bad := range []string{
		`{"type":"StockTransferred","schema_version":1,"event_id":"e","command_id":"c","product_id":"P1","quantity":"1.00","expected_seq":2,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"a","location":"main"}`,
		`{"type":"StockTransferred","schema_version":1,"event_id":"e","command_id":"c","product_id":"P1","quantity":"1.00","expected_seq":2,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"a","to_location":"north"}`,
		`{"type":"StockTransferred","schema_version":1,"event_id":"e","command_id":"c","product_id":"P1","quantity":"1.00","expected_seq":2,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"a","location":"north","to_location":"north"}`,
		`{"type":"StockSold","schema_version":1,"event_id":"e","command_id":"c","product_id":"P1","quantity":"1.00","expected_seq":2,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"a","to_location":"north"}`,
	} {
		if e, err := domain.UnmarshalEvent([]byte(bad)); !errors.Is(err, domain.ErrMalformedEvent) {
			t.Errorf("%s decodes to %+v, %v; want malformed", bad, e, err)
		}
	}
}
