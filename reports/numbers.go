package reports

import (
	"math"
	"strconv"
	"strings"

	"golang.org/x/text/language"
	xmessage "golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Numbers writes numbers for people to read: with thousands separators, in a language's
// symbols. Files meant for programs (CSV, JSON) never use it.
type Numbers struct {
	Group   string // between groups of three digits: "," in English, "." in German
	Decimal string // before the hundredths: "." in English, "," in German
}

// English writes 1,234.5; it is what a report written to a file uses.
var English = Numbers{Group: ",", Decimal: "."}

// NumbersFor returns how the language writes numbers, from the CLDR data in
// golang.org/x/text: 1,234.5 in en, 1.234,5 in de, 1 234,5 in fr (with a no-break
// space), 1’234.5 in de-CH.
func NumbersFor(tag language.Tag) Numbers {
	s := xmessage.NewPrinter(tag).Sprint(number.Decimal(1234.5, number.MinFractionDigits(1)))
	digits := func(r rune) bool { return r >= '0' && r <= '9' }
	// s is "1" GROUP "234" DECIMAL "5"; a language may write other digits (Arabic), in
	// which case the English symbols are kept.
	i := strings.IndexFunc(s, func(r rune) bool { return !digits(r) })
	if i != 1 || !strings.HasSuffix(s, "5") {
		return English
	}
	rest := s[i:]
	j := strings.IndexFunc(rest, digits)
	k := strings.LastIndexFunc(rest[:len(rest)-1], digits)
	if j <= 0 || k < 0 || rest[j:k+1] != "234" {
		return English
	}
	n := Numbers{Group: rest[:j], Decimal: rest[k+1 : len(rest)-1]}
	if n.Decimal == "" || n.Decimal == n.Group {
		return English
	}
	return n
}

// Count writes a whole number: 1,234,567.
func (n Numbers) Count(v int64) string {
	if n.Group == "" {
		n = English
	}
	s := strconv.FormatInt(v, 10)
	sign := ""
	if v < 0 {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, d := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(n.Group)
		}
		b.WriteRune(d)
	}
	return b.String()
}

// Units writes a quantity held in hundredths as people read it: 2,629,500.25, or
// 2,870,295 when it is whole. A table of quantities that must line up uses Fixed.
func (n Numbers) Units(cents int64) string {
	if cents%100 == 0 {
		return n.Count(cents / 100)
	}
	return n.Fixed(cents)
}

// Fixed writes a quantity in hundredths with both decimals: 2,870,295.00.
func (n Numbers) Fixed(cents int64) string {
	if n.Group == "" {
		n = English
	}
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return sign + n.Count(cents/100) + n.Decimal + strconv.FormatInt(cents%100/10, 10) + strconv.FormatInt(cents%10, 10)
}

// Tenths writes a figure to a tenth, always with its tenths, so that a column of them
// lines up: 4.7, 16.0, 1,204.3.
func (n Numbers) Tenths(v float64) string {
	if n.Group == "" {
		n = English
	}
	t := int64(math.Round(v * 10))
	sign := ""
	if t < 0 {
		sign, t = "-", -t
	}
	return sign + n.Count(t/10) + n.Decimal + strconv.FormatInt(t%10, 10)
}
