package web

import (
	"testing"

	"golang.org/x/text/language"

	"github.com/stockctl/stockctl/reports"
)

// TestFormQuantity: a quantity typed as the pages write it, with the language's
// thousands separators, is read; what the CLI would refuse is passed on unchanged.
func TestFormQuantity(t *testing.T) {
	de, en, fr := reports.NumbersFor(language.German), reports.English, reports.NumbersFor(language.French)
	for _, tc := range []struct {
		typed string
		n     reports.Numbers
		want  string
	}{
		{"1.424,09", de, "1424.09"},
		{"1.424", de, "1424"},
		{"12,5", de, "12.5"},
		{" 12,5 ", de, "12.5"},
		{"1,424.09", en, "1424.09"},
		{"1,424", en, "1424"},
		{"12.5", en, "12.5"},
		{"1\u00a0234,5", fr, "1234.5"},
		{"12,5", en, "12,5"},             // the CLI refuses it with its message
		{"1.234,5", en, "1.234,5"},       // likewise
		{"1,2,3", de, "1,2,3"},           // not a grouping
		{"1.23,5", de, "1.23,5"},         // a group of two
		{"12.345.6", de, "12.345.6"},     // no group of three at the end
		{"1234.567,5", de, "1234.567,5"}, // a first group of four
	} {
		if got := formQuantity(tc.typed, tc.n); got != tc.want {
			t.Errorf("%q with %+v: %q, want %q", tc.typed, tc.n, got, tc.want)
		}
	}
}
