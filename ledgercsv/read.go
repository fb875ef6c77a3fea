// Package ledgercsv reads and writes the original operations file format: UTF-8 with or
// without a byte-order mark, CRLF or LF line ends, ';'-separated, dates dd/mm/yyyy, signed
// quantities (positive: replenishment, negative: sale) and an optional stock column.
package ledgercsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/productid"
)

// Header is the original file's header, in order; the stock column may be left out.
var Header = []string{"operation_date", "product_ID", "operation_qt", "stock"}

// MaxLineBytes bounds one line of a file.
const MaxLineBytes = 4096

// ErrFile means the file as a whole cannot be read: empty, no header, wrong header.
var ErrFile = errors.New("unreadable operations file")

// Row is one operation of a file.
type Row struct {
	Line     int // 1-based line number in the file
	Date     domain.BusinessDate
	Product  domain.ProductID
	Quantity domain.Quantity
	Sale     bool
	// Stock is the stock the file claims after the operation, if it has the column.
	Stock *domain.Quantity
	// Location is where the operation happens: the location column's cell, or
	// Options.Location when the cell is blank or the file has no such column (main when
	// both are empty).
	Location domain.LocationID
}

// LocationColumn is the optional column naming each row's location; it may stand
// anywhere in the header (export --location writes it), the other columns keeping their
// order.
const LocationColumn = "location"

// RowError is why one line is invalid.
type RowError struct {
	Line int
	Msg  string
}

func (e RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Options describe the file's dialect.
type Options struct {
	Delimiter rune   // default ';'
	Layout    string // Go time layout of dates; default DateLayout
	// DecimalComma reads quantities with a decimal comma (-12,5, 12,50), as French-style
	// files write them; a dot is then refused, as it could be a thousands separator.
	DecimalComma bool
	// Location is the location of the whole file (import --location): a blank location
	// cell means it, and a cell naming another location is an invalid row.
	Location domain.LocationID
	// LocationGiven says Location was given, main included: a cell naming another
	// location is then invalid.
	LocationGiven bool
}

// DateLayout is the original file's date format, dd/mm/yyyy.
const DateLayout = "02/01/2006"

// ParseDateFormat turns a pattern such as dd/mm/yyyy or yyyy-mm-dd HH:MM:SS into a Go
// time layout.
func ParseDateFormat(pattern string) (string, error) {
	layout := strings.NewReplacer("HH", "15", "MM", "04", "SS", "05").Replace(pattern)
	layout = strings.NewReplacer("yyyy", "2006", "mm", "01", "dd", "02").Replace(layout)
	if !strings.Contains(layout, "2006") || !strings.Contains(layout, "01") || !strings.Contains(layout, "02") {
		return "", fmt.Errorf("date format %q: use dd, mm and yyyy (and optionally HH:MM:SS), e.g. dd/mm/yyyy", pattern)
	}
	return layout, nil
}

// Read reads a whole file. It returns the valid rows and one RowError per invalid line;
// an error only when the file as a whole is unusable.
func Read(r io.Reader, opt Options) ([]Row, []RowError, error) {
	return ReadAs(r, opt, func(row Row) Row { return row })
}

// ReadAs reads a whole file as Read does and returns each valid row as as makes it: a
// caller with its own row type (commands.ImportRow) builds its rows once, while reading,
// instead of converting a million-row slice into a second one.
func ReadAs[T any](r io.Reader, opt Options, as func(Row) T) ([]T, []RowError, error) {
	if opt.Delimiter == 0 {
		opt.Delimiter = ';'
	}
	if opt.Layout == "" {
		opt.Layout = DateLayout
	}
	br := bufio.NewReaderSize(r, 1<<16)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	header, err := readLine(br)
	if err == io.EOF && len(header) == 0 {
		return nil, nil, fmt.Errorf("%w: the file is empty; it needs the header %s", ErrFile, strings.Join(Header, ";"))
	}
	if err != nil && err != io.EOF {
		return nil, nil, fmt.Errorf("%w: line 1: %v", ErrFile, err)
	}
	hasStock, locCol, err := checkHeader(header, opt.Delimiter)
	if err != nil {
		return nil, nil, err
	}
	var rows []T
	var bad []RowError
	for line := 2; ; line++ {
		raw, err := readLine(br)
		if len(raw) > 0 || (err == nil) {
			if len(strings.TrimSpace(raw)) == 0 {
				if err == io.EOF {
					break
				}
				continue // blank lines, such as a trailing one, carry nothing
			}
			row, rerr := parseLine(raw, line, opt, hasStock, locCol)
			if rerr != nil {
				bad = append(bad, RowError{Line: line, Msg: rerr.Error()})
			} else {
				rows = append(rows, as(row))
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			bad = append(bad, RowError{Line: line, Msg: err.Error()})
			if errors.Is(err, errLineTooLong) {
				continue
			}
			break
		}
	}
	if len(rows) == 0 && len(bad) == 0 {
		return nil, nil, fmt.Errorf("%w: the file has a header but no operations", ErrFile)
	}
	return rows, bad, nil
}

var errLineTooLong = fmt.Errorf("line longer than %d bytes", MaxLineBytes)

// readLine reads one line without its LF or CRLF; a last line may lack the newline.
func readLine(br *bufio.Reader) (string, error) {
	var b []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(b)+len(chunk) > MaxLineBytes+2 {
			// Skip the rest of the line and say so.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			if err != nil && err != io.EOF {
				return "", err
			}
			return "", errLineTooLong
		}
		b = append(b, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		return s, err
	}
}

// checkHeader reads the header: the original columns in order, the stock column
// optional, and a location column anywhere (locCol its index, -1 without one).
func checkHeader(line string, delim rune) (hasStock bool, locCol int, err error) {
	fields := strings.Split(line, string(delim))
	locCol = -1
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
		if strings.EqualFold(fields[i], LocationColumn) && locCol < 0 && len(fields) > 3 {
			locCol = i
		}
	}
	if locCol >= 0 {
		fields = append(fields[:locCol:locCol], fields[locCol+1:]...)
	}
	want3 := strings.Join(Header[:3], string(delim))
	if len(fields) == 1 {
		for _, d := range []string{",", ";", "\t", "|"} {
			if d != string(delim) && strings.Count(line, d) >= 2 {
				return false, locCol, fmt.Errorf("%w: line 1: the header %q looks %q-separated; use --delimiter %q", ErrFile, clip(line), d, d)
			}
		}
	}
	switch {
	case len(fields) == 3 && strings.EqualFold(strings.Join(fields, string(delim)), want3):
		return false, locCol, nil
	case len(fields) == 4 && strings.EqualFold(strings.Join(fields, string(delim)), strings.Join(Header, string(delim))):
		return true, locCol, nil
	}
	return false, locCol, fmt.Errorf("%w: line 1: header %q: want %s (the stock column and a location column are optional)",
		ErrFile, clip(line), strings.Join(Header, string(delim)))
}

// parseLine parses one data line.
func parseLine(raw string, line int, opt Options, hasStock bool, locCol int) (Row, error) {
	if !utf8.ValidString(raw) {
		return Row{}, errors.New("not valid UTF-8 (binary data?)")
	}
	var fields []string
	if !strings.ContainsRune(raw, '"') {
		// Without quotes a line is its fields split at the delimiter, as encoding/csv
		// would read it, at a fraction of the cost.
		fields = strings.Split(raw, string(opt.Delimiter))
	} else {
		cr := csv.NewReader(strings.NewReader(raw))
		cr.Comma = opt.Delimiter
		cr.FieldsPerRecord = -1
		var err error
		if fields, err = cr.Read(); err != nil {
			return Row{}, fmt.Errorf("not a %q-separated line: %v", opt.Delimiter, err)
		}
	}
	if locCol < 0 {
		row, err := parseRow(fields, line, opt, hasStock)
		row.Location = opt.Location
		return row, err
	}
	if locCol >= len(fields) {
		want := 4
		if hasStock {
			want = 5
		}
		return Row{}, fmt.Errorf("%d fields, want %d (with the location column)", len(fields), want)
	}
	cell := strings.TrimSpace(fields[locCol])
	row, err := parseRow(append(fields[:locCol:locCol], fields[locCol+1:]...), line, opt, hasStock)
	if err != nil {
		return row, err
	}
	row.Location = opt.Location
	if cell != "" {
		if row.Location, err = domain.ParseLocationID(Unneutralise(cell)); err != nil {
			return Row{}, fmt.Errorf("location: %v", err)
		}
		if (opt.LocationGiven || !opt.Location.IsMain()) && row.Location != opt.Location {
			return Row{}, fmt.Errorf("location %q contradicts --location %s; leave the cell blank or import with --location %s",
				clip(cell), opt.Location, row.Location)
		}
	}
	return row, nil
}

// ParseRow parses the fields of one data line: date, product, signed quantity and, with
// hasStock, the claimed stock (which may be empty).
func ParseRow(fields []string, line int, layout string, hasStock bool) (Row, error) {
	return parseRow(fields, line, Options{Layout: layout}, hasStock)
}

func parseRow(fields []string, line int, opt Options, hasStock bool) (Row, error) {
	layout := opt.Layout
	want := 3
	if hasStock {
		want = 4
	}
	if len(fields) != want {
		return Row{}, fmt.Errorf("%d fields, want %d (%s)", len(fields), want, strings.Join(Header[:want], ";"))
	}
	row := Row{Line: line}
	dateText := strings.TrimSpace(fields[0])
	t, err := time.Parse(layout, dateText)
	if err != nil || t.Format(layout) != dateText || t.Year() < domain.MinBusinessYear {
		// A date and time is accepted too: stockctl export writes one when it is not midnight.
		if t2, err2 := time.Parse(layout+" 15:04:05", dateText); err2 == nil && t2.Year() >= domain.MinBusinessYear {
			t = t2
		} else {
			return Row{}, fmt.Errorf("date %q: not a real date in the format %s", clip(dateText), layoutPattern(layout))
		}
	}
	row.Date = domain.NewBusinessDate(t)
	if row.Product, err = productid.Parse(Unneutralise(strings.TrimSpace(fields[1]))); err != nil {
		return Row{}, fmt.Errorf("product: %v", err)
	}
	written := strings.TrimSpace(fields[2])
	q, err := decimal(written, opt.DecimalComma)
	if err != nil {
		return Row{}, fmt.Errorf("quantity: %v", err)
	}
	if row.Quantity, row.Sale, err = domain.ParseSignedQuantity(q); err != nil {
		if opt.DecimalComma {
			return Row{}, fmt.Errorf("quantity: %v", inComma(err, written))
		}
		if opt.Delimiter != ',' && strings.Contains(q, ",") {
			if _, _, err2 := domain.ParseSignedQuantity(strings.Replace(q, ",", ".", 1)); err2 == nil {
				return Row{}, fmt.Errorf("quantity: %v, or import a file with decimal commas with --decimal-comma", err)
			}
		}
		return Row{}, fmt.Errorf("quantity: %v", err)
	}
	if hasStock {
		if written := strings.TrimSpace(fields[3]); written != "" {
			s, err := decimal(written, opt.DecimalComma)
			if err != nil {
				return Row{}, fmt.Errorf("stock: %v", err)
			}
			stock, err := parseStock(s)
			if err != nil && opt.DecimalComma {
				return Row{}, fmt.Errorf("stock: %v", inComma(err, written))
			}
			if err != nil {
				return Row{}, fmt.Errorf("stock: %v", err)
			}
			row.Stock = &stock
		}
	}
	return row, nil
}

// decimal turns a decimal comma into the dot the domain reads, with DecimalComma.
func decimal(s string, comma bool) (string, error) {
	if !comma {
		return s, nil
	}
	if strings.Contains(s, ".") {
		return "", fmt.Errorf("%w: %q: with --decimal-comma, write decimals with a comma, such as 12,5, and no thousands separator",
			domain.ErrInvalidQuantity, s)
	}
	return strings.Replace(s, ",", ".", 1), nil
}

// inComma words an error about a quantity read with --decimal-comma as the file wrote
// it: "12,505", not the "12.505" it was turned into, and commas for dots.
func inComma(err error, written string) error {
	magnitude := strings.TrimPrefix(written, "-")
	read := strings.Replace(magnitude, ",", ".", 1)
	msg := strings.Replace(err.Error(), strconv.Quote(read), strconv.Quote(magnitude), 1)
	return errors.New(strings.NewReplacer("an optional dot", "an optional comma", "12.50", "12,50",
		"99999999.99", "99999999,99").Replace(msg))
}

func parseStock(s string) (domain.Quantity, error) {
	if s == "0" || s == "0.0" || s == "0.00" {
		return domain.Quantity{}, nil
	}
	return domain.ParseQuantity(s)
}

func layoutPattern(layout string) string {
	return strings.NewReplacer("2006", "yyyy", "01", "mm", "02", "dd", "15", "HH", "04", "MM", "05", "SS").Replace(layout)
}

func clip(s string) string {
	if len(s) > 60 {
		return strings.ToValidUTF8(s[:60], "") + "…"
	}
	return s
}
