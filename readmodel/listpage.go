package readmodel

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stockctl/stockctl/domain"
)

// OperationPage is one page of the operations list.
type OperationPage struct {
	Rows []ListedOperation
	// Total is how many operations the query selects; Start is the 1-based position of
	// the first row among them.
	Total, Start int64
	// Prev and Next are the cursors of the pages before and after, for PageBefore and
	// PageAfter; "" at either end.
	Prev, Next string
}

// sortFew is how many selected rows a page sorts rather than reading them in order along
// the sort's index: 20,000 rows sort in tens of milliseconds, whatever the filter.
const sortFew = 20_000

// LastPage, as the cursor of OperationsPage's before, asks for the last page.
const LastPage = "last"

// OperationsPage returns n operations of q: the first ones; with after, those that follow
// that cursor's row; with before, those that precede it (LastPage: the last n). Paging by
// the rows' keys rather than by an offset reads n+1 rows of an index on every page, the
// last of a million as fast as the first. The cursor carries its row's position too, so
// the page can say "51–100 of 581,210" without counting the rows before it.
func (d *DB) OperationsPage(ctx context.Context, q OperationQuery, after, before string, n int) (OperationPage, error) {
	o, desc, err := order(q.Sort)
	if err != nil {
		return OperationPage{}, err
	}
	if _, _, err := listWhere(q); err != nil {
		return OperationPage{}, err
	}
	sort := q.Sort
	if sort == "" {
		sort = "-date"
	}
	var c cursor
	backward := before != ""
	switch {
	case after != "" && before != "":
		return OperationPage{}, queryErrorf("give after or before, not both")
	case after != "":
		if c, err = decodeCursor(after, sort, o); err != nil {
			return OperationPage{}, err
		}
	case before != "" && before != LastPage:
		if c, err = decodeCursor(before, sort, o); err != nil {
			return OperationPage{}, err
		}
	}
	total, err := d.CountOperations(ctx, q)
	if err != nil {
		return OperationPage{}, err
	}
	// Backward pages read the other way along the index, then turn round.
	readDesc := desc != backward
	cursored := after != "" || (before != "" && before != LastPage)
	if cursored && (c.Pos < 1 || c.Pos > total) {
		// A link made by a page names a row among the filter's; a void may have taken
		// out so many since that its position is past them, and the page starts again.
		return OperationPage{}, queryErrorf("the page link is damaged: start again from the first page")
	}
	cond, args, _ := listWhere(tighten(q, o, c, cursored, readDesc))
	// A filter of dates or a product that selects few rows is read through its own index
	// and sorted: walking the sort's index and testing each row can pass most of the
	// ledger first when the filter and the order go together (from a recent day, by
	// product: 1.5 s). A unary + keeps SQLite off the sort's index. A type alone has an
	// index only by quantity (ledger_type_qty), which serves that order itself; in any
	// other order SQLite must not take it for the filter and sort 137,851 restocks of a
	// million by date (660 ms a page), so the type is tested row by row on the sort's
	// index.
	// Adjustments and counts are few: found through ledger_type_qty and sorted, as a
	// walk of the date index tested them row by row (520 ms for 5 among 389,474).
	rare := q.Type == "adjustment" || q.Type == "count"
	plain := total <= sortFew && (q.Product != "" || !q.From.IsZero() || !q.To.IsZero() || rare)
	if o.key != "qty_cents" && !(rare && plain) {
		cond = strings.Replace(cond, "event_type =", "+event_type =", 1)
	}
	key, tie := o.key, o.tie
	if plain {
		key, tie = "+"+key, "+"+tie
	}
	if cursored {
		cmp := ">"
		if readDesc {
			cmp = "<"
		}
		if o.tie == "" {
			cond += " AND " + key + " " + cmp + " ?"
			args = append(args, c.key(o))
		} else {
			cond += " AND (" + key + ", " + tie + ") " + cmp + " (?, ?)"
			args = append(args, c.key(o), c.Tie)
		}
	}
	tieCol := o.tie
	if tieCol == "" {
		tieCol = o.key
	}
	rows, err := d.db.QueryContext(ctx, `SELECT `+listColumns+`, `+o.key+`, `+tieCol+` FROM ledger WHERE `+cond+
		` ORDER BY `+o.orderBy(readDesc, plain)+` LIMIT ?`, append(args, n+1)...)
	if err != nil {
		return OperationPage{}, fmt.Errorf("operations: %w", err)
	}
	defer rows.Close()
	var page OperationPage
	var keys []cursor
	for rows.Next() {
		var op ListedOperation
		var typ string
		var k cursor
		var key any
		if err := rows.Scan(&op.Date, &op.Product, &typ, &op.QtyCents, &op.StockCents, &op.RecordedAt, &op.RecordedBy, &op.Note,
			&op.DeltaCents, &op.Reason, &key, &k.Tie); err != nil {
			return OperationPage{}, fmt.Errorf("operations: %w", err)
		}
		k.Key = fmt.Sprint(key)
		op.Type = listedType(typ)
		page.Rows = append(page.Rows, op)
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return OperationPage{}, fmt.Errorf("operations: %w", err)
	}
	more := len(page.Rows) > n
	if more {
		page.Rows, keys = page.Rows[:n], keys[:n]
	}
	if err := d.withOpenings(ctx, page.Rows); err != nil {
		return OperationPage{}, err
	}
	if backward {
		slices.Reverse(page.Rows)
		slices.Reverse(keys)
	}
	page.Total = total
	hasPrev, hasNext := after != "", !backward && more
	if backward {
		hasPrev, hasNext = more, before != LastPage
	}
	switch {
	case !hasPrev:
		page.Start = 1
	case !hasNext:
		page.Start = total - int64(len(page.Rows)) + 1
	case backward:
		page.Start = c.Pos - int64(len(page.Rows))
	default:
		page.Start = c.Pos + 1
	}
	// A cursor altered by hand, or a ledger that grew meanwhile, can leave a position
	// outside the rows: it is only shown, so keep it in range.
	page.Start = max(1, min(page.Start, total-int64(len(page.Rows))+1))
	if len(page.Rows) > 0 {
		first, last := keys[0], keys[len(keys)-1]
		first.Sort, first.Pos = sort, page.Start
		last.Sort, last.Pos = sort, page.Start+int64(len(page.Rows))-1
		if hasPrev {
			page.Prev = first.encode()
		}
		if hasNext {
			page.Next = last.encode()
		}
	}
	return page, nil
}

// tighten drops the date bound a cursor on the date makes redundant: given both, SQLite
// bounds its walk along ledger_date by the filter's date, not the cursor's, and a middle
// page of a year read 480,000 index entries to reach its 51 rows (60 ms in the sqlite3
// shell, 200 to 500 ms here) instead of 51.
func tighten(q OperationQuery, o orderSpec, c cursor, cursored, readDesc bool) OperationQuery {
	if !cursored || o.key != "business_date" {
		return q
	}
	if readDesc && !q.To.IsZero() && c.Key < q.To.AddDate(0, 0, 1).Format(domain.BusinessDateLayout) {
		q.To = time.Time{}
	}
	if !readDesc && !q.From.IsZero() && c.Key >= q.From.Format(domain.BusinessDateLayout) {
		q.From = time.Time{}
	}
	return q
}

// cursor is a row's place in one sort: its key and tie-break values and its position.
type cursor struct {
	Sort string `json:"s"`
	Key  string `json:"k"`
	Tie  int64  `json:"t"`
	Pos  int64  `json:"p"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// key is the cursor's key as the column compares.
func (c cursor) key(o orderSpec) any {
	if o.keyInt {
		n, _ := strconv.ParseInt(c.Key, 10, 64)
		return n
	}
	return c.Key
}

func decodeCursor(s, sort string, o orderSpec) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil {
		return c, queryErrorf("the page link is damaged: start again from the first page")
	}
	if c.Sort != sort {
		return c, queryErrorf("the page link belongs to another sort: start again from the first page")
	}
	if o.keyInt {
		if _, err := strconv.ParseInt(c.Key, 10, 64); err != nil {
			return c, queryErrorf("the page link is damaged: start again from the first page")
		}
	}
	return c, nil
}
