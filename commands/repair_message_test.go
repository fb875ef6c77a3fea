package commands_test

import (
	"testing"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
)

// TestRepairAlreadyRecordedMessage: a repair recorded before is named with its target
// when it has one, and without a blank where a count's or an adjustment's would be.
func TestRepairAlreadyRecordedMessage(t *testing.T) {
	p := counted0(t)
	stock, _ := domain.QuantityFromCents(400)
	for _, tc := range []struct {
		ev   domain.Event
		want string
	}{
		{domain.Event{Type: domain.TypeStockCounted, ID: "e1", Product: p},
			`already recorded: count of "P1" (event e1); stock after it: 4.00`},
		{domain.Event{Type: domain.TypeOperationVoided, ID: "e2", Product: p, Target: "t1"},
			`already recorded: void t1 of "P1" (event e2); stock after it: 4.00`},
	} {
		r := commands.RepairResult{Event: tc.ev, Stock: stock, AlreadyRecorded: true}
		if got := r.Message(); got != tc.want {
			t.Errorf("Message() = %q, want %q", got, tc.want)
		}
	}
}
