package domain

import (
	"errors"
	"fmt"
)

// ErrInvalidThreshold means a threshold's lead time, minimum or reorder quantity is out
// of range.
var ErrInvalidThreshold = errors.New("invalid threshold")

// SetThreshold returns the ThresholdSet event that sets t. It refuses a lead time outside
// 0…MaxLeadDays; Min and ReorderQty are quantities, so never negative.
func SetThreshold(t Threshold, m Metadata) (Event, error) {
	if t.LeadDays < 0 || t.LeadDays > MaxLeadDays {
		return Event{}, fmt.Errorf("%w: lead time %d days: give 0 to %d days", ErrInvalidThreshold, t.LeadDays, MaxLeadDays)
	}
	e := thresholdEvent(TypeThresholdSet, t, m)
	e.Min, e.ReorderQty, e.LeadDays = t.Min, t.ReorderQty, t.LeadDays
	return e, nil
}

// ClearThreshold returns the ThresholdCleared event that removes the threshold of t's
// scope (its Product, PerLocation and Location; the other fields are ignored).
func ClearThreshold(t Threshold, m Metadata) Event {
	return thresholdEvent(TypeThresholdCleared, t, m)
}

func thresholdEvent(typ EventType, t Threshold, m Metadata) Event {
	e := Event{Type: typ, ID: m.EventID, CommandID: m.CommandID, Product: t.Product, PerLocation: t.PerLocation,
		BusinessDate: m.BusinessDate, RecordedAt: m.RecordedAt.UTC(), RecordedBy: m.RecordedBy, Note: m.Note}
	if t.PerLocation {
		e.Location = t.Location
	}
	return e
}

// Threshold returns the threshold a ThresholdSet sets, or the scope a ThresholdCleared
// clears (with no minimum).
func (e Event) Threshold() Threshold {
	t := Threshold{Product: e.Product, PerLocation: e.PerLocation, Min: e.Min, ReorderQty: e.ReorderQty, LeadDays: e.LeadDays}
	if e.PerLocation {
		t.Location = e.Location
	}
	return t
}
