package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// envelope is the JSON form of an event on the topic; docs/events.md documents it. The
// product's fields are left out only of a PeriodClosed, which has none: a valid sale or
// restock always has them, so their encoding is what it was before that type existed.
type envelope struct {
	Type          EventType `json:"type"`
	SchemaVersion int       `json:"schema_version"`
	EventID       string    `json:"event_id"`
	CommandID     string    `json:"command_id"`
	ProductID     string    `json:"product_id,omitempty"`
	Quantity      *Quantity `json:"quantity,omitempty"`
	ExpectedSeq   int64     `json:"expected_seq,omitempty"`
	BusinessDate  string    `json:"business_date"`
	RecordedAt    time.Time `json:"recorded_at"`
	RecordedBy    string    `json:"recorded_by"`
	Note          string    `json:"note,omitempty"`
	// Repairs only (docs/events.md): the event ID repaired, why, and an adjustment's
	// direction, "in" or "out".
	TargetEventID string `json:"target_event_id,omitempty"`
	Reason        string `json:"reason,omitempty"`
	Direction     string `json:"direction,omitempty"`
	// Locations (docs/events.md): where an operation happened, left out for main (so an
	// operation in main reads as it did before locations existed); a location event's
	// location and name.
	Location string `json:"location,omitempty"`
	Name     string `json:"name,omitempty"`
	// A transfer's destination; location is then its source, written even when main.
	ToLocation string `json:"to_location,omitempty"`
	// A ThresholdSet's setting (docs/events.md): its minimum, the least it is reordered
	// in, and the supplier's lead time in days.
	Min          *Quantity `json:"min,omitempty"`
	ReorderQty   *Quantity `json:"reorder_qty,omitempty"`
	LeadTimeDays *int      `json:"lead_time_days,omitempty"`
}

// MaxIDLength bounds event and command IDs.
const MaxIDLength = 128

// MarshalEvent encodes e as its versioned JSON envelope. It refuses an event that
// UnmarshalEvent would not accept, so nothing unreadable is ever appended to the log.
func MarshalEvent(e Event) ([]byte, error) {
	var q *Quantity
	if (e.Type != TypePeriodClosed && e.Type != TypeOperationVoided && !IsLocationEvent(e.Type) && !IsThresholdEvent(e.Type)) || !e.Quantity.IsZero() {
		// Validation below then refuses a zero quantity where one is needed, or any on a
		// PeriodClosed, a void or a location event.
		q = &e.Quantity
	}
	var dir string
	if e.Type == TypeStockAdjusted {
		dir = "in"
		if e.Out {
			dir = "out"
		}
	}
	env := envelope{
		Type:          e.Type,
		SchemaVersion: SchemaVersion,
		EventID:       e.ID,
		CommandID:     e.CommandID,
		ProductID:     e.Product.String(),
		Quantity:      q,
		ExpectedSeq:   e.ExpectedSeq,
		BusinessDate:  e.BusinessDate.String(),
		RecordedAt:    e.RecordedAt,
		RecordedBy:    e.RecordedBy,
		Note:          e.Note,
		TargetEventID: e.Target,
		Reason:        e.Reason,
		Direction:     dir,
		Name:          e.Name,
	}
	if !e.Location.IsMain() || IsLocationEvent(e.Type) || e.Type == TypeStockTransferred {
		env.Location = e.Location.String()
	}
	if e.Type == TypeStockTransferred {
		env.ToLocation = e.To.String()
	}
	env.thresholdFields(e)
	if _, err := env.event(); err != nil {
		return nil, err
	}
	return json.Marshal(env)
}

// UnmarshalEvent decodes and validates a record value. Anything that is not a valid
// stockctl event of a known type and supported version gives an error matching
// ErrMalformedEvent, ErrUnknownEventType or ErrUnsupportedVersion.
func UnmarshalEvent(b []byte) (Event, error) {
	var env envelope
	if !decodeFast(b, &env) {
		env = envelope{}
		if err := decodeJSON(b, &env); err != nil {
			return Event{}, err
		}
	}
	return env.event()
}

func decodeJSON(b []byte, env *envelope) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(env); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformedEvent, err)
	}
	if dec.More() || dec.InputOffset() != int64(len(bytes.TrimRight(b, " \t\r\n"))) {
		return fmt.Errorf("%w: data after the JSON object", ErrMalformedEvent)
	}
	return nil
}

// event validates the envelope and returns its event.
func (env *envelope) event() (Event, error) {
	if env.Type == "" || env.SchemaVersion == 0 {
		return Event{}, fmt.Errorf("%w: no type or schema_version", ErrMalformedEvent)
	}
	if env.SchemaVersion > SchemaVersion || env.SchemaVersion < 1 {
		return Event{}, fmt.Errorf("%w: %d (this build reads up to %d)", ErrUnsupportedVersion, env.SchemaVersion, SchemaVersion)
	}
	if !IsThresholdEvent(env.Type) && (env.Min != nil || env.ReorderQty != nil || env.LeadTimeDays != nil) {
		return Event{}, fmt.Errorf("%w: a %s has no min, reorder_qty or lead_time_days", ErrMalformedEvent, env.Type)
	}
	if env.Type == TypePeriodClosed {
		return env.periodClosed()
	}
	if IsLocationEvent(env.Type) {
		return env.locationEvent()
	}
	if IsThresholdEvent(env.Type) {
		return env.thresholdEvent()
	}
	e, err := env.operation()
	if err != nil {
		return Event{}, err
	}
	if env.Name != "" {
		return Event{}, fmt.Errorf("%w: a %s has no name", ErrMalformedEvent, env.Type)
	}
	if (env.Type == TypeOperationVoided || env.Type == TypeOperationCorrected) && env.Location != "" {
		// A repair takes place where the operation it names did: the read model knows it.
		return Event{}, fmt.Errorf("%w: a %s has no location (it is its target's)", ErrMalformedEvent, env.Type)
	}
	if e.Location, err = env.location(); err != nil {
		return Event{}, err
	}
	if env.ToLocation != "" {
		if e.To, err = ParseLocationID(env.ToLocation); err != nil || e.To.String() != env.ToLocation || e.To == e.Location {
			return Event{}, fmt.Errorf("%w: to_location %q (from %q)", ErrMalformedEvent, env.ToLocation, env.Location)
		}
	}
	return e, nil
}

// location returns an operation's location: main when the envelope names none.
func (env *envelope) location() (LocationID, error) {
	if env.Location == "" {
		return MainLocation, nil
	}
	l, err := ParseLocationID(env.Location)
	if err != nil || l.String() != env.Location {
		return LocationID{}, fmt.Errorf("%w: location %q", ErrMalformedEvent, env.Location)
	}
	return l, nil
}

// operation validates the envelope of a sale, a restock or a repair.
func (env *envelope) operation() (Event, error) {
	switch env.Type {
	case TypeStockSold, TypeStockRestocked, TypeStockTransferred:
		if env.TargetEventID != "" || env.Reason != "" || env.Direction != "" {
			return Event{}, fmt.Errorf("%w: a %s has no target_event_id, reason or direction", ErrMalformedEvent, env.Type)
		}
		if (env.Type == TypeStockTransferred) != (env.ToLocation != "") || (env.Type == TypeStockTransferred) && env.Location == "" {
			return Event{}, fmt.Errorf("%w: a transfer, and only a transfer, has a location and a to_location", ErrMalformedEvent)
		}
	case TypeOperationVoided, TypeOperationCorrected, TypeStockCounted, TypeStockAdjusted:
		return env.repair()
	default:
		return Event{}, fmt.Errorf("%w: %q", ErrUnknownEventType, env.Type)
	}
	p, err := ParseProductID(env.ProductID)
	if err != nil || p.String() != env.ProductID {
		return Event{}, fmt.Errorf("%w: product_id %q", ErrMalformedEvent, env.ProductID)
	}
	if env.Quantity == nil || env.Quantity.IsZero() {
		return Event{}, fmt.Errorf("%w: quantity missing or zero", ErrMalformedEvent)
	}
	d, err := ParseBusinessDate(env.BusinessDate)
	if err != nil {
		return Event{}, fmt.Errorf("%w: business_date %q", ErrMalformedEvent, env.BusinessDate)
	}
	if env.EventID == "" || env.CommandID == "" || len(env.EventID) > MaxIDLength || len(env.CommandID) > MaxIDLength {
		return Event{}, fmt.Errorf("%w: event_id and command_id must be 1 to %d bytes", ErrMalformedEvent, MaxIDLength)
	}
	if env.RecordedAt.IsZero() {
		return Event{}, fmt.Errorf("%w: recorded_at missing", ErrMalformedEvent)
	}
	if env.ExpectedSeq < 1 {
		return Event{}, fmt.Errorf("%w: expected_seq %d", ErrMalformedEvent, env.ExpectedSeq)
	}
	return Event{
		Type:         env.Type,
		ID:           env.EventID,
		CommandID:    env.CommandID,
		Product:      p,
		Quantity:     *env.Quantity,
		ExpectedSeq:  env.ExpectedSeq,
		BusinessDate: d,
		RecordedAt:   env.RecordedAt,
		RecordedBy:   env.RecordedBy,
		Note:         env.Note,
	}, nil
}

// locationEvent validates the envelope of a LocationAdded, LocationRenamed or
// LocationClosed: a location (main only in a rename), a name for an add or a rename, and
// nothing of a product.
func (env *envelope) locationEvent() (Event, error) {
	bad := func(format string, args ...any) (Event, error) {
		return Event{}, fmt.Errorf("%w: %s: "+format, append([]any{ErrMalformedEvent, env.Type}, args...)...)
	}
	if env.ProductID != "" || env.Quantity != nil || env.ExpectedSeq != 0 || env.TargetEventID != "" || env.Reason != "" || env.Direction != "" {
		return bad("a location event has no product_id, quantity, expected_seq, target_event_id, reason or direction")
	}
	l, err := ParseLocationID(env.Location)
	if err != nil || l.String() != env.Location {
		return bad("location %q", env.Location)
	}
	if (env.Type == TypeLocationClosed) != (env.Name == "") {
		return bad("name %q: an add or a rename has a name, a close none", env.Name)
	}
	if env.Name != "" {
		if err := CheckLocationName(env.Name); err != nil {
			return bad("%v", err)
		}
	}
	d, err := ParseBusinessDate(env.BusinessDate)
	if err != nil {
		return bad("business_date %q", env.BusinessDate)
	}
	if env.EventID == "" || env.CommandID == "" || len(env.EventID) > MaxIDLength || len(env.CommandID) > MaxIDLength {
		return bad("event_id and command_id must be 1 to %d bytes", MaxIDLength)
	}
	if env.RecordedAt.IsZero() {
		return bad("recorded_at missing")
	}
	return Event{Type: env.Type, ID: env.EventID, CommandID: env.CommandID, Location: l, Name: env.Name,
		BusinessDate: d, RecordedAt: env.RecordedAt, RecordedBy: env.RecordedBy, Note: env.Note}, nil
}

// periodClosed validates the envelope of a PeriodClosed: it concerns no product, so a
// product, quantity or sequence on it is malformed rather than ignored (a writer that
// sets one means something this build cannot honour), and its date is a whole day.
func (env *envelope) periodClosed() (Event, error) {
	if env.ProductID != "" || env.Quantity != nil || env.ExpectedSeq != 0 || env.Location != "" || env.Name != "" {
		return Event{}, fmt.Errorf("%w: a PeriodClosed has no product_id, quantity, expected_seq, location or name", ErrMalformedEvent)
	}
	d, err := ParseBusinessDate(env.BusinessDate)
	if err != nil || d.Time().Hour() != 0 || d.Time().Minute() != 0 || d.Time().Second() != 0 {
		return Event{}, fmt.Errorf("%w: business_date %q: a PeriodClosed closes through a whole day, \"YYYY-MM-DD\" or \"YYYY-MM-DD 00:00:00\"", ErrMalformedEvent, env.BusinessDate)
	}
	if env.EventID == "" || env.CommandID == "" || len(env.EventID) > MaxIDLength || len(env.CommandID) > MaxIDLength {
		return Event{}, fmt.Errorf("%w: event_id and command_id must be 1 to %d bytes", ErrMalformedEvent, MaxIDLength)
	}
	if env.RecordedAt.IsZero() {
		return Event{}, fmt.Errorf("%w: recorded_at missing", ErrMalformedEvent)
	}
	return Event{
		Type:         env.Type,
		ID:           env.EventID,
		CommandID:    env.CommandID,
		BusinessDate: d,
		RecordedAt:   env.RecordedAt,
		RecordedBy:   env.RecordedBy,
		Note:         env.Note,
	}, nil
}

// productFields validates what every event of one product carries besides its own
// fields: its product, business date, IDs and recording time. Errors name the type.
func (env *envelope) productFields() (ProductID, BusinessDate, error) {
	bad := func(format string, args ...any) (ProductID, BusinessDate, error) {
		return ProductID{}, BusinessDate{}, fmt.Errorf("%w: %s: "+format, append([]any{ErrMalformedEvent, env.Type}, args...)...)
	}
	p, err := ParseProductID(env.ProductID)
	if err != nil || p.String() != env.ProductID {
		return bad("product_id %q", env.ProductID)
	}
	d, err := ParseBusinessDate(env.BusinessDate)
	if err != nil {
		return bad("business_date %q", env.BusinessDate)
	}
	if env.EventID == "" || env.CommandID == "" || len(env.EventID) > MaxIDLength || len(env.CommandID) > MaxIDLength {
		return bad("event_id and command_id must be 1 to %d bytes", MaxIDLength)
	}
	if env.RecordedAt.IsZero() {
		return bad("recorded_at missing")
	}
	return p, d, nil
}

// repair validates the envelope of a void, correction, count or adjustment: the fields of
// an operation, with a target and a reason where the type needs them (docs/events.md).
func (env *envelope) repair() (Event, error) {
	bad := func(format string, args ...any) (Event, error) {
		return Event{}, fmt.Errorf("%w: %s: "+format, append([]any{ErrMalformedEvent, env.Type}, args...)...)
	}
	p, d, err := env.productFields()
	if err != nil {
		return Event{}, err
	}
	if env.ExpectedSeq < 1 {
		return bad("expected_seq %d", env.ExpectedSeq)
	}
	if len(env.Reason) > MaxReasonLength {
		return bad("reason longer than %d bytes", MaxReasonLength)
	}
	targeted := env.Type == TypeOperationVoided || env.Type == TypeOperationCorrected
	switch {
	case targeted && (env.TargetEventID == "" || len(env.TargetEventID) > MaxIDLength):
		return bad("target_event_id must be 1 to %d bytes", MaxIDLength)
	case !targeted && env.TargetEventID != "":
		return bad("no target_event_id expected")
	case targeted && env.Reason == "":
		return bad("reason missing")
	case env.Type == TypeOperationVoided && env.Quantity != nil:
		return bad("a void has no quantity")
	case env.Type != TypeOperationVoided && env.Quantity == nil:
		return bad("quantity missing")
	case env.Quantity != nil && env.Quantity.IsZero() && env.Type != TypeStockCounted:
		return bad("quantity zero")
	case (env.Type == TypeStockAdjusted) != (env.Direction != ""):
		return bad("direction %q: an adjustment, and only an adjustment, has one", env.Direction)
	case env.Direction != "" && env.Direction != "in" && env.Direction != "out":
		return bad("direction %q: want in or out", env.Direction)
	case env.Type == TypeStockAdjusted && !slices.Contains(AdjustReasons, env.Reason):
		return bad("reason %q: want one of %v", env.Reason, AdjustReasons)
	}
	e := Event{
		Type:         env.Type,
		ID:           env.EventID,
		CommandID:    env.CommandID,
		Product:      p,
		ExpectedSeq:  env.ExpectedSeq,
		BusinessDate: d,
		RecordedAt:   env.RecordedAt,
		RecordedBy:   env.RecordedBy,
		Note:         env.Note,
		Target:       env.TargetEventID,
		Reason:       env.Reason,
		Out:          env.Direction == "out",
	}
	if env.Quantity != nil {
		e.Quantity = *env.Quantity
	}
	return e, nil
}
