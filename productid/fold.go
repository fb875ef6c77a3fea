package productid

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns the key under which IDs that differ only in case, white space, dashes,
// underscores, dots or Unicode compatibility forms (NFKC) are equal: "P1", "p1", "P 1",
// "P-1" and "P１" all fold to "p1".
func Fold(id string) string { f, _ := foldKeys(id); return f }

// Skeleton returns the key under which IDs that look alike are equal: Fold's key after
// replacing Cyrillic, Greek and a few other letters by the Latin letters they look like,
// in the spirit of UTS #39's skeletons (restricted to letters, so that "P1" and "Pl" stay
// apart). Cyrillic "Р1" and Latin "P1" have the same skeleton.
func Skeleton(id string) string { _, s := foldKeys(id); return s }

// foldKeys returns Fold's and Skeleton's keys in one pass.
func foldKeys(id string) (fold, skeleton string) {
	// NFKD splits accented letters, so that Cyrillic "Ё" maps like its base letter "Е".
	d := norm.NFKD.String(id)
	var f, s strings.Builder
	f.Grow(len(d))
	s.Grow(len(d))
	for _, r := range d {
		if r < utf8.RuneSelf {
			// Most IDs are ASCII: no table to look up.
			if r == ' ' || r == '-' || r == '_' || r == '.' || r == '\t' {
				continue
			}
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			f.WriteByte(byte(r))
			s.WriteByte(byte(r))
			continue
		}
		if ignored(r) {
			continue
		}
		f.WriteRune(unicode.ToLower(unicode.ToUpper(r)))
		if l, ok := latin[r]; ok {
			r = l
		}
		s.WriteRune(unicode.ToLower(unicode.ToUpper(r)))
	}
	if f.Len() == 0 {
		// An ID made only of separators still has a key of its own.
		return strings.ToLower(d), strings.ToLower(d)
	}
	return f.String(), s.String()
}

// ignored reports whether r is left out of a key: white space and separators that people
// add or drop in a product code (P 1, P-1, P_1, P.1), and invisible characters.
func ignored(r rune) bool {
	return unicode.IsSpace(r) || unicode.In(r, unicode.Pd, unicode.Pc) || r == '.' || Invisible(r)
}

// latin maps letters to the Latin letters they look like: a subset of UTS #39's
// confusables.txt for the scripts whose letters pass for Latin ones, upper and lower case.
var latin = map[rune]rune{
	// Cyrillic capitals.
	'А': 'A', 'В': 'B', 'Е': 'E', 'Ѕ': 'S', 'І': 'I', 'Ј': 'J', 'К': 'K', 'М': 'M', 'Н': 'H',
	'О': 'O', 'Р': 'P', 'С': 'C', 'Т': 'T', 'Х': 'X', 'У': 'Y', 'Ү': 'Y', 'Ԛ': 'Q', 'Ԝ': 'W',
	'Ӏ': 'I', 'Ꙅ': 'S',
	// Cyrillic small letters.
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'ѕ': 's', 'і': 'i',
	'ј': 'j', 'ԁ': 'd', 'һ': 'h', 'ԛ': 'q', 'ԝ': 'w', 'ӏ': 'l', 'ү': 'y',
	// Greek capitals.
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N',
	'Ο': 'O', 'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X', 'Ϲ': 'C', 'Ϳ': 'J',
	// Greek small letters.
	'α': 'a', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'υ': 'u', 'γ': 'y', 'ϲ': 'c',
	'ϳ': 'j',
	// Latin letters that look like other Latin letters.
	'ı': 'i', 'ȷ': 'j', 'ɡ': 'g',
	// Armenian.
	'օ': 'o', 'ս': 'u', 'հ': 'h', 'ո': 'n', 'զ': 'q', 'Օ': 'O', 'Ս': 'U', 'Տ': 'S',
}

// Index finds, among known product IDs, one that a new ID looks like. It is built once
// per command from the read model's products: a new product is rare, so one pass over a
// few thousand IDs costs less than keeping a folded column in step with the log.
type Index struct {
	keys map[string][]string
}

// NewIndex returns an Index of ids; where several fold together, the first is kept.
func NewIndex(ids []string) *Index {
	x := &Index{keys: make(map[string][]string, 2*len(ids))}
	for _, id := range ids {
		x.Add(id)
	}
	return x
}

// Add indexes id.
func (x *Index) Add(id string) {
	for _, k := range keys(id) {
		// Two IDs per key are enough to answer for either of them.
		if ids := x.keys[k]; len(ids) < 2 && !slices.Contains(ids, id) {
			x.keys[k] = append(ids, id)
		}
	}
}

// LookAlike returns an indexed ID other than id that id looks like.
func (x *Index) LookAlike(id string) (string, bool) {
	for _, k := range keys(id) {
		for _, other := range x.keys[k] {
			if other != id {
				return other, true
			}
		}
	}
	return "", false
}

// keys are both keys of id, kept apart: the skeleton alone would miss case pairs whose
// capital and small letters look like different Latin letters (Greek Η and η).
func keys(id string) [2]string {
	f, s := foldKeys(id)
	return [2]string{"f:" + f, "s:" + s}
}
