package ledgercsv

import "strings"

// A spreadsheet takes a cell that starts with =, +, -, @, a tab or a carriage return
// as a formula (=HYPERLINK(…) sends the reader's data away). OWASP's rule neutralises
// such a cell with a leading single quote, which spreadsheets hide and read as "text".
// To keep export then import exact, a text that already starts with a quote followed by
// one of those characters or by another quote gets one more quote, and Unneutralise
// removes exactly one: '=X is written ''=X and read back '=X, and a file typed by hand
// with '=X holds the product =X, as a spreadsheet would show it.

// formulaStart reports whether a cell starting with c is read as a formula.
func formulaStart(c byte) bool {
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'
}

// Neutralise returns text cell s so that no spreadsheet reads it as a formula. Numbers
// are not text cells: a signed quantity stays a number.
func Neutralise(s string) string {
	if s == "" {
		return s
	}
	if formulaStart(s[0]) || (s[0] == '\'' && len(s) > 1 && (formulaStart(s[1]) || s[1] == '\'')) {
		return "'" + s
	}
	return s
}

// Unneutralise undoes Neutralise: it removes the quote Neutralise adds.
func Unneutralise(s string) string {
	if len(s) > 1 && s[0] == '\'' && (formulaStart(s[1]) || s[1] == '\'') {
		return s[1:]
	}
	return s
}

// toDecimalComma writes a decimal with a comma: 12.50 becomes 12,50.
func toDecimalComma(s string) string { return strings.Replace(s, ".", ",", 1) }
