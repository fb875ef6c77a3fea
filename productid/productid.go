// Package productid holds the rules for product IDs that people type, on top of the
// log's own rule (domain.ParseProductID): Unicode normalisation to NFC, refusal of
// invisible, compatibility and mixed-script IDs, and the folding that tells which existing
// product a new ID looks like.
//
// It is a package of its own, not part of domain, because it needs
// golang.org/x/text/unicode/norm and domain imports only the standard library; and the
// log's rule must not change, so IDs already in the log stay valid there whatever these
// rules say. Every front end (sell and restock arguments, import rows, the web form and
// JSON API) parses product IDs through Parse before they reach the domain.
package productid

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/stockctl/stockctl/domain"
)

// Parse normalises s to NFC and checks it by the log's rule and the input rules: no
// invisible or blank-looking character, no compatibility form (full-width letters,
// ligatures, superscripts), and no mix of scripts whose letters look alike (Latin with
// Cyrillic or Greek). Its errors match domain.ErrInvalidProduct.
func Parse(s string) (domain.ProductID, error) {
	if utf8.ValidString(s) {
		// Composing first, so that the length limit counts what is kept.
		s = norm.NFC.String(s)
	}
	p, err := domain.ParseProductID(s)
	if err != nil {
		return p, err
	}
	if err := check(p.String()); err != nil {
		return domain.ProductID{}, fmt.Errorf("%w: %q %v", domain.ErrInvalidProduct, p.String(), err)
	}
	return p, nil
}

// check applies the input rules to an NFC string that passed the log's rule.
func check(s string) error {
	pos := 0
	for _, r := range s {
		pos++
		if Invisible(r) {
			return fmt.Errorf("has the invisible or blank character %U at position %d; remove it", r, pos)
		}
	}
	if k := norm.NFKC.String(s); k != s {
		return fmt.Errorf("uses compatibility characters (full-width or styled letters and digits, ligatures, superscripts); use %q", k)
	}
	if mixed := mixedScripts(s); mixed != "" {
		return fmt.Errorf("%s; write it in one script", mixed)
	}
	return nil
}

// Invisible reports whether r shows as nothing or as a blank: default-ignorable code
// points (format characters, variation selectors, Hangul fillers, the combining grapheme
// joiner) and blank symbols such as the braille blank. Two IDs differing only by such a
// character cannot be told apart on screen.
func Invisible(r rune) bool {
	switch r {
	case '\u2800', // BRAILLE PATTERN BLANK
		'\u3000', '\u00a0', '\u1680', // spaces other than U+0020, in case the log's rule lets one through
		'\uffa0', '\u3164', '\u115f', '\u1160', // Hangul fillers (also Other_Default_Ignorable)
		'\u00ad': // SOFT HYPHEN
		return true
	}
	return unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) ||
		unicode.Is(unicode.Variation_Selector, r) ||
		(unicode.In(r, unicode.Cf) && !unicode.Is(unicode.Prepended_Concatenation_Mark, r)) ||
		(unicode.IsSpace(r) && r != ' ')
}

// mixedScripts describes how s mixes scripts that look alike, or returns "". In the
// spirit of UTS #39's mixed-script confusable check, an ID is refused when it holds a
// letter that looks like a Latin one (Cyrillic Р, Greek Ο: see latin) together with a
// letter of another script: "РRO1" passes for "PRO1". Letters of other scripts that look
// like no Latin letter (Ω in "Café-Ω", Japanese beside Latin) are kept, and so is an ID
// wholly in Cyrillic or Greek, which the look-alike index compares with existing ones.
func mixedScripts(s string) string {
	var lookAlike rune
	var lookScript *unicode.RangeTable
	var scripts []*unicode.RangeTable
	for _, r := range s {
		if !unicode.IsLetter(r) {
			continue
		}
		t := scriptOf(r)
		if t == nil {
			continue
		}
		if !slices.Contains(scripts, t) {
			scripts = append(scripts, t)
		}
		if _, ok := latin[r]; ok && t != unicode.Latin && lookAlike == 0 {
			lookAlike, lookScript = r, t
		}
	}
	if lookAlike == 0 || len(scripts) < 2 {
		return ""
	}
	names := make([]string, 0, len(scripts))
	for _, t := range scripts {
		names = append(names, scriptName(t))
	}
	slices.Sort(names)
	return fmt.Sprintf("mixes %s letters: %s %q (%U) looks like Latin %q", strings.Join(names, " and "),
		scriptName(lookScript), string(lookAlike), lookAlike, string(latin[lookAlike]))
}

// commonScripts are tried first: they hold nearly every letter seen in product IDs.
var commonScripts = []*unicode.RangeTable{unicode.Latin, unicode.Cyrillic, unicode.Greek,
	unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul}

// scriptOf returns r's script, or nil for Common and Inherited (shared by all scripts).
func scriptOf(r rune) *unicode.RangeTable {
	for _, t := range commonScripts {
		if unicode.Is(t, r) {
			return t
		}
	}
	if unicode.Is(unicode.Common, r) || unicode.Is(unicode.Inherited, r) {
		return nil
	}
	for _, t := range unicode.Scripts {
		if unicode.Is(t, r) {
			return t
		}
	}
	return nil
}

func scriptName(t *unicode.RangeTable) string {
	for name, s := range unicode.Scripts {
		if s == t {
			return name
		}
	}
	return "unknown"
}

// Lookup parses an ID that names a product to look up (stock, history): normalised to
// NFC like Parse, so that "Café" typed decomposed finds the product, but checked only by
// the log's rule, so that a product recorded before these input rules stays reachable.
func Lookup(s string) (domain.ProductID, error) {
	if utf8.ValidString(s) {
		s = norm.NFC.String(s)
	}
	return domain.ParseProductID(s)
}

// Quote quotes id for a message like %q, but with every non-ASCII character escaped
// when id is not in NFC or holds an invisible character: such an ID, recorded before
// these rules, would otherwise print exactly like the one it is confused with.
func Quote(id string) string {
	if norm.NFC.IsNormalString(id) && !strings.ContainsFunc(id, Invisible) {
		return strconv.Quote(id)
	}
	return strconv.QuoteToASCII(id)
}
