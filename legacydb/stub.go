package legacydb

import (
	"context"
	"errors"

	"github.com/stockctl/stockctl/ledgercsv"
)

var ErrDatabase = errors.New("unreadable original database")

func Read(ctx context.Context, path string) ([]ledgercsv.Row, []ledgercsv.RowError, error) {
	return nil, nil, ErrDatabase
}
