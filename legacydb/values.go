package legacydb

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/ledgercsv"
	"github.com/stockctl/stockctl/productid"
)

// cell is one value as SQLite stores it: its storage class (typeof), its size in bytes
// and, when at most maxValueBytes, the value: nil, int64, float64, string or []byte.
type cell struct {
	kind string
	size any
	v    any
}

// rowFrom validates one row of the operations table, cells in the order of columns.
func rowFrom(line int, c [len(columns)]cell) (ledgercsv.Row, error) {
	row := ledgercsv.Row{Line: line}
	var err error
	if row.Date, err = date(c[0]); err != nil {
		return row, err
	}
	if row.Product, err = product(c[1]); err != nil {
		return row, err
	}
	if row.Quantity, err = quantity(c[2]); err != nil {
		return row, err
	}
	if row.Stock, err = stock(c[3]); err != nil {
		return row, err
	}
	if row.Sale, err = sale(c[4]); err != nil {
		return row, err
	}
	return row, nil
}

// date reads 'YYYY-MM-DD HH:MM:SS' or 'YYYY-MM-DD', also with a 'T' for the space and
// with fractional seconds as Python's str(datetime) writes them (dropped: business dates
// are to the second).
func date(c cell) (domain.BusinessDate, error) {
	const want = "want YYYY-MM-DD HH:MM:SS, a real date from year 1900"
	s, ok := c.v.(string)
	if !ok {
		return domain.BusinessDate{}, fmt.Errorf("operation_date %s: %s", describe(c), want)
	}
	s = strings.TrimSpace(s)
	layout, text := "2006-01-02", s
	if len(s) > len(layout) {
		layout = domain.BusinessDateLayout
		if len(s) < len(layout) || (s[10] != ' ' && s[10] != 'T') {
			text = ""
		} else {
			text = s[:10] + " " + s[11:len(layout)]
			if frac := s[len(layout):]; frac != "" && !fraction(frac) {
				text = ""
			}
		}
	}
	t, err := time.Parse(layout, text)
	// time.Parse also takes one-digit fields; only the exact layout round-trips.
	if err != nil || t.Format(layout) != text || t.Year() < domain.MinBusinessYear {
		return domain.BusinessDate{}, fmt.Errorf("operation_date %s: %s", quote(s), want)
	}
	return domain.NewBusinessDate(t), nil
}

// fraction reports whether s is a dot and 1 to 9 digits.
func fraction(s string) bool {
	if len(s) < 2 || len(s) > 10 || s[0] != '.' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func product(c cell) (domain.ProductID, error) {
	s, err := text(c)
	if err != nil {
		return domain.ProductID{}, fmt.Errorf("product_ID %s: want a product ID such as 1 or P1", describe(c))
	}
	p, err := productid.Parse(s)
	if err != nil {
		return domain.ProductID{}, fmt.Errorf("product_ID %s: %v", quote(s), clipped(err, s))
	}
	return p, nil
}

var errPositive = errors.New("must be greater than zero; the original database stores positive quantities, and operation_type says sales or replenishment")

func quantity(c cell) (domain.Quantity, error) {
	s, err := text(c)
	if err != nil || s == "" {
		return domain.Quantity{}, fmt.Errorf("operation_qt %s: want a positive number such as 5 or 12.50", describe(c))
	}
	q, negative, err := domain.ParseSignedQuantity(s)
	if negative || (err != nil && zero(s)) {
		if _, err2 := amount(strings.TrimPrefix(s, "-")); err2 == nil {
			return domain.Quantity{}, fmt.Errorf("operation_qt %s: %v", quote(s), errPositive)
		}
	}
	if err != nil {
		// A negative value's error quotes it without its sign.
		return domain.Quantity{}, fmt.Errorf("operation_qt: %v", clipped(err, s, strings.TrimPrefix(s, "-")))
	}
	return q, nil
}

// stock reads the balance after the row; NULL or blank is no claim.
func stock(c cell) (*domain.Quantity, error) {
	if c.kind == "null" {
		return nil, nil
	}
	s, err := text(c)
	if err != nil {
		return nil, fmt.Errorf("stock %s: want a number such as 24, or nothing", describe(c))
	}
	if s == "" {
		return nil, nil
	}
	q, err := amount(s)
	if err != nil {
		return nil, fmt.Errorf("stock: %v", clipped(err, s))
	}
	return &q, nil
}

func sale(c cell) (bool, error) {
	if s, ok := c.v.(string); ok {
		switch t := strings.TrimSpace(s); {
		case strings.EqualFold(t, "sales"):
			return true, nil
		case strings.EqualFold(t, "replenishment"):
			return false, nil
		}
	}
	return false, fmt.Errorf("operation_type %s: want sales or replenishment", describe(c))
}

// text returns a number or text value as trimmed decimal text: an integer as its digits,
// a REAL in the shortest decimal that reads back as it (12.1, not 12.0999…), so that the
// domain refuses more than two decimals as it does for a CSV file.
func text(c cell) (string, error) {
	switch v := c.v.(type) {
	case int64:
		return strconv.FormatInt(v, 10), nil
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return "", errors.New("not a finite number")
		}
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case string:
		return strings.TrimSpace(v), nil
	}
	return "", errors.New("not a number or text")
}

// amount parses a non-negative quantity with the domain's syntax; zero is allowed.
func amount(s string) (domain.Quantity, error) {
	var q domain.Quantity
	err := q.UnmarshalText([]byte(s))
	return q, err
}

// zero reports whether s is a valid zero amount, such as 0 or 0.00.
func zero(s string) bool {
	q, err := amount(s)
	return err == nil && q.IsZero()
}

// describe shows a value for a message: quoted text, a number, or its kind and size.
func describe(c cell) string {
	switch v := c.v.(type) {
	case string:
		return quote(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case []byte:
		return fmt.Sprintf("is a blob of %d bytes, not text", len(v))
	}
	switch c.kind {
	case "null", "":
		return "is NULL"
	case "text", "blob":
		return fmt.Sprintf("is %v bytes of %s, too long", c.size, c.kind)
	}
	return "is " + c.kind
}

// quote quotes s like %q, clipped to about 60 bytes.
func quote(s string) string {
	if len(s) <= 60 {
		return strconv.Quote(s)
	}
	n := 60
	for n > 56 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strconv.Quote(s[:n]) + "…"
}

// clipped rewords a domain error that quotes one of values whole with it clipped.
func clipped(err error, values ...string) string {
	msg := err.Error()
	for _, s := range values {
		if q := strconv.Quote(s); strings.Contains(msg, q) {
			return strings.Replace(msg, q, quote(s), 1)
		}
	}
	return msg
}
