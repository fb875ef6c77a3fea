package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// operationFields are the members of an operation, as operationRequest names them.
var operationFields = []string{"product", "type", "quantity", "date", "note", "operator", "location"}

// bodyError is a request body the API refuses, with the member it concerns.
type bodyError struct {
	field, msg string
}

func (e *bodyError) Error() string { return "the body is not a JSON operation: " + e.msg }

// decodeOperation reads the body of POST /api/operations strictly, with
// go-json-experiment/json rather than encoding/json, which matched "PRODUCT" to product
// with the last duplicate winning (a body naming two products sold the second), and
// turned invalid UTF-8 and lone surrogates (\ud800) into U+FFFD, which the CLI refuses.
// Here member names match exactly, each at most once, unknown ones are refused, strings
// must be valid UTF-8 and the body one JSON value. Other errors, such as a body over the
// limit, come back as they are.
func decodeOperation(r io.Reader) (operationRequest, error) {
	var req operationRequest
	return req, decodeStrict(r, &req, operationFields)
}

// decodeStrict reads a JSON body into v as decodeOperation describes; fields are v's
// members, which its errors name.
func decodeStrict(r io.Reader, v any, fields []string) error {
	err := jsonv2.UnmarshalRead(r, v, jsonv2.RejectUnknownMembers(true))
	if err == nil {
		return nil
	}
	var syn *jsontext.SyntacticError
	var sem *jsonv2.SemanticError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return tooBig
	case errors.As(err, &syn) && errors.Is(err, jsontext.ErrDuplicateName):
		return &bodyError{topMember(syn.JSONPointer, fields), fmt.Sprintf("%q is given more than once", syn.JSONPointer.LastToken())}
	case errors.As(err, &sem) && errors.Is(err, jsonv2.ErrUnknownName):
		name := sem.JSONPointer.LastToken()
		for _, f := range fields {
			if strings.EqualFold(f, name) {
				return &bodyError{"", fmt.Sprintf("unknown member %q: names are matched exactly; did you mean %q?", name, f)}
			}
		}
		return &bodyError{"", fmt.Sprintf("unknown member %q: give %s", name, strings.Join(fields, ", "))}
	case errors.As(err, &syn) && (strings.Contains(syn.Err.Error(), "UTF-8") || strings.Contains(syn.Err.Error(), "surrogate")):
		field := topMember(syn.JSONPointer, fields)
		return &bodyError{field, fmt.Sprintf("%q is not valid UTF-8 (a byte that is not UTF-8, or an escaped lone surrogate such as \\ud800)", field)}
	case errors.As(err, &syn) || errors.As(err, &sem):
		msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), "jsontext: "), "json: ")
		return &bodyError{topMember(pointerOf(syn, sem), fields), msg}
	}
	return err
}

func pointerOf(syn *jsontext.SyntacticError, sem *jsonv2.SemanticError) jsontext.Pointer {
	if syn != nil {
		return syn.JSONPointer
	}
	return sem.JSONPointer
}

// topMember returns the member of fields a pointer is within, if it names one.
func topMember(p jsontext.Pointer, fields []string) string {
	for tok := range p.Tokens() {
		for _, f := range fields {
			if tok == f {
				return f
			}
		}
		return ""
	}
	return ""
}
