package commands

import (
	"context"
	"fmt"

	"github.com/stockctl/stockctl/domain"
)

// Sell records a sale of Quantity units of Product.
type Sell Operation

// SellHandler handles Sell commands.
type SellHandler struct {
	r recorder
}

// NewSellHandler returns a SellHandler; newID returns a fresh unique event ID per call.
func NewSellHandler(log EventLog, projection Projection, model ReadModel, newID func() string) SellHandler {
	return SellHandler{r: newRecorder(log, projection, model, newID)}
}

// Handle records the sale, or returns an error matching domain.ErrInsufficientStock when
// the stock cannot cover it; nothing is appended then.
func (h SellHandler) Handle(ctx context.Context, cmd Sell) (Result, error) {
	res, err := h.r.record(ctx, operation{Operation(cmd), domain.TypeStockSold})
	if err != nil {
		return Result{}, fmt.Errorf("sell: %w", err)
	}
	return res, nil
}
