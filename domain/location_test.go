package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
)

func TestParseLocationID(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{"north", "north", ""},
		{" north ", "north", ""},
		{"main", "main", ""},
		{"dock-2.b_1", "dock-2.b_1", ""},
		{"7th", "7th", ""},
		{"", "", "empty"},
		{"North", "", "lower case (north)"},
		{"-north", "", "starting with a letter or a digit"},
		{"nor th", "", "use lower-case letters"},
		{"nørth", "", "use lower-case letters"},
		{strings.Repeat("a", 33), "", "at most 32"},
	} {
		l, err := domain.ParseLocationID(tc.in)
		switch {
		case tc.err == "" && (err != nil || l.String() != tc.want):
			t.Errorf("ParseLocationID(%q) = %q, %v; want %q", tc.in, l, err, tc.want)
		case tc.err != "" && (err == nil || !errors.Is(err, domain.ErrInvalidLocation) || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseLocationID(%q) = %q, %v; want an error saying %q", tc.in, l, err, tc.err)
		}
	}
	if l, _ := domain.ParseLocationID("main"); l != domain.MainLocation || !l.IsMain() {
		t.Errorf("main parses to %#v, not MainLocation", l)
	}
}

func locMeta(id string) domain.Metadata {
	return domain.Metadata{EventID: id, CommandID: "c-" + id, BusinessDate: domain.NewBusinessDate(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)),
		RecordedAt: time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC), RecordedBy: "ana"}
}

func loc(t *testing.T, s string) domain.LocationID {
	t.Helper()
	l, err := domain.ParseLocationID(s)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestLocationsLifecycle: declared, renamed, closed only when empty; an operation in an
// unknown or closed location is refused with the open ones listed; main is always there
// and cannot be closed.
func TestLocationsLifecycle(t *testing.T) {
	ls := domain.NewLocations()
	north := loc(t, "north")
	if err := ls.Check(domain.MainLocation); err != nil {
		t.Fatalf("main is not open from the start: %v", err)
	}
	err := ls.Check(north)
	if !errors.Is(err, domain.ErrUnknownLocation) || errors.Is(err, domain.ErrLocationClosed) || err.Error() != `unknown location: "north" (open locations: main)` {
		t.Errorf("an operation in an undeclared location: %v", err)
	}
	add, err := ls.Add(north, "North warehouse", locMeta("e1"))
	if err != nil || add.Type != domain.TypeLocationAdded || add.Location != north || add.Name != "North warehouse" || !add.Product.IsZero() {
		t.Fatalf("Add = %+v, %v", add, err)
	}
	if err := ls.Check(north); !errors.Is(err, domain.ErrUnknownLocation) {
		t.Errorf("Add changed the locations before Apply: %v", err)
	}
	if err := ls.Apply(add, 0); err != nil {
		t.Fatal(err)
	}
	if err := ls.Check(north); err != nil {
		t.Errorf("north after its add: %v", err)
	}
	if err := ls.Apply(add, 0); !errors.Is(err, domain.ErrLocationExists) {
		t.Errorf("the same add again (a retried copy): %v, want ErrLocationExists", err)
	}
	if _, err := ls.Add(north, "Other", locMeta("e2")); !errors.Is(err, domain.ErrLocationExists) {
		t.Errorf("north declared twice: %v", err)
	}
	if _, err := ls.Add(loc(t, "south"), "", locMeta("e2")); !errors.Is(err, domain.ErrInvalidLocation) {
		t.Errorf("a location without a name: %v", err)
	}
	ren, err := ls.Rename(north, "North (dock 2)", locMeta("e3"))
	if err != nil || ls.Apply(ren, 0) != nil {
		t.Fatalf("Rename: %v", err)
	}
	if got, _ := ls.Get(north); got.Name != "North (dock 2)" {
		t.Errorf("after the rename: %+v", got)
	}
	if _, err := ls.Rename(loc(t, "south"), "South", locMeta("e4")); !errors.Is(err, domain.ErrUnknownLocation) {
		t.Errorf("renaming an undeclared location: %v", err)
	}
	if _, err := ls.Close(north, 150, locMeta("e5")); !errors.Is(err, domain.ErrLocationNotEmpty) || !strings.Contains(err.Error(), "holds 1.50 units") {
		t.Errorf("closing a location that holds 1.50: %v", err)
	}
	if _, err := ls.Close(domain.MainLocation, 0, locMeta("e5")); !errors.Is(err, domain.ErrInvalidLocation) {
		t.Errorf("closing main: %v", err)
	}
	cl, err := ls.Close(north, 0, locMeta("e6"))
	if err != nil {
		t.Fatal(err)
	}
	// Applied in log order: stock arrived between the decision and the close.
	if err := ls.Apply(cl, 200); !errors.Is(err, domain.ErrLocationNotEmpty) {
		t.Errorf("a close applied when the location holds stock: %v", err)
	}
	if err := ls.Apply(cl, 0); err != nil {
		t.Fatal(err)
	}
	err = ls.Check(north)
	if !errors.Is(err, domain.ErrLocationClosed) || errors.Is(err, domain.ErrUnknownLocation) || err.Error() != `location closed: "north" (open locations: main)` {
		t.Errorf("an operation in a closed location: %v", err)
	}
	if _, err := ls.Add(north, "North again", locMeta("e7")); !errors.Is(err, domain.ErrLocationExists) || !strings.Contains(err.Error(), "closed") {
		t.Errorf("a closed location's ID declared again: %v", err)
	}
	list := ls.List()
	if len(list) != 2 || !list[0].ID.IsMain() || list[1].ID != north || !list[1].Closed {
		t.Errorf("List = %+v", list)
	}
	if again := domain.RestoreLocations(list); again.Check(north) == nil || again.Check(domain.MainLocation) != nil {
		t.Errorf("restored locations differ: %+v", again.List())
	}
}

// TestLocationEventsOnTheWire: a location event and an operation in a location go through
// the codec unchanged; an operation in main is written without a location, as before
// locations existed; the shapes a location event must not have are malformed.
func TestLocationEventsOnTheWire(t *testing.T) {
	ls := domain.NewLocations()
	add, _ := ls.Add(loc(t, "north"), "North warehouse", locMeta("e1"))
	b, err := domain.MarshalEvent(add)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"LocationAdded","schema_version":1,"event_id":"e1","command_id":"c-e1","business_date":"2024-05-01 00:00:00","recorded_at":"2024-05-01T09:00:00Z","recorded_by":"ana","location":"north","name":"North warehouse"}`
	if string(b) != want {
		t.Errorf("LocationAdded encodes as\n%s\nwant\n%s", b, want)
	}
	back, err := domain.UnmarshalEvent(b)
	if err != nil || back.Location != add.Location || back.Name != add.Name || back.Type != add.Type {
		t.Errorf("LocationAdded decodes to %+v, %v", back, err)
	}
	p, _ := domain.ParseProductID("P1")
	q, _ := domain.ParseQuantity("3")
	s := domain.NewStock(p)
	sale := domain.Event{Type: domain.TypeStockRestocked, ID: "e2", CommandID: "c2", Product: p, Quantity: q, ExpectedSeq: s.Seq() + 1,
		BusinessDate: locMeta("x").BusinessDate, RecordedAt: locMeta("x").RecordedAt, Location: loc(t, "north")}
	b, err = domain.MarshalEvent(sale)
	if err != nil || !strings.Contains(string(b), `"location":"north"`) {
		t.Fatalf("a restock in north encodes as %s, %v", b, err)
	}
	if back, err := domain.UnmarshalEvent(b); err != nil || back.Location != sale.Location {
		t.Errorf("a restock in north decodes to %+v, %v", back, err)
	}
	sale.Location = domain.MainLocation
	if b, _ = domain.MarshalEvent(sale); strings.Contains(string(b), "location") {
		t.Errorf("a restock in main encodes with a location: %s", b)
	}
	for _, bad := range []string{
		`{"type":"LocationAdded","schema_version":1,"event_id":"e1","command_id":"c1","business_date":"2024-05-01 00:00:00","recorded_at":"2024-05-01T09:00:00Z","recorded_by":"ana","location":"north"}`,
		`{"type":"LocationClosed","schema_version":1,"event_id":"e1","command_id":"c1","business_date":"2024-05-01 00:00:00","recorded_at":"2024-05-01T09:00:00Z","recorded_by":"ana","location":"north","name":"N"}`,
		`{"type":"LocationAdded","schema_version":1,"event_id":"e1","command_id":"c1","business_date":"2024-05-01 00:00:00","recorded_at":"2024-05-01T09:00:00Z","recorded_by":"ana","location":"North","name":"N"}`,
		`{"type":"LocationAdded","schema_version":1,"event_id":"e1","command_id":"c1","product_id":"P1","business_date":"2024-05-01 00:00:00","recorded_at":"2024-05-01T09:00:00Z","recorded_by":"ana","location":"north","name":"N"}`,
		`{"type":"StockSold","schema_version":1,"event_id":"e1","command_id":"c1","product_id":"P1","quantity":"3.00","expected_seq":2,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana","location":"north","name":"N"}`,
		`{"type":"StockSold","schema_version":1,"event_id":"e1","command_id":"c1","product_id":"P1","quantity":"3.00","expected_seq":2,"business_date":"2024-05-02 00:00:00","recorded_at":"2024-05-02T10:00:00Z","recorded_by":"ana","location":" north"}`,
		`{"type":"PeriodClosed","schema_version":1,"event_id":"e9","command_id":"c9","business_date":"2024-03-31 00:00:00","recorded_at":"2024-04-02T08:00:00Z","recorded_by":"ana","location":"north"}`,
	} {
		if e, err := domain.UnmarshalEvent([]byte(bad)); !errors.Is(err, domain.ErrMalformedEvent) {
			t.Errorf("%s decodes to %+v, %v; want ErrMalformedEvent", bad, e, err)
		}
	}
}
