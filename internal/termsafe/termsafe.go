// Package termsafe escapes text that stockctl prints so that no byte read from the log
// (a note or operator written by another Kafka producer, say) can drive the terminal:
// clear the screen, set the title, ring the bell, move the cursor back over a line, or
// reorder a line with a bidi override.
//
// The rule, the same everywhere: every character that is not graphic (Unicode letters,
// marks, numbers, punctuation, symbols and spaces) is shown as its Go escape: \n, \r,
// \t, \x1b, \x7f, \u202e, \U000e0001; a byte that is not UTF-8 as \xff. In a cell of
// text (Cell) a backslash is doubled, so an escape can always be told from the same
// characters typed in a note. Messages (Writer) keep their newlines and tabs and their
// backslashes: the values they quote are already Go-quoted.
package termsafe

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// unsafe reports whether r must be escaped: anything not graphic (controls C0 and C1,
// DEL, format characters such as the bidi overrides and zero-width joiners, line and
// paragraph separators, private use and unassigned code points).
func unsafe(r rune) bool {
	return !unicode.IsGraphic(r)
}

// Cell returns s with every unsafe character and every backslash escaped, for one cell
// of a table or a CSV file: the result holds no control, format or bidi character, no
// newline and no tab.
func Cell(s string) string {
	if isPlain(s) {
		return s
	}
	return escape(s, true)
}

// escape writes s with its unsafe characters escaped; for a cell, newline, tab and
// backslash too.
func escape(s string, cell bool) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case cell && r == '\\':
			b.WriteString(`\\`)
		case unsafe(r) && (cell || r != '\n' && r != '\t'):
			writeEscape(&b, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// isPlain reports whether s is printable ASCII without a backslash, the common case.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

// isPlainText reports whether s is printable ASCII, newlines and tabs.
func isPlainText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f {
			return false
		}
	}
	return true
}

func writeEscape(b *strings.Builder, r rune) {
	switch {
	case r == '\n':
		b.WriteString(`\n`)
	case r == '\r':
		b.WriteString(`\r`)
	case r == '\t':
		b.WriteString(`\t`)
	case r < 0x80:
		fmt.Fprintf(b, `\x%02x`, r)
	case r <= 0xFFFF:
		fmt.Fprintf(b, `\u%04x`, r)
	default:
		fmt.Fprintf(b, `\U%08x`, r)
	}
}

// Message returns s with every unsafe character but newline and tab escaped, for text
// that stockctl writes as prose: summaries, warnings, error messages.
func Message(s string) string {
	if isPlainText(s) {
		return s
	}
	return escape(s, false)
}

// JSON returns encoding/json output with the characters it leaves raw but a terminal
// would act on (DEL, C1 controls, bidi and other format characters) written as \u
// escapes: the same JSON value, safe to print. Outside strings JSON is ASCII, so every
// such character is inside a string, where \u is valid.
func JSON(b []byte) []byte {
	if !bytes.ContainsFunc(b, func(r rune) bool { return r >= 0x7f && unsafe(r) }) {
		return b
	}
	var out bytes.Buffer
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r >= 0x7f && unsafe(r) && !(r == utf8.RuneError && n == 1) {
			if r > 0xFFFF {
				hi, lo := utf16.EncodeRune(r)
				fmt.Fprintf(&out, `\u%04x\u%04x`, hi, lo)
			} else {
				fmt.Fprintf(&out, `\u%04x`, r)
			}
		} else {
			out.Write(b[i : i+n])
		}
		i += n
	}
	return out.Bytes()
}

// Writer escapes, as Message does, everything written through it to an underlying
// writer. A character split across two writes is put back together first.
type Writer struct {
	w    io.Writer
	tail []byte // the start of a character whose end has not been written yet
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write escapes p and writes it; it returns len(p) when the escaped text was written.
func (w *Writer) Write(p []byte) (int, error) {
	buf := append(w.tail, p...)
	w.tail = nil
	// Hold back an incomplete character at the end, at most three bytes of one.
	cut := len(buf)
	for k := 1; k <= 3 && k <= len(buf); k++ {
		if c := buf[len(buf)-k]; utf8.RuneStart(c) {
			if !utf8.FullRune(buf[len(buf)-k:]) {
				cut = len(buf) - k
			}
			break
		}
	}
	w.tail = append([]byte(nil), buf[cut:]...)
	if _, err := io.WriteString(w.w, Message(string(buf[:cut]))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what is held back of an incomplete character, escaped.
func (w *Writer) Flush() error {
	if len(w.tail) == 0 {
		return nil
	}
	t := w.tail
	w.tail = nil
	_, err := io.WriteString(w.w, Message(string(t)))
	return err
}

// Raw returns the writer under w if w is a Writer, else w itself: for output that must
// reach it byte for byte (the export file) or a check of whether it is a terminal.
func Raw(w io.Writer) io.Writer {
	if sw, ok := w.(*Writer); ok {
		return sw.w
	}
	return w
}
