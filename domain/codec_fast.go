package domain

import (
	"strconv"
	"unicode/utf8"
)

// decodeFast fills env from the common shape of an envelope — a flat JSON object of known
// keys with unescaped strings and plain integers — and reports false for anything else,
// which then goes through encoding/json. It accepts only inputs that encoding/json decodes
// to the same envelope, so the result never depends on the path taken; it exists because
// a replay spends most of its decoding time in encoding/json's reflection.
func decodeFast(b []byte, env *envelope) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	var seen uint16
	for {
		if i >= len(b) || b[i] != '"' {
			return false
		}
		key, j, ok := plainString(b, i)
		if !ok {
			return false
		}
		i = skipSpace(b, j)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		field, ok := envelopeField[string(key)]
		if !ok || seen&(1<<field) != 0 {
			return false
		}
		seen |= 1 << field
		if field == fieldSchemaVersion || field == fieldExpectedSeq {
			n, j, ok := plainInt(b, i)
			if !ok {
				return false
			}
			if field == fieldSchemaVersion {
				env.SchemaVersion = int(n)
			} else {
				env.ExpectedSeq = n
			}
			i = j
		} else {
			if i >= len(b) || b[i] != '"' {
				return false
			}
			s, j, ok := plainString(b, i)
			if !ok || !setStringField(env, field, s) {
				return false
			}
			i = j
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return false
		}
		if b[i] == '}' {
			return skipSpace(b, i+1) == len(b)
		}
		if b[i] != ',' {
			return false
		}
		i = skipSpace(b, i+1)
	}
}

const (
	fieldType = iota
	fieldSchemaVersion
	fieldEventID
	fieldCommandID
	fieldProductID
	fieldQuantity
	fieldExpectedSeq
	fieldBusinessDate
	fieldRecordedAt
	fieldRecordedBy
	fieldNote
	fieldLocation
	fieldToLocation
)

var envelopeField = map[string]int{
	"type": fieldType, "schema_version": fieldSchemaVersion, "event_id": fieldEventID,
	"command_id": fieldCommandID, "product_id": fieldProductID, "quantity": fieldQuantity,
	"expected_seq": fieldExpectedSeq, "business_date": fieldBusinessDate,
	"recorded_at": fieldRecordedAt, "recorded_by": fieldRecordedBy, "note": fieldNote,
	"location": fieldLocation, "to_location": fieldToLocation,
}

func setStringField(env *envelope, field int, s []byte) bool {
	switch field {
	case fieldType:
		env.Type = EventType(s)
	case fieldEventID:
		env.EventID = string(s)
	case fieldCommandID:
		env.CommandID = string(s)
	case fieldProductID:
		env.ProductID = string(s)
	case fieldQuantity:
		var q Quantity
		if q.UnmarshalText(s) != nil {
			return false
		}
		env.Quantity = &q
	case fieldBusinessDate:
		env.BusinessDate = string(s)
	case fieldRecordedAt:
		if env.RecordedAt.UnmarshalText(s) != nil {
			return false
		}
	case fieldRecordedBy:
		env.RecordedBy = string(s)
	case fieldNote:
		env.Note = string(s)
	case fieldLocation:
		env.Location = string(s)
	case fieldToLocation:
		env.ToLocation = string(s)
	default:
		return false
	}
	return true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// plainString reads a JSON string starting at b[i] == '"' that has no escapes and no
// control characters and is valid UTF-8; it returns the bytes between the quotes.
func plainString(b []byte, i int) ([]byte, int, bool) {
	start := i + 1
	for j := start; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			s := b[start:j]
			return s, j + 1, utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// plainInt reads a JSON integer in canonical form: -?(0|[1-9][0-9]*).
func plainInt(b []byte, i int) (int64, int, bool) {
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := i
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i == digits || (b[digits] == '0' && i-digits > 1) {
		return 0, 0, false
	}
	if i < len(b) && (b[i] == '.' || b[i] == 'e' || b[i] == 'E') {
		return 0, 0, false
	}
	n, err := strconv.ParseInt(string(b[start:i]), 10, 64)
	if err != nil {
		return 0, 0, false
	}
	return n, i, true
}
