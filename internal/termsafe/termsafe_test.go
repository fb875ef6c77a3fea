package termsafe_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stockctl/stockctl/internal/termsafe"
)

// hostile holds what another producer can put in a note to drive a terminal.
var hostile = []string{
	"\x1b[2J\x1b[H",             // clear the screen, cursor home
	"\x1b]0;pwned\x07",          // OSC: set the window title, then BEL
	"ok\rforged",                // carriage return: overwrite the line
	"line\nforged line",         // a forged second line
	"abc\u202edcba",             // right-to-left override
	"\u2066iso\u2069\u200b",     // isolates and a zero-width space
	"\u009b2J",                  // C1 CSI, ESC[ on 8-bit terminals
	"\x7fdel",                   // DEL
	"bad \xff\xfe utf8",         // not UTF-8
	"tag \U000e0041 \U000f0000", // tag character, private use
	"para\u2028sep\u2029",       // line and paragraph separators
	"tab\there",                 // a tab breaks table columns
	`back\x1b[2J` + "\\",        // text that looks like an escape
	"Café ☕ 10% ",               // harmless, kept as is
}

// live reports whether s holds a character a terminal could act on.
func live(s string, keepNewline bool) bool {
	for i, r := range s {
		if r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") {
			return true
		}
		if keepNewline && (r == '\n' || r == '\t') {
			continue
		}
		if !unicode.IsGraphic(r) {
			return true
		}
	}
	return false
}

func TestCellEscapesEveryLiveCharacter(t *testing.T) {
	seen := map[string]string{}
	for _, s := range hostile {
		got := termsafe.Cell(s)
		if live(got, false) {
			t.Errorf("Cell(%q) = %q: still live", s, got)
		}
		if prev, ok := seen[got]; ok {
			t.Errorf("Cell(%q) = Cell(%q) = %q: ambiguous", s, prev, got)
		}
		seen[got] = s
	}
	for in, want := range map[string]string{
		"\x1b[2J":    `\x1b[2J`,
		"a\u202eb":   `a\u202eb`,
		"a\nb\rc\td": `a\nb\rc\td`,
		`a\x1b`:      `a\\x1b`,
		"\xff":       `\xff`,
		"\U000e0041": `\U000e0041`,
		"Café ☕ 10%": "Café ☕ 10%",
		"P1":         "P1",
		"\u00a0nbsp": "\u00a0nbsp",
	} {
		if got := termsafe.Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMessageKeepsNewlines(t *testing.T) {
	for _, s := range hostile {
		if got := termsafe.Message(s); live(got, true) {
			t.Errorf("Message(%q) = %q: still live", s, got)
		}
	}
	if got := termsafe.Message("a\nb \"P\\x01\"\x1b"); got != "a\nb \"P\\x01\"\\x1b" {
		t.Errorf("Message = %q", got)
	}
}

func TestJSONStaysTheSameValue(t *testing.T) {
	for _, s := range hostile {
		b, _ := json.Marshal(map[string]string{"note": s})
		got := termsafe.JSON(b)
		if live(string(got), false) {
			t.Errorf("JSON(%s) = %s: still live", b, got)
		}
		var back, want map[string]string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("JSON(%s) = %s: not JSON: %v", b, got, err)
		}
		json.Unmarshal(b, &want)
		if back["note"] != want["note"] {
			t.Errorf("JSON changed the value: %q, want %q", back["note"], want["note"])
		}
	}
}

// TestWriterJoinsSplitCharacters: a character cut between two writes (a bufio buffer
// boundary) is written whole, not escaped as two broken halves.
func TestWriterJoinsSplitCharacters(t *testing.T) {
	var out bytes.Buffer
	w := termsafe.NewWriter(&out)
	in := []byte("é☕\u202e\x1b[2J\n")
	for i := range in {
		if n, err := w.Write(in[i : i+1]); n != 1 || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	w.Write([]byte{0xe2, 0x98}) // an incomplete last character
	w.Flush()
	if got, want := out.String(), "é☕\\u202e\\x1b[2J\n\\xe2\\x98"; got != want {
		t.Fatalf("written %q, want %q", got, want)
	}
	if termsafe.Raw(w) != &out || termsafe.Raw(&out) != &out {
		t.Fatal("Raw does not unwrap")
	}
}

// FuzzEscape: whatever the text, Cell and Message leave nothing live, and JSON keeps
// the value.
func FuzzEscape(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := termsafe.Cell(s); live(got, false) {
			t.Fatalf("Cell(%q) = %q", s, got)
		}
		if got := termsafe.Message(s); live(got, true) {
			t.Fatalf("Message(%q) = %q", s, got)
		}
		b, _ := json.Marshal(s)
		var back, want string
		json.Unmarshal(b, &want)
		if err := json.Unmarshal(termsafe.JSON(b), &back); err != nil || back != want || live(string(termsafe.JSON(b)), false) {
			t.Fatalf("JSON(%s) = %s: %v", b, termsafe.JSON(b), err)
		}
	})
}
