package reports_test

import (
	"math"
	"testing"

	"golang.org/x/text/language"

	"github.com/stockctl/stockctl/reports"
)

func TestNumbersForLanguages(t *testing.T) {
	for _, tc := range []struct {
		tag         string
		count       int64
		units, want string
		cents       int64
	}{
		{"en", 2870295, "2,870,295", "2,629,500.25", 262950025},
		{"en-US", 1000, "1,000", "1,000.50", 100050},
		{"de", 2870295, "2.870.295", "2.629.500,25", 262950025},
		{"fr", 1234, "1\u00a0234", "1\u00a0234,05", 123405},
		{"de-CH", 1234, "1’234", "1’234.05", 123405},
		{"es-MX", 1234, "1,234", "1,234.05", 123405},
	} {
		t.Run(tc.tag, func(t *testing.T) {
			n := reports.NumbersFor(language.MustParse(tc.tag))
			if got := n.Count(tc.count); got != tc.units {
				t.Errorf("Count(%d) = %q, want %q", tc.count, got, tc.units)
			}
			if got := n.Units(tc.cents); got != tc.want {
				t.Errorf("Units(%d) = %q, want %q", tc.cents, got, tc.want)
			}
		})
	}
}

func TestNumbersEdges(t *testing.T) {
	n := reports.English
	for _, tc := range []struct {
		cents       int64
		units, fixd string
	}{
		{0, "0", "0.00"},
		{5, "0.05", "0.05"},
		{-5, "-0.05", "-0.05"},
		{99999, "999.99", "999.99"},
		{100000, "1,000", "1,000.00"},
		{-123456789, "-1,234,567.89", "-1,234,567.89"},
		{math.MaxInt64 / 100 * 100, "92,233,720,368,547,758", "92,233,720,368,547,758.00"},
	} {
		if got := n.Units(tc.cents); got != tc.units {
			t.Errorf("Units(%d) = %q, want %q", tc.cents, got, tc.units)
		}
		if got := n.Fixed(tc.cents); got != tc.fixd {
			t.Errorf("Fixed(%d) = %q, want %q", tc.cents, got, tc.fixd)
		}
	}
	if got := (reports.Numbers{}).Count(1234); got != "1,234" {
		t.Errorf("zero Numbers: %q, want English", got)
	}
}
