package domain

import "fmt"

// thresholdFields fills the envelope of a ThresholdSet or ThresholdCleared: the location
// only for a threshold of one location (main written as "main", since no location means
// the product's total), and the setting of a ThresholdSet, every field written. A
// setting on any other event is written too, for the validation to refuse it.
func (env *envelope) thresholdFields(e Event) {
	if IsThresholdEvent(e.Type) {
		env.Location = ""
		if e.PerLocation {
			env.Location = e.Location.String()
		}
	}
	if e.Type == TypeThresholdSet || !e.Min.IsZero() || !e.ReorderQty.IsZero() || e.LeadDays != 0 {
		min, reorder, lead := e.Min, e.ReorderQty, e.LeadDays
		env.Min, env.ReorderQty, env.LeadTimeDays = &min, &reorder, &lead
	}
}

// thresholdEvent validates the envelope of a ThresholdSet or ThresholdCleared: a
// product, no quantity or sequence (a threshold changes no stock and the last one set
// wins), an optional location, and for a set its minimum (zero allowed), an optional
// reorder quantity and lead time (zero when absent), the lead time within 0…MaxLeadDays.
// A clear carries none of the setting.
func (env *envelope) thresholdEvent() (Event, error) {
	bad := func(format string, args ...any) (Event, error) {
		return Event{}, fmt.Errorf("%w: %s: "+format, append([]any{ErrMalformedEvent, env.Type}, args...)...)
	}
	if env.Quantity != nil || env.ExpectedSeq != 0 || env.TargetEventID != "" || env.Reason != "" || env.Direction != "" ||
		env.Name != "" || env.ToLocation != "" {
		return bad("a threshold event has no quantity, expected_seq, target_event_id, reason, direction, name or to_location")
	}
	p, d, err := env.productFields()
	if err != nil {
		return Event{}, err
	}
	e := Event{Type: env.Type, ID: env.EventID, CommandID: env.CommandID, Product: p, BusinessDate: d,
		RecordedAt: env.RecordedAt, RecordedBy: env.RecordedBy, Note: env.Note}
	if env.Location != "" {
		l, err := ParseLocationID(env.Location)
		if err != nil || l.String() != env.Location {
			return bad("location %q", env.Location)
		}
		e.Location, e.PerLocation = l, true
	}
	if env.Type == TypeThresholdCleared {
		if env.Min != nil || env.ReorderQty != nil || env.LeadTimeDays != nil {
			return bad("a clear has no min, reorder_qty or lead_time_days")
		}
		return e, nil
	}
	if env.Min == nil {
		return bad("min missing")
	}
	e.Min = *env.Min
	if env.ReorderQty != nil {
		e.ReorderQty = *env.ReorderQty
	}
	if env.LeadTimeDays != nil {
		if *env.LeadTimeDays < 0 || *env.LeadTimeDays > MaxLeadDays {
			return bad("lead_time_days %d: want 0 to %d", *env.LeadTimeDays, MaxLeadDays)
		}
		e.LeadDays = *env.LeadTimeDays
	}
	return e, nil
}
