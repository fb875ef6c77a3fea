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

// formQuantity reads a quantity typed in the form. In a decimal-comma locale, "12,5"
// (one comma, no dot) means 12.5; anything else goes to the CLI's rules unchanged, which
// refuse "1.234,5" and, in a decimal-dot locale, "12,5" with the CLI's message.
func formQuantity(typed string, comma bool) string {
	q := strings.TrimSpace(typed)
	if comma && strings.Count(q, ",") == 1 && !strings.Contains(q, ".") {
		return strings.Replace(q, ",", ".", 1)
	}
	return typed
}
