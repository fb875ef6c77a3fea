package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/stockctl/stockctl/commands"
)

// apiError is the body of every API error: {"error": {...}}.
type apiError struct {
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field names the input the error is about, when it is about one.
	Field string `json:"field,omitempty"`
}

func writeError(w http.ResponseWriter, status int, e apiError) {
	e.Status = status
	writeJSON(w, status, map[string]apiError{"error": e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// webErrors classifies what only the web says: a bad "type", and a request that ran out
// of time, which the web calls interrupted as it does a cancelled one.
var webErrors = []commands.Sentinel{
	{Err: errInvalidType, Class: commands.Invalid, Code: "invalid_type", Field: "type"},
	{Err: context.DeadlineExceeded, Class: commands.Interrupted, Code: "interrupted"},
}

// classify says what an error from validation or a command handler is, and its class's
// HTTP status, which matches the CLI's exit code (2 → 400, 1 → 409, 3 and 4 → 503).
func classify(err error) (int, commands.Failure) {
	f := commands.Classify(err, append(webErrors, repairErrors...)...)
	return statusOf[f.Class], f
}

// statusOf is each class's HTTP status. Everything that is not the caller's to fix is
// 503: the broker or the read model failing, as the CLI's exit 3; a write whose outcome
// is unknown, as its exit 4 (retrying with the same Idempotency-Key is safe); and an
// interrupted request.
var statusOf = map[commands.Class]int{
	commands.Refused:        http.StatusConflict,
	commands.Invalid:        http.StatusBadRequest,
	commands.Unavailable:    http.StatusServiceUnavailable,
	commands.OutcomeUnknown: http.StatusServiceUnavailable,
	commands.Interrupted:    http.StatusServiceUnavailable,
}

// lookAlikeHint is err's message, where a look-alike product's refusal names the web's
// way to create it instead of the CLI's --new-product flag.
func lookAlikeHint(err error, how string) string {
	msg := err.Error()
	if errors.Is(err, commands.ErrLookAlike) {
		msg = strings.Replace(msg, "Add --new-product", strings.ToUpper(how[:1])+how[1:], 1)
	}
	return msg
}
