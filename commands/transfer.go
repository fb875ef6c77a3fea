package commands

import (
	"context"
	"fmt"

	"github.com/stockctl/stockctl/domain"
)

// Transfer moves Quantity units of Product from Location to To.
type Transfer Operation

// TransferHandler handles Transfer commands.
type TransferHandler struct {
	r recorder
}

// NewTransferHandler returns a TransferHandler; newID returns a fresh unique event ID per call.
func NewTransferHandler(log EventLog, projection Projection, model ReadModel, newID func() string) TransferHandler {
	return TransferHandler{r: newRecorder(log, projection, model, newID)}
}

// Handle records the transfer as one event of the product, or returns an error matching
// domain.ErrInsufficientStock when the source cannot give the quantity at its date or a
// later one, domain.ErrUnknownLocation or domain.ErrLocationClosed for a location that
// cannot take it; nothing is appended then.
func (h TransferHandler) Handle(ctx context.Context, cmd Transfer) (Result, error) {
	if cmd.Location == cmd.To {
		return Result{}, fmt.Errorf("transfer: %w (%s)", domain.ErrSameLocation, cmd.To)
	}
	res, err := h.r.record(ctx, operation{Operation(cmd), domain.TypeStockTransferred})
	if err != nil {
		return Result{}, fmt.Errorf("transfer: %w", err)
	}
	return res, nil
}
