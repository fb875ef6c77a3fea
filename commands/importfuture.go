package commands

import (
	"fmt"
	"time"

	"github.com/stockctl/stockctl/domain"
)

// FutureRowsError refuses an import whose rows include dates more than a day after the
// local clock, likely typos (2099 for 2009), unless Import.AllowFuture: nothing is
// appended. It matches domain.ErrFutureDate with errors.Is, so it is invalid input.
type FutureRowsError struct {
	Rows  []RowIssue // every such row, in file order
	Today string     // YYYY-MM-DD on the local clock
}

func (e *FutureRowsError) Error() string {
	return fmt.Sprintf("%d row(s) dated more than a day after today (%s); nothing was appended: %s",
		len(e.Rows), e.Today, FutureHint)
}

// Is makes errors.Is(err, domain.ErrFutureDate) true.
func (e *FutureRowsError) Is(target error) bool { return target == domain.ErrFutureDate }

// checkFuture returns a *FutureRowsError listing the rows of cmd dated after now's
// tomorrow, nil when there is none or cmd allows them.
func checkFuture(cmd Import, now time.Time) error {
	if cmd.AllowFuture {
		return nil
	}
	var e FutureRowsError
	for _, row := range cmd.Rows {
		if err := domain.CheckNotFuture(row.Date, now); err != nil {
			e.Rows = append(e.Rows, RowIssue{Line: row.Line, Msg: err.Error()})
		}
	}
	if len(e.Rows) == 0 {
		return nil
	}
	e.Today = now.Format("2006-01-02")
	return &e
}
