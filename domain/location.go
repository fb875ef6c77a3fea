package domain

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Locations: where stock is kept (a warehouse, a shop's back room). A location is
// declared by an event before any operation names it, so a typo cannot create a phantom
// warehouse; "main" exists from the start, and an operation that names none is in main,
// so every event written before locations existed is in main.
//
// Declaring, renaming and closing a location concern every product: like a PeriodClosed,
// each is written once to every partition (DESIGN.md, "Events that concern more than one
// product"), and each partition's projection keeps its own Locations, changed in log order
// with its products' operations, so every replay reaches the same decisions.

// The location event types; each has Location set and no product.
const (
	// TypeLocationAdded declares Location, with Name for people.
	TypeLocationAdded EventType = "LocationAdded"
	// TypeLocationRenamed gives Location a new Name; its ID never changes.
	TypeLocationRenamed EventType = "LocationRenamed"
	// TypeLocationClosed closes Location: no operation may name it after this. It is
	// refused while the location holds stock of any product.
	TypeLocationClosed EventType = "LocationClosed"
)

// Location errors, checked with errors.Is.
var (
	// ErrInvalidLocation means a location ID or name breaks their rules.
	ErrInvalidLocation = errors.New("invalid location")
	// ErrUnknownLocation means an operation or a rename names a location never declared.
	ErrUnknownLocation = errors.New("unknown location")
	// ErrLocationClosed means an operation names a closed location.
	ErrLocationClosed = errors.New("location closed")
	// ErrLocationExists means a location is declared twice.
	ErrLocationExists = errors.New("location already exists")
	// ErrLocationNotEmpty means a close names a location that holds stock.
	ErrLocationNotEmpty = errors.New("location holds stock")
)

// MaxLocationIDLength and MaxLocationNameLength bound a location's ID and name.
const (
	MaxLocationIDLength   = 32
	MaxLocationNameLength = 80
)

// LocationID identifies a location: 1 to 32 lower-case ASCII letters, digits, '-', '_'
// or '.', starting with a letter or a digit, so it reads the same in a shell, a URL, a
// CSV cell and a file name. Main is the zero value, so events without a location and
// events in main are equal.
type LocationID struct {
	id string // "" for main
}

// MainLocation is the location that exists from the start.
var MainLocation = LocationID{}

// mainID is how main is written.
const mainID = "main"

// ParseLocationID trims surrounding white space and checks the location ID rules.
// Upper-case letters are refused, not folded: "North" and "north" would otherwise be
// one location under two spellings in files and URLs.
func ParseLocationID(s string) (LocationID, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return LocationID{}, fmt.Errorf("%w: empty; give a location ID such as north", ErrInvalidLocation)
	}
	if len(t) > MaxLocationIDLength {
		return LocationID{}, fmt.Errorf("%w: %q has %d characters, at most %d allowed", ErrInvalidLocation, t, len(t), MaxLocationIDLength)
	}
	for i, r := range t {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case (r == '-' || r == '_' || r == '.') && i > 0:
		case r >= 'A' && r <= 'Z':
			return LocationID{}, fmt.Errorf("%w: %q: location IDs are lower case (%s)", ErrInvalidLocation, t, strings.ToLower(t))
		default:
			return LocationID{}, fmt.Errorf("%w: %q: use lower-case letters, digits, '-', '_' and '.', starting with a letter or a digit",
				ErrInvalidLocation, t)
		}
	}
	if t == mainID {
		return MainLocation, nil
	}
	return LocationID{id: t}, nil
}

// String returns the location ID as text: "main" for main.
func (l LocationID) String() string {
	if l.id == "" {
		return mainID
	}
	return l.id
}

// IsMain reports whether l is main.
func (l LocationID) IsMain() bool { return l.id == "" }

// CheckLocationName checks a location's name: 1 to 80 printable characters.
func CheckLocationName(name string) error {
	if strings.TrimSpace(name) != name || name == "" {
		return fmt.Errorf("%w: name %q: give 1 to %d characters without leading or trailing spaces", ErrInvalidLocation, name, MaxLocationNameLength)
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("%w: name: not valid UTF-8", ErrInvalidLocation)
	}
	if n := utf8.RuneCountInString(name); n > MaxLocationNameLength {
		return fmt.Errorf("%w: name has %d characters, at most %d allowed", ErrInvalidLocation, n, MaxLocationNameLength)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) && r != ' ' {
			return fmt.Errorf("%w: name: character %U is not printable", ErrInvalidLocation, r)
		}
	}
	return nil
}

// Location is a declared location as one partition knows it.
type Location struct {
	ID     LocationID
	Name   string
	Closed bool
}

// Locations are the locations one partition knows, changed only by Apply. The zero value
// is not usable: start from NewLocations.
type Locations struct {
	known map[LocationID]*Location
}

// NewLocations returns the locations of a log with no location event: main only.
func NewLocations() *Locations {
	return &Locations{known: map[LocationID]*Location{MainLocation: {ID: MainLocation, Name: "Main"}}}
}

// RestoreLocations rebuilds Locations from a list taken with List (main is added if
// missing).
func RestoreLocations(list []Location) *Locations {
	l := NewLocations()
	for _, loc := range list {
		c := loc
		l.known[loc.ID] = &c
	}
	return l
}

// List returns every location, main first, then by ID.
func (l *Locations) List() []Location {
	out := make([]Location, 0, len(l.known))
	for _, loc := range l.known {
		out = append(out, *loc)
	}
	slices.SortFunc(out, func(a, b Location) int {
		switch {
		case a.ID.IsMain():
			return -1
		case b.ID.IsMain():
			return 1
		}
		return strings.Compare(a.ID.id, b.ID.id)
	})
	return out
}

// Get returns the location id, and whether it was declared.
func (l *Locations) Get(id LocationID) (Location, bool) {
	loc, ok := l.known[id]
	if !ok {
		return Location{}, false
	}
	return *loc, true
}

// LocationError refuses an operation that names an unknown or closed location; it lists
// the open ones. It matches ErrUnknownLocation or ErrLocationClosed with errors.Is.
type LocationError struct {
	ID     LocationID
	Closed bool
	Open   []LocationID
}

func (e *LocationError) Error() string {
	names := make([]string, len(e.Open))
	for i, id := range e.Open {
		names[i] = id.String()
	}
	what := "unknown location"
	if e.Closed {
		what = "location closed"
	}
	return fmt.Sprintf("%s: %q (open locations: %s)", what, e.ID.String(), strings.Join(names, ", "))
}

// Is makes errors.Is match ErrUnknownLocation or ErrLocationClosed.
func (e *LocationError) Is(target error) bool {
	return target == ErrUnknownLocation && !e.Closed || target == ErrLocationClosed && e.Closed
}

// Check refuses an operation in id unless id is declared and open.
func (l *Locations) Check(id LocationID) error {
	loc, ok := l.known[id]
	if ok && !loc.Closed {
		return nil
	}
	var open []LocationID
	for _, loc := range l.List() {
		if !loc.Closed {
			open = append(open, loc.ID)
		}
	}
	return &LocationError{ID: id, Closed: ok, Open: open}
}

// Add decides declaring id with name: it returns the LocationAdded to write to every
// partition, or an error if id exists (open or closed: a closed location's ID is not
// reused, its history keeps it).
func (l *Locations) Add(id LocationID, name string, m Metadata) (Event, error) {
	e := locationEvent(TypeLocationAdded, id, name, m)
	return e, l.decide(e, 0)
}

// Rename decides giving id a new name.
func (l *Locations) Rename(id LocationID, name string, m Metadata) (Event, error) {
	e := locationEvent(TypeLocationRenamed, id, name, m)
	return e, l.decide(e, 0)
}

// Close decides closing id, which holds held hundredths of stock over all products.
func (l *Locations) Close(id LocationID, held int64, m Metadata) (Event, error) {
	e := locationEvent(TypeLocationClosed, id, "", m)
	return e, l.decide(e, held)
}

func locationEvent(t EventType, id LocationID, name string, m Metadata) Event {
	return Event{Type: t, ID: m.EventID, CommandID: m.CommandID, Location: id, Name: name,
		BusinessDate: m.BusinessDate, RecordedAt: m.RecordedAt, RecordedBy: m.RecordedBy, Note: m.Note}
}

// decide checks e against the locations; held is what a closed location holds (a close
// only).
func (l *Locations) decide(e Event, held int64) error {
	loc, ok := l.known[e.Location]
	switch e.Type {
	case TypeLocationAdded:
		if ok {
			state := "open"
			if loc.Closed {
				state = "closed"
			}
			return fmt.Errorf("%w: %q (%s, %s)", ErrLocationExists, e.Location.String(), loc.Name, state)
		}
		return CheckLocationName(e.Name)
	case TypeLocationRenamed:
		if !ok {
			return l.Check(e.Location)
		}
		return CheckLocationName(e.Name)
	case TypeLocationClosed:
		if err := l.Check(e.Location); err != nil {
			return err
		}
		if e.Location.IsMain() {
			return fmt.Errorf("%w: main cannot be closed: every operation without a location is in it", ErrInvalidLocation)
		}
		if held != 0 {
			return fmt.Errorf("%w: %q holds %s units; move them out (transfer) or count them to zero before closing it",
				ErrLocationNotEmpty, e.Location.String(), Quantity{cents: held})
		}
		return nil
	}
	return fmt.Errorf("%w: %s is not a location event", ErrMalformedEvent, e.Type)
}

// Apply decides e in log order, as Add, Rename or Close did, and takes it in when it is
// accepted; held is what e's location holds now, over the partition's products (a close
// only). A refused event changes nothing.
func (l *Locations) Apply(e Event, held int64) error {
	if err := l.decide(e, held); err != nil {
		return err
	}
	switch e.Type {
	case TypeLocationAdded:
		l.known[e.Location] = &Location{ID: e.Location, Name: e.Name}
	case TypeLocationRenamed:
		l.known[e.Location].Name = e.Name
	case TypeLocationClosed:
		l.known[e.Location].Closed = true
	}
	return nil
}

// IsLocationEvent reports whether t declares, renames or closes a location.
func IsLocationEvent(t EventType) bool {
	return t == TypeLocationAdded || t == TypeLocationRenamed || t == TypeLocationClosed
}
