package ledgercsv

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/stockctl/stockctl/domain"
)

// Writer writes operations in the original format: UTF-8 with a byte-order mark, CRLF
// line ends, ';' separators, dd/mm/yyyy dates (with the time when it is not midnight),
// signed quantities and the stock after each operation. A product ID that a spreadsheet
// would read as a formula is neutralised (see Neutralise).
type Writer struct {
	w       *bufio.Writer
	started bool
	// DecimalComma writes decimals with a comma (12,50), as French-style files do.
	DecimalComma bool
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: bufio.NewWriter(w)} }

// Write writes one operation; the header comes before the first.
func (w *Writer) Write(date time.Time, product string, signedCents, stockCents int64) error {
	if !w.started {
		w.started = true
		w.w.WriteString("\uFEFF" + strings.Join(Header, ";") + "\r\n")
	}
	d := date.Format(DateLayout)
	if h, m, s := date.Clock(); h != 0 || m != 0 || s != 0 {
		d = date.Format(DateLayout + " 15:04:05")
	}
	qty, stock := amount(signedCents), amount(stockCents)
	if w.DecimalComma {
		qty, stock = toDecimalComma(qty), toDecimalComma(stock)
	}
	_, err := fmt.Fprintf(w.w, "%s;%s;%s;%s\r\n", d, quote(Neutralise(product)), qty, stock)
	return err
}

// Flush writes what is buffered; with nothing written it writes the header alone.
func (w *Writer) Flush() error {
	if !w.started {
		w.started = true
		w.w.WriteString("\uFEFF" + strings.Join(Header, ";") + "\r\n")
	}
	return w.w.Flush()
}

// amount writes hundredths as the original file does: whole numbers without decimals.
func amount(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	if cents%100 == 0 {
		return fmt.Sprintf("%s%d", sign, cents/100)
	}
	q, _ := domain.QuantityFromCents(cents)
	return sign + q.String()
}

// quote quotes a product ID that holds the separator or a quote, as CSV does.
func quote(s string) string {
	if strings.ContainsAny(s, ";\"\r\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
