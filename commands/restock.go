package commands

import (
	"context"
	"fmt"

	"github.com/stockctl/stockctl/domain"
)

// Restock records a replenishment of Quantity units of Product.
type Restock Operation

// RestockHandler handles Restock commands.
type RestockHandler struct {
	r recorder
}

// NewRestockHandler returns a RestockHandler; newID returns a fresh unique event ID per call.
func NewRestockHandler(log EventLog, projection Projection, model ReadModel, newID func() string) RestockHandler {
	return RestockHandler{r: newRecorder(log, projection, model, newID)}
}

// Handle records the replenishment, or returns an error matching domain.ErrStockOverflow
// when the stock would pass the maximum; nothing is appended then.
func (h RestockHandler) Handle(ctx context.Context, cmd Restock) (Result, error) {
	res, err := h.r.record(ctx, operation{Operation(cmd), domain.TypeStockRestocked})
	if err != nil {
		return Result{}, fmt.Errorf("restock: %w", err)
	}
	return res, nil
}
