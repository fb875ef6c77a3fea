package productid_test

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/productid"
)

const (
	cafeNFC = "Caf\u00e9"  // é as one code point
	cafeNFD = "Cafe\u0301" // e and a combining acute accent
)

func TestParseAccepts(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "P1", "P1"},
		{"trimmed", "  P1 ", "P1"},
		{"NFC stays", cafeNFC, cafeNFC},
		{"NFD is composed to NFC", cafeNFD, cafeNFC},
		{"NFD inside a longer ID", "Cre\u0300me bru\u0302le\u0301e", "Crème brûlée"},
		{"wholly Cyrillic", "Р1", "Р1"},
		{"wholly Greek", "Ρ1", "Ρ1"},
		{"Cyrillic word", "Кофе 250г", "Кофе 250г"},
		{"Chinese", "商品1", "商品1"},
		{"Japanese with Latin", "ABCカタカナ漢字ひらがな", "ABCカタカナ漢字ひらがな"},
		{"Korean with Latin", "A1 한국어", "A1 한국어"},
		{"Arabic with Latin digits and letters", "قهوة-XL", "قهوة-XL"},
		{"emoji and punctuation", "Café ☕ 10%", "Café ☕ 10%"},
		{"Latin with a Greek letter that looks like no Latin one", "Café-Ω", "Café-Ω"},
		{"ohm sign is Greek omega in NFC", "100Ω", "100Ω"},
		{"Latin with Greek mu", "Cap 10μF", "Cap 10μF"},
		{"SQL-looking text", "'; DROP TABLE operations; --", "'; DROP TABLE operations; --"},
		{"64 characters after composing 128 code points", strings.Repeat("e\u0301", 64), strings.Repeat("é", 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := productid.Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if p.String() != tt.want {
				t.Errorf("Parse(%q) = %q, want %q", tt.in, p, tt.want)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct{ name, in, msg string }{
		{"Hangul filler U+3164", "P\u31641", "invisible or blank character U+3164 at position 2"},
		{"Hangul filler alone", "\u3164", "U+3164"},
		{"Hangul choseong filler U+115F", "P\u115f1", "U+115F"},
		{"Hangul jungseong filler U+1160", "P\u11601", "U+1160"},
		{"half-width Hangul filler U+FFA0", "P\uffa01", "U+FFA0"},
		{"braille blank U+2800", "\u2800", "U+2800"},
		{"braille blank inside", "P\u28001", "U+2800"},
		{"variation selector 16", "P1\ufe0f", "U+FE0F"},
		{"variation selector supplement", "P1\U000E0100", "U+E0100"},
		{"Mongolian variation selector", "P\u180b1", "U+180B"},
		{"combining grapheme joiner", "P\u034f1", "U+034F"},
		{"Khmer inherent vowel", "P\u17b41", "U+17B4"},
		{"zero-width space (log rule)", "P\u200b1", "not printable"},
		{"full-width digit", "P\uff11", `use "P1"`},
		{"full-width letters", "\uff30\uff11", `use "P1"`},
		{"ligature", "\ufb01ne", `use "fine"`},
		{"superscript", "P\u00b9", `use "P1"`},
		{"mathematical bold", "\U0001d40f1", `use "P1"`},
		{"Cyrillic Р with Latin letters", "\u0420RO1", `mixes Cyrillic and Latin letters: Cyrillic "Р" (U+0420) looks like Latin "P"; write it in one script`},
		{"micro sign is a compatibility form", "Cap 10\u00b5F", `use "Cap 10μF"`},
		{"Latin with one Cyrillic о", "Pr\u043educt", "mixes Cyrillic and Latin letters"},
		{"Greek Ο with Latin", "P\u039f1", "mixes Greek and Latin letters"},
		{"Greek with Cyrillic", "\u0391\u04101", "mixes Cyrillic and Greek letters"},
		{"Cyrillic word with a Latin size", "Кофе-XL", "mixes Cyrillic and Latin letters"},
		{"empty (log rule)", "  ", "empty"},
		{"invalid UTF-8 (log rule)", "P\xff1", "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := productid.Parse(tt.in)
			if !errors.Is(err, domain.ErrInvalidProduct) {
				t.Fatalf("Parse(%q) = %q, %v; want ErrInvalidProduct", tt.in, p, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Parse(%q) error %q, want it to contain %q", tt.in, err, tt.msg)
			}
			if !p.IsZero() {
				t.Errorf("Parse(%q) returned %q with an error", tt.in, p)
			}
		})
	}
}

func TestFoldAndSkeleton(t *testing.T) {
	tests := []struct {
		name     string
		a, b     string
		fold     bool // Fold(a) == Fold(b)
		skeleton bool // Skeleton(a) == Skeleton(b)
	}{
		{"case", "P1", "p1", true, true},
		{"space inside", "P1", "P 1", true, true},
		{"spaces and tabs", "P1", " P \t1", true, true},
		{"dash", "P1", "P-1", true, true},
		{"en dash", "P1", "P\u20131", true, true},
		{"underscore", "P1", "P_1", true, true},
		{"dot", "P1", "P.1", true, true},
		{"full-width", "P1", "\uff30\uff11", true, true},
		{"NFC and NFD", cafeNFC, cafeNFD, true, true},
		{"NFD and upper case", cafeNFC, "CAFE\u0301", true, true},
		{"Cyrillic Р", "P1", "\u04201", false, true},
		{"Cyrillic р small", "p1", "\u04401", false, true},
		{"Cyrillic capital against Latin small", "p1", "\u04201", false, true},
		{"Greek Ρ", "P1", "\u03a11", false, true},
		{"Cyrillic word that reads Latin", "COKE", "\u0421\u041e\u041a\u0415", false, true},
		{"Greek capital and small eta (case only)", "\u03971", "\u03b71", true, false},
		{"Hangul filler ignored", "P1", "P\u31641", true, true},
		{"braille blank ignored", "P1", "P\u28001", true, true},
		{"variation selector ignored", "P1", "P1\ufe0f", true, true},
		{"accents are not ignored", "Cafe", cafeNFC, false, false},
		{"digits and letters stay apart", "P1", "Pl", false, false},
		{"O and 0 stay apart", "P0", "PO", false, false},
		{"different codes", "P1", "P2", false, false},
		{"Cyrillic В is not Latin b", "\u04121", "b1", false, true},
		{"separators only keep their own key", "---", "...", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := productid.Fold(tt.a) == productid.Fold(tt.b); got != tt.fold {
				t.Errorf("Fold(%q) = %q, Fold(%q) = %q; equal = %v, want %v",
					tt.a, productid.Fold(tt.a), tt.b, productid.Fold(tt.b), got, tt.fold)
			}
			if got := productid.Skeleton(tt.a) == productid.Skeleton(tt.b); got != tt.skeleton {
				t.Errorf("Skeleton(%q) = %q, Skeleton(%q) = %q; equal = %v, want %v",
					tt.a, productid.Skeleton(tt.a), tt.b, productid.Skeleton(tt.b), got, tt.skeleton)
			}
		})
	}
}

func TestIndexLookAlike(t *testing.T) {
	x := productid.NewIndex([]string{"P1", "p1", "Widget", "\u03971"})
	tests := []struct{ id, want string }{
		{"p1", "P1"}, // p1 is indexed too, but P1 came first; an ID never matches itself
		{"P 1", "P1"},
		{"\u04201", "P1"},
		{"\uff30\uff11", "P1"},
		{"WIDGET", "Widget"},
		{"W1dget", ""},
		{"\u03b71", "\u03971"},
		{"P2", ""},
		{"P1", "p1"},
	}
	for _, tt := range tests {
		got, ok := x.LookAlike(tt.id)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("LookAlike(%q) = %q, %v; want %q", tt.id, got, ok, tt.want)
		}
	}
	x.Add("Q7")
	if got, ok := x.LookAlike("q7"); !ok || got != "Q7" {
		t.Errorf("after Add(Q7): LookAlike(q7) = %q, %v", got, ok)
	}
}

// FuzzParse: what Parse accepts is in NFC, passes the log's rule unchanged, and parses
// to itself again; Fold and Skeleton accept anything.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"P1", cafeNFD, "P\uff11", "\u3164", "\u0420RO1", " e\u0301 ", "Café-Ω"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		productid.Fold(s)
		productid.Skeleton(s)
		p, err := productid.Parse(s)
		if err != nil {
			return
		}
		if !norm.NFC.IsNormalString(p.String()) {
			t.Fatalf("Parse(%q) = %q, not NFC", s, p)
		}
		if d, err := domain.ParseProductID(p.String()); err != nil || d != p {
			t.Fatalf("Parse(%q) = %q, which the log's rule reads as %q, %v", s, p, d, err)
		}
		if again, err := productid.Parse(p.String()); err != nil || again != p {
			t.Fatalf("Parse(%q) = %q, but Parse of that = %q, %v", s, p, again, err)
		}
	})
}
