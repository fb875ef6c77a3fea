package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/ledgercsv"
	"github.com/stockctl/stockctl/productid"
)

// BulkLog appends many events at once, in order per product.
type BulkLog interface {
	AppendBulk(ctx context.Context, events []domain.Event, progress func(done int)) error
}

// ImportModel is what an import reads beyond ReadModel: whether, and how many of, a
// file's rows are already in the ledger.
type ImportModel interface {
	ReadModel
	// CountCommands counts accepted commands whose ID starts with prefix.
	CountCommands(ctx context.Context, prefix string) (int, error)
}

// Import records the rows of an operations file. Each row's command ID is derived from
// the file's content and the row's line, so importing the same file again records nothing
// twice.
type Import struct {
	Rows []ledgercsv.Row
	// FileID identifies the file's content, e.g. a hash of its bytes.
	FileID   string
	Operator string
	// DryRun decides every row and reports, appending nothing.
	DryRun bool
	// NewProduct lets rows create products whose IDs look like existing ones, or like
	// each other's.
	NewProduct bool
	// Progress, if set, is told how many events the log has acknowledged.
	Progress func(done int)
}

// RowIssue is a row the import reports on.
type RowIssue struct {
	Line int
	Msg  string
}

// ImportReport tells what an import did.
type ImportReport struct {
	Rows       int
	Appended   int        // events appended now (with DryRun: that would be)
	Already    int        // rows recorded by an earlier import of the same file
	Refused    []RowIssue // sales (or restocks) the ledger's rules refuse: not appended
	Mismatches []RowIssue // rows whose stock column differs from the ledger's stock
	// Rejected counts appended events the log refused because other writers changed the
	// same products while the import ran; importing again records them.
	Rejected int
}

// importChunk is how many events an import appends at a time.
const importChunk = 50_000

// ImportHandler handles Import commands.
type ImportHandler struct {
	log        BulkLog
	projection Projection
	model      ImportModel
	newID      func() string
	now        func() time.Time
}

// NewImportHandler returns an ImportHandler.
func NewImportHandler(log BulkLog, projection Projection, model ImportModel, newID func() string) ImportHandler {
	if log == nil || projection == nil || model == nil || newID == nil {
		panic("commands: nil dependency")
	}
	return ImportHandler{log: log, projection: projection, model: model, newID: newID, now: time.Now}
}

// Handle decides every row against the ledger in file order, as sell and restock would,
// then appends the accepted ones in one batch and waits for the log's decision.
func (h ImportHandler) Handle(ctx context.Context, cmd Import) (ImportReport, error) {
	rep := ImportReport{Rows: len(cmd.Rows)}
	if err := h.projection.CatchUp(ctx); err != nil {
		return rep, err
	}
	prefix := "import:" + cmd.FileID + ":"
	before, err := h.model.CountCommands(ctx, prefix)
	if err != nil {
		return rep, err
	}
	stocks := make(map[domain.ProductID]*domain.Stock)
	looks := &lookAlikes{model: h.model}
	if err := h.checkNewProducts(ctx, cmd, stocks, looks); err != nil {
		return rep, err
	}
	events := make([]domain.Event, 0, min(len(cmd.Rows), importChunk))
	appended := 0
	// Events go to the log a chunk at a time, so memory holds one chunk, not the file.
	flush := func() error {
		if cmd.DryRun || len(events) == 0 {
			events = events[:0]
			return nil
		}
		done := appended
		err := h.log.AppendBulk(ctx, events, func(n int) {
			if cmd.Progress != nil {
				cmd.Progress(done + n)
			}
		})
		appended += len(events)
		events = events[:0]
		return err
	}
	now := h.now()
	for _, row := range cmd.Rows {
		commandID := prefix + strconv.Itoa(row.Line)
		if before > 0 {
			// Only a file imported before can have rows in the ledger already.
			prior, err := h.model.CommandOutcome(ctx, commandID)
			if err != nil {
				return rep, err
			}
			if prior.Found {
				rep.Already++
				checkStock(&rep, row, prior.Stock)
				continue
			}
		}
		s, ok := stocks[row.Product]
		if !ok {
			snap, err := h.model.Snapshot(ctx, row.Product)
			if err != nil {
				return rep, err
			}
			s = domain.RestoreStock(snap)
			stocks[row.Product] = s
		}
		kind := domain.TypeStockRestocked
		if row.Sale {
			kind = domain.TypeStockSold
		}
		e, err := decide(s, operation{Operation: Operation{
			Product: row.Product, Quantity: row.Quantity, CommandID: commandID, Date: row.Date,
			Operator: cmd.Operator, Note: "imported",
		}, kind: kind}, h.newID(), now)
		if errors.Is(err, domain.ErrInsufficientStock) || errors.Is(err, domain.ErrStockOverflow) {
			err = hintLookAlike(ctx, looks, row.Product, err)
			rep.Refused = append(rep.Refused, RowIssue{Line: row.Line, Msg: err.Error()})
			continue
		}
		if err != nil {
			return rep, fmt.Errorf("line %d: %w", row.Line, err)
		}
		if err := s.Apply(e); err != nil {
			return rep, fmt.Errorf("line %d: %w", row.Line, err)
		}
		checkStock(&rep, row, s.Level())
		events = append(events, e)
		rep.Appended++
		if len(events) == importChunk {
			if err := flush(); err != nil {
				return rep, partlyRecorded(err)
			}
		}
	}
	if err := flush(); err != nil {
		return rep, partlyRecorded(err)
	}
	if cmd.DryRun || rep.Appended == 0 {
		return rep, nil
	}
	if err := h.projection.CatchUp(ctx); err != nil {
		return rep, partlyRecorded(err)
	}
	after, err := h.model.CountCommands(ctx, prefix)
	if err != nil {
		return rep, err
	}
	rep.Rejected = before + rep.Appended - after
	return rep, nil
}

// checkNewProducts reads the state of every product of the file, before anything is
// appended, and refuses a restock row that creates a product looking like a product of
// the ledger or like another product the file creates, unless cmd.NewProduct.
func (h ImportHandler) checkNewProducts(ctx context.Context, cmd Import, stocks map[domain.ProductID]*domain.Stock, looks *lookAlikes) error {
	inFile := productid.NewIndex(nil)
	created := make(map[string]int) // new products of the file: the line of their first restock
	for _, row := range cmd.Rows {
		s, ok := stocks[row.Product]
		if !ok {
			snap, err := h.model.Snapshot(ctx, row.Product)
			if err != nil {
				return err
			}
			s = domain.RestoreStock(snap)
			stocks[row.Product] = s
		}
		id := row.Product.String()
		if row.Sale || s.Seq() > 0 || cmd.NewProduct || created[id] > 0 {
			continue
		}
		if other, ok, err := looks.find(ctx, row.Product); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("line %d: %w", row.Line, &LookAlikeError{Product: row.Product, Existing: other})
		}
		if other, ok := inFile.LookAlike(id); ok {
			return fmt.Errorf("line %d: %w", row.Line, &LookAlikeError{Product: row.Product, Existing: other, Line: created[other]})
		}
		inFile.Add(id)
		created[id] = row.Line
	}
	return nil
}

func checkStock(rep *ImportReport, row ledgercsv.Row, ledger domain.Quantity) {
	if row.Stock != nil && *row.Stock != ledger {
		rep.Mismatches = append(rep.Mismatches, RowIssue{Line: row.Line,
			Msg: fmt.Sprintf("the file says stock %s for %q, the ledger computes %s", row.Stock, row.Product.String(), ledger)})
	}
}

// partlyRecorded is the error of an import whose appending failed or was interrupted, or
// whose appended rows could not be projected: some rows may be in the log. Importing the
// file again is safe, since each row's command ID comes from the file.
func partlyRecorded(err error) error {
	return fmt.Errorf("%w: the rows may be partly recorded: %w; running the same import again is safe: it records each row at most once",
		ErrOutcomeUnknown, err)
}
