package web

import (
	"net/http"
	"strings"

	"golang.org/x/text/language"
	xmessage "golang.org/x/text/message"
	"golang.org/x/text/number"

	"github.com/stockctl/stockctl/reports"
)

// decimalComma reports whether the browser's first language (Accept-Language, which a
// browser fills from the same setting as navigator.language) writes 1.5 as "1,5". The
// CLDR data in golang.org/x/text decides, region included: de and de-AT use a comma,
// de-CH a dot, en-DE a comma, en and es-MX a dot.
func decimalComma(r *http.Request) bool {
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return false
	}
	return xmessage.NewPrinter(tags[0]).Sprint(number.Decimal(1.5)) == "1,5"
}

// numbers is how the browser's first language writes numbers, for what the pages show.
func numbers(r *http.Request) reports.Numbers {
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return reports.English
	}
	return reports.NumbersFor(tags[0])
}

// formQuantity reads a quantity typed in the form as the browser's language writes it
// (n): "1.424,09" in German and "1,424.09" in English, as the pages show quantities, mean
// 1424.09, and in a decimal-comma language "12,5" (one comma, no dot) means 12.5.
// Anything else goes to the CLI's rules unchanged, which refuse it with the CLI's
// message: "1.234,5" in English, "12,5" in English, "1,2,3" anywhere.
func formQuantity(typed string, n reports.Numbers) string {
	q := strings.TrimSpace(typed)
	if whole, frac, ok := grouped(q, n); ok {
		return whole + frac
	}
	if n.Decimal == "," && strings.Count(q, ",") == 1 && !strings.Contains(q, ".") {
		return strings.Replace(q, ",", ".", 1)
	}
	return typed
}

// grouped reads digits written with n's thousands separators, groups of three after
// a first group of one to three digits, and optionally n's decimal separator and digits:
// the integer part without separators, and ".DIGITS".
func grouped(q string, n reports.Numbers) (whole, frac string, ok bool) {
	if n.Group == "" || !strings.Contains(q, n.Group) {
		return "", "", false
	}
	intPart, fracPart, hasFrac := strings.Cut(q, n.Decimal)
	groups := strings.Split(intPart, n.Group)
	digits := func(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }
	if len(groups[0]) > 3 || !digits(groups[0]) || (hasFrac && !digits(fracPart)) {
		return "", "", false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 || !digits(g) {
			return "", "", false
		}
	}
	if hasFrac {
		frac = "." + fracPart
	}
	return strings.Join(groups, ""), frac, true
}
