package domain

// UnmarshalEventJSON decodes with encoding/json alone, to compare with UnmarshalEvent's
// fast path.
func UnmarshalEventJSON(b []byte) (Event, error) {
	var env envelope
	if err := decodeJSON(b, &env); err != nil {
		return Event{}, err
	}
	return env.event()
}

// DecodesFast reports whether UnmarshalEvent's fast path takes b.
func DecodesFast(b []byte) bool {
	var env envelope
	return decodeFast(b, &env)
}
