package commands_test

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
)

func TestClassify(t *testing.T) {
	errOwn := errors.New("a front end's own error")
	own := commands.Sentinel{Err: errOwn, Class: commands.Refused}
	tests := []struct {
		name string
		err  error
		want commands.Failure
	}{
		{"insufficient stock", fmt.Errorf("sell: %w", domain.ErrInsufficientStock),
			commands.Failure{Class: commands.Refused, Code: "insufficient_stock", Field: "quantity"}},
		{"overflow", domain.ErrStockOverflow, commands.Failure{Class: commands.Refused, Code: "stock_overflow", Field: "quantity"}},
		{"conflict", commands.ErrConflict, commands.Failure{Class: commands.Refused, Code: "conflict"}},
		{"look-alike", &commands.LookAlikeError{Existing: "P1"},
			commands.Failure{Class: commands.Invalid, Code: "look_alike_product", Field: "product"}},
		{"invalid date", domain.ErrInvalidDate, commands.Failure{Class: commands.Invalid, Code: "invalid_date", Field: "date"}},
		{"key reused", commands.ErrIdempotencyKeyReused,
			commands.Failure{Class: commands.Invalid, Code: "idempotency_key_reused", Field: "idempotency_key"}},
		{"a field error's field wins", &commands.FieldError{Field: "note", Err: commands.ErrInvalidText},
			commands.Failure{Class: commands.Invalid, Code: "invalid_input", Field: "note"}},
		{"outcome unknown, whatever it wraps", &commands.OutcomeUnknownError{Err: domain.ErrInsufficientStock},
			commands.Failure{Class: commands.OutcomeUnknown, Code: "outcome_unknown"}},
		{"interrupted", fmt.Errorf("sell: %w", context.Canceled), commands.Failure{Class: commands.Interrupted, Code: "interrupted"}},
		{"a front end's own, after the write side's", fmt.Errorf("%w: %w", errOwn, domain.ErrInvalidQuantity),
			commands.Failure{Class: commands.Invalid, Code: "invalid_quantity", Field: "quantity"}},
		{"a front end's own, with no code", errOwn, commands.Failure{Class: commands.Refused, Code: "unavailable"}},
		{"named nowhere", errors.New("broker gone"), commands.Failure{Class: commands.Unavailable, Code: "unavailable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := commands.Classify(tt.err, own); got != tt.want {
				t.Errorf("Classify(%v) = %+v, want %+v", tt.err, got, tt.want)
			}
		})
	}
}

func TestResultMessage(t *testing.T) {
	date, _ := domain.ParseBusinessDate("2024-05-02 10:30:00")
	q, _ := domain.ParseQuantity("3")
	stock, _ := domain.ParseQuantity("7")
	p1, _ := domain.ParseProductID("P1")
	sale := commands.Result{Event: domain.Event{Type: domain.TypeStockSold, Product: p1, Quantity: q, BusinessDate: date}, Stock: stock}
	restock := sale
	restock.Event.Type = domain.TypeStockRestocked
	again := sale
	again.AlreadyRecorded = true
	for _, tt := range []struct {
		res  commands.Result
		want string
	}{
		{sale, `sold 3.00 of "P1" on 2024-05-02 10:30:00; stock now 7.00`},
		{restock, `restocked 3.00 of "P1" on 2024-05-02 10:30:00; stock now 7.00`},
		{again, `already recorded: sold 3.00 of "P1" on 2024-05-02 10:30:00 (stock after it: 7.00)`},
	} {
		if got := tt.res.Message(); got != tt.want {
			t.Errorf("Message() = %q, want %q", got, tt.want)
		}
	}
}

func TestKindWords(t *testing.T) {
	for _, kind := range []domain.EventType{domain.TypeStockSold, domain.TypeStockRestocked} {
		w := commands.WordsFor(kind)
		for _, word := range []string{w.Noun, w.Verb, " " + strings.ToUpper(w.Noun) + " "} {
			if got, ok := commands.KindNamed(word); !ok || got != kind {
				t.Errorf("KindNamed(%q) = %q, %v; want %q", word, got, ok, kind)
			}
		}
	}
	if _, ok := commands.KindNamed("transfer"); ok {
		t.Error(`KindNamed("transfer") named a kind`)
	}
}

// TestFrontEndsSpeakThisLanguage: the CLI and the web say what an operation kind is
// called, report a recorded operation and name an error only through commands: none of
// their string literals spells a kind's word, the sentence, or a write-side error code
// (the web's "interrupted" for a request out of time is its own).
func TestFrontEndsSpeakThisLanguage(t *testing.T) {
	words := map[string]bool{"sale": true, "sold": true, "restocked": true, "Sold": true, "Restocked": true,
		"outcome_unknown": true, "look_alike_product": true, "invalid_product": true, "invalid_quantity": true,
		"invalid_date": true, "idempotency_key_reused": true, "invalid_input": true, "insufficient_stock": true,
		"stock_overflow": true, "conflict": true, "stock_column_differs": true}
	sentences := []string{"already recorded: ", "of %q on %s; stock now"}
	for _, dir := range []string{"../web", "../cmd/stockctl"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, _ := strconv.Unquote(lit.Value)
				if words[s] {
					t.Errorf("%s: %q is commands' word: use commands.WordsFor or commands.Classify", path, s)
				}
				for _, sentence := range sentences {
					if strings.Contains(s, sentence) {
						t.Errorf("%s: %q spells commands' sentence: use Result.Message", path, s)
					}
				}
				return true
			})
		}
	}
}
