package domain_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/domain"
)

// placeBook is a product kept in several locations with its balances by date, the
// product's and each location's, kept as the read model keeps them; each operation is on
// a date of its own, so a target's date holds no other operation.
type placeBook struct {
	t     *testing.T
	s     *domain.Stock
	c     domain.Conditions
	line  *domain.Timeline
	lines map[domain.LocationID]*domain.Timeline
	ops   map[string]domain.Target
}

func newPlaceBook(t *testing.T) *placeBook {
	return &placeBook{t: t, s: domain.NewStock(mustProduct(t, "P1")), c: domain.Conditions{Locations: withLocations(t)},
		line: domain.NewTimeline(nil), lines: map[domain.LocationID]*domain.Timeline{}, ops: map[string]domain.Target{}}
}

func (b *placeBook) place(l domain.LocationID) *domain.Timeline {
	if b.lines[l] == nil {
		// Every operation so far was in main: main's balances are the product's.
		b.lines[l] = domain.NewTimeline(nil)
	}
	return b.lines[l]
}

// do decides e's operation and, when accepted, applies it and records it as a target.
func (b *placeBook) do(e domain.Event, err error) error {
	b.t.Helper()
	if err != nil {
		return err
	}
	c := b.c
	if e.Type == domain.TypeOperationVoided || e.Type == domain.TypeOperationCorrected {
		tg := b.ops[e.Target]
		c.Target, c.Line, c.PlaceLines = &tg, b.line, b.lines
	}
	eff, err := b.s.Apply(e, c)
	if err != nil {
		b.t.Fatalf("apply %s after deciding it: %v", e.Type, err)
	}
	kind := e.Type
	if v := eff.Voided; v != nil {
		kind = v.Target.Kind
		b.line.Reshape(v.Target.Date, -v.Target.Delta, v.Start, v.Start)
		for _, vp := range v.Places {
			b.lines[vp.Location].Reshape(v.Target.Date, -vp.Delta, vp.Start, vp.Start)
		}
		tg := b.ops[e.Target]
		tg.VoidedBy = e.ID
		b.ops[e.Target] = tg
		if e.Type == domain.TypeOperationVoided {
			return nil
		}
		e.Location, e.To = v.Target.Location, v.Target.To
	}
	b.line.Add(e.BusinessDate, eff.Delta)
	tg := domain.Target{ID: e.ID, Kind: kind, Product: e.Product, Date: e.BusinessDate, Delta: eff.Delta, Location: e.Location, To: e.To,
		Places: []domain.TargetPlace{{Location: e.Location, Delta: eff.Place.Delta}}}
	b.place(e.Location).Add(e.BusinessDate, eff.Place.Delta)
	if kind == domain.TypeStockTransferred {
		b.place(e.To).Add(e.BusinessDate, eff.To.Delta)
		tg.Places = append(tg.Places, domain.TargetPlace{Location: e.To, Delta: eff.To.Delta})
	}
	b.ops[e.ID] = tg
	return nil
}

// TestVoidAndCorrectPerLocation: 10 restocked in main, 4 moved to north, 3 sold there.
// Voiding the transfer is refused, naming north and the date its sale would leave it
// short; voiding the sale and then the transfer puts everything back in main; a
// correction of a transfer moves both places; a void of a main restock that a transfer
// emptied names main.
func TestVoidAndCorrectPerLocation(t *testing.T) {
	b := newPlaceBook(t)
	s, c := b.s, b.c
	q := func(v string) domain.Quantity { return mustQuantity(t, v) }
	mustDo := func(e domain.Event, err error) {
		t.Helper()
		if err := b.do(e, err); err != nil {
			t.Fatal(err)
		}
	}
	voidMeta := func(id string) domain.Metadata { m := meta(t, id); m.Reason = "mistake"; return m }
	mustDo(s.Restock(q("10"), in(t, "r1", "main", "2024-05-01"), c))
	mustDo(s.Transfer(q("4"), loc(t, "north"), in(t, "t1", "main", "2024-05-02"), c))
	mustDo(s.Sell(q("3"), in(t, "s1", "north", "2024-05-03"), c))

	repair := func(id string, kind domain.EventType, target string, qty string) error {
		tg := b.ops[target]
		c2 := c
		c2.Target, c2.Line, c2.PlaceLines = &tg, b.line, b.lines
		if kind == domain.TypeOperationVoided {
			return b.do(s.Void(target, voidMeta(id), c2))
		}
		m := voidMeta(id)
		m.BusinessDate = tg.Date
		return b.do(s.Correct(target, q(qty), m, c2))
	}
	err := repair("v1", domain.TypeOperationVoided, "t1", "")
	want := "voiding this transfer would make the stock of P1 in north negative on 2024-05-03 (1.00 in stock then)"
	if !errors.Is(err, domain.ErrInsufficientStock) || err.Error() != want {
		t.Fatalf("voiding the transfer whose goods north sold:\n got %v\nwant %s", err, want)
	}
	if got := levels(s); !reflect.DeepEqual(got, map[string]string{"total": "7.00", "main": "6.00", "north": "1.00"}) {
		t.Errorf("a refused void moved the stock: %v", got)
	}

	if err := repair("v2", domain.TypeOperationVoided, "s1", ""); err != nil {
		t.Fatalf("voiding the sale in north: %v", err)
	}
	if err := repair("v3", domain.TypeOperationVoided, "t1", ""); err != nil {
		t.Fatalf("voiding the transfer once north's sale is void: %v", err)
	}
	if got := levels(s); !reflect.DeepEqual(got, map[string]string{"total": "10.00", "main": "10.00", "north": "0.00"}) {
		t.Errorf("after voiding the sale and the transfer: %v", got)
	}

	mustDo(s.Transfer(q("4"), loc(t, "north"), in(t, "t2", "main", "2024-05-04"), c))
	if err := repair("k1", domain.TypeOperationCorrected, "t2", "6"); err != nil {
		t.Fatalf("correcting the transfer to 6: %v", err)
	}
	if got := levels(s); !reflect.DeepEqual(got, map[string]string{"total": "10.00", "main": "4.00", "north": "6.00"}) {
		t.Errorf("after correcting the transfer of 4 to 6: %v", got)
	}
	err = repair("v4", domain.TypeOperationVoided, "r1", "")
	want = "voiding this restock would make the stock of P1 in main negative on 2024-05-04 (4.00 in stock then)"
	if err == nil || err.Error() != want {
		t.Errorf("voiding main's restock, which its transfer emptied:\n got %v\nwant %s", err, want)
	}
}

// TestRepairCarriesNoLocation: a void or a correction takes place where its target did,
// so the codec refuses one that names a location as malformed, and Void and Correct
// never write one, whatever location their metadata names.
func TestRepairCarriesNoLocation(t *testing.T) {
	s := domain.NewStock(mustProduct(t, "P1"))
	m := in(t, "v1", "north", "2024-05-01")
	m.Reason = "mistake"
	void, _ := s.Void("t1", m, domain.Conditions{})
	for _, e := range []domain.Event{
		{Type: domain.TypeOperationVoided, ID: "v1", CommandID: "c-v1", Product: mustProduct(t, "P1"), ExpectedSeq: 2,
			BusinessDate: mustDate(t, "2024-05-01"), RecordedAt: m.RecordedAt, Target: "t1", Reason: "mistake"},
		{Type: domain.TypeOperationCorrected, ID: "k1", CommandID: "c-k1", Product: mustProduct(t, "P1"), ExpectedSeq: 2,
			Quantity: mustQuantity(t, "2"), BusinessDate: mustDate(t, "2024-05-01"), RecordedAt: m.RecordedAt, Target: "t1", Reason: "mistake"},
	} {
		b, err := domain.MarshalEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := domain.UnmarshalEvent(b); err != nil {
			t.Fatalf("%s without a location: %v", e.Type, err)
		}
		named := []byte(strings.Replace(string(b), `"target_event_id"`, `"location":"north","target_event_id"`, 1))
		if _, err := domain.UnmarshalEvent(named); !errors.Is(err, domain.ErrMalformedEvent) {
			t.Errorf("%s naming location north: %v, want malformed\n%s", e.Type, err, named)
		}
	}
	if !void.Location.IsMain() {
		t.Errorf("Void wrote location %s", void.Location)
	}
}
