package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/productid"
)

// BulkLog appends many events at once, in order per product.
type BulkLog interface {
	AppendBulk(ctx context.Context, events []domain.Event, progress func(done int)) error
}

// ImportModel is what an import reads beyond ReadModel: whether, and how many of, a
// file's rows are already in the ledger, and what recorded an operation like a row's.
type ImportModel interface {
	ReadModel
	// CountCommands counts accepted commands whose ID starts with prefix.
	CountCommands(ctx context.Context, prefix string) (int, error)
	// CountRecordedAt counts accepted commands whose ID starts with prefix, and those of
	// them whose event was recorded at t: the events of one import run.
	CountRecordedAt(ctx context.Context, prefix string, t time.Time) (all, at int, err error)
	// SameOperations returns up to limit accepted operations of product p with exactly
	// this business date, type and quantity.
	SameOperations(ctx context.Context, p domain.ProductID, date domain.BusinessDate, kind domain.EventType, q domain.Quantity, limit int) ([]domain.Recorded, error)
}

// Import records the rows of an operations file or of the original pipeline's database.
// Each row's command ID comes from its source, its content and its occurrence among the
// identical rows of the source (see importid.go), so importing the same rows again
// records nothing twice.
type Import struct {
	Rows []ImportRow
	// Source names where the rows come from: a file's base name unless the user names it.
	Source string
	// LegacyFileID is the file-content ID imports before sources derived command IDs
	// from, "import:<id>:<line>": rows recorded that way are recognised. Empty for input
	// that is not a file.
	LegacyFileID string
	Operator     string
	// DryRun decides every row and reports, appending nothing.
	DryRun bool
	// IgnoreStockColumn imports rows whose stock column disagrees with the ledger.
	IgnoreStockColumn bool
	// NewProduct lets rows create products whose IDs look like existing ones, or like
	// each other's.
	NewProduct bool
	// AllowFuture accepts rows dated more than a day after the local clock; without it
	// any such row refuses the import (FutureRowsError).
	AllowFuture bool
	// Progress, if set, is told how many events the log has acknowledged.
	Progress func(done int)
	// Unit is what a row's Line counts, for messages: "line" (the default) or "rowid".
	Unit string
}

// unit is what a row's number counts, for messages.
func (cmd Import) unit() string {
	if cmd.Unit == "" {
		return "line"
	}
	return cmd.Unit
}

// RowIssue is a row the import reports on.
type RowIssue struct {
	Line int
	Msg  string
}

// ImportReport tells what an import did.
type ImportReport struct {
	Rows     int
	Appended int        // events appended now (with DryRun: that would be); Appended-Rejected-ByOthers were recorded
	Already  int        // rows recorded by an earlier import of the same source
	Refused  []RowIssue // sales (or restocks) the ledger's rules refuse: not appended
	// Mismatches are rows to record whose stock column differs from the stock the ledger
	// computes: evidence that the file and the ledger disagree, which refuses the import
	// unless IgnoreStockColumn.
	Mismatches []RowIssue
	// AlreadyMismatches are rows recorded earlier whose stock column differs from the
	// stock the ledger computed when it recorded them: evidence too, since such rows may
	// be other operations of another file with the same source name.
	AlreadyMismatches []RowIssue
	// Rejected counts appended events the log refused because other writers changed the
	// same products while the import ran; importing again records them.
	Rejected int
	// ByOthers counts appended rows that another import of the same source recorded
	// while this one ran: recorded once, by the other.
	ByOthers int
}

// importChunk is how many events an import appends at a time; a variable so that tests
// cross chunk boundaries with small files (SetImportChunk in export_test.go).
var importChunk = 50_000

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

// rowFate is what the first pass decided for a row.
type rowFate uint8

const (
	fateAppend rowFate = iota
	fateAlready
	fateRefused
)

// Handle decides every row against the ledger in input order, as sell and restock would,
// and only then appends: a stock column that disagrees, or an invalid look-alike
// product, stops the import before anything is written. The second pass decides the
// accepted rows again from the same starting stock (the same decisions, since deciding
// is deterministic) and appends them a chunk at a time, so memory holds one chunk of
// events, not the file's.
func (h ImportHandler) Handle(ctx context.Context, cmd Import) (ImportReport, error) {
	rep := ImportReport{Rows: len(cmd.Rows)}
	source, err := NormaliseSource(cmd.Source)
	if err != nil {
		return rep, err
	}
	if err := checkFuture(cmd, h.now()); err != nil {
		return rep, err
	}
	if err := h.projection.CatchUp(ctx); err != nil {
		return rep, err
	}
	ids := identify(source, cmd.Rows)
	before, err := h.model.CountCommands(ctx, ids.prefix)
	if err != nil {
		return rep, err
	}
	legacyBefore := 0
	if cmd.LegacyFileID != "" {
		if legacyBefore, err = h.model.CountCommands(ctx, "import:"+cmd.LegacyFileID+":"); err != nil {
			return rep, err
		}
	}
	stocks := make(map[domain.ProductID]*domain.Stock)
	looks := &lookAlikes{model: h.model}
	if err := h.checkNewProducts(ctx, cmd, stocks, looks); err != nil {
		return rep, err
	}
	start := make(map[domain.ProductID]domain.Snapshot, len(stocks))
	for p, s := range stocks {
		start[p] = s.Snapshot()
	}
	note := importNotePrefix + source
	now := h.now()
	op := func(i int, commandID string) operation {
		row := cmd.Rows[i]
		kind := domain.TypeStockRestocked
		if row.Sale {
			kind = domain.TypeStockSold
		}
		return operation{Operation: Operation{Product: row.Product, Quantity: row.Quantity, CommandID: commandID,
			Date: row.Date, Operator: cmd.Operator, Note: note, Location: row.Location}, kind: kind}
	}

	sim, err := newSimulation(ctx, h.model)
	if err != nil {
		return rep, err
	}
	if err := checkLocations(sim.locations, cmd.Rows, cmd.unit()); err != nil {
		return rep, err
	}
	// Rows of this source recorded in another location: only a source seen before, and
	// a ledger with locations besides main, can have them.
	movable := before > 0 && len(sim.locations.List()) > 1
	// First pass: decide, append nothing.
	fates := make([]rowFate, len(cmd.Rows))
	refusal := &StockColumnError{Source: source}
	var claimed []int // rows already recorded whose stock column differs
	latest := make(map[domain.ProductID]domain.BusinessDate, len(start))
	// earliest is each product's earliest row to record dated before an operation of it
	// (in the ledger or earlier in the file): the one that may shift rows recorded earlier.
	earliest := make(map[domain.ProductID]BackdatedRow)
	for i, row := range cmd.Rows {
		prior, err := h.recorded(ctx, ids, i, before > 0, cmd.LegacyFileID, row.Line, legacyBefore > 0)
		if err != nil {
			return rep, err
		}
		if prior.Found {
			fates[i] = fateAlready
			rep.Already++
			n := len(rep.AlreadyMismatches)
			// What the ledger told when it recorded the row: the balance after it in date
			// order then, as its stock column claims for a file that was in order then.
			if rep.AlreadyMismatches = checkStock(rep.AlreadyMismatches, row, prior.Stock); len(rep.AlreadyMismatches) > n {
				claimed = append(claimed, i)
			}
			continue
		}
		if movable {
			if err := h.movedRow(ctx, ids, i, row, sim.locations, cmd.unit()); err != nil {
				return rep, err
			}
		}
		s := stocks[row.Product]
		last, seen := latest[row.Product]
		if !seen {
			last = start[row.Product].LastDate
		}
		// The decision does not depend on the command ID, which the second pass computes.
		_, eff, err := sim.decide(ctx, s, op(i, "pending"), "", now)
		if errors.Is(err, domain.ErrInsufficientStock) || errors.Is(err, domain.ErrStockOverflow) || errors.Is(err, domain.ErrPeriodClosed) {
			err = hintLookAlike(ctx, looks, row.Product, err)
			fates[i] = fateRefused
			rep.Refused = append(rep.Refused, RowIssue{Line: row.Line, Msg: err.Error()})
			continue
		}
		if err != nil {
			return rep, fmt.Errorf("%s %d: %w", cmd.unit(), row.Line, err)
		}
		// A row's stock is the balance right after it in business-date order, given the
		// ledger and the file's rows before it: what the ledger records for it, and what
		// sell and restock print. For a file in date order it is the file's own running
		// balance.
		after, err := domain.QuantityFromCents(eff.After())
		if err != nil {
			return rep, fmt.Errorf("%s %d: %w", cmd.unit(), row.Line, err)
		}
		n := len(rep.Mismatches)
		rep.Mismatches = checkStock(rep.Mismatches, row, after)
		if len(rep.Mismatches) > n && row.Date.Before(last) && *row.Stock == s.Level() && len(refusal.FileOrder) < probeRows {
			refusal.FileOrder = append(refusal.FileOrder, FileOrderRow{BackdatedRow: BackdatedRow{Line: row.Line, Product: row.Product,
				Date: row.Date, Latest: last}, Balance: after})
		}
		if b, ok := earliest[row.Product]; row.Date.Before(last) && (!ok || row.Date.Before(b.Date)) {
			earliest[row.Product] = BackdatedRow{Line: row.Line, Product: row.Product, Date: row.Date, Latest: last}
		}
		if last.Before(row.Date) {
			last = row.Date
		}
		latest[row.Product] = last
		rep.Appended++
	}
	if len(rep.Mismatches)+len(rep.AlreadyMismatches) > 0 && !cmd.IgnoreStockColumn {
		refusal.Mismatches = len(rep.Mismatches) + len(rep.AlreadyMismatches)
		shifting := make(map[domain.ProductID]bool)
		for _, i := range claimed {
			// The ledger gave this row its balance before the earlier-dated row to record
			// existed; the file's balance includes it.
			if b, ok := earliest[cmd.Rows[i].Product]; ok && !cmd.Rows[i].Date.Before(b.Date) {
				refusal.Shifted++
				if !shifting[b.Product] {
					shifting[b.Product] = true
					refusal.Backdated = append(refusal.Backdated, b)
				}
			} else {
				refusal.SameSource++
			}
		}
		refusal, err := h.likelyCause(ctx, cmd.Rows, fates, refusal)
		if err != nil {
			return rep, err
		}
		return rep, refusal
	}
	if cmd.DryRun || rep.Appended == 0 {
		return rep, nil
	}

	// Second pass: the same decisions, from the same starting stock, appended.
	for p, snap := range start {
		stocks[p] = domain.RestoreStock(snap)
	}
	sim.reset()
	events := make([]domain.Event, 0, min(rep.Appended, importChunk))
	appended := 0
	flush := func() error {
		if len(events) == 0 {
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
	for i, row := range cmd.Rows {
		if fates[i] != fateAppend {
			continue
		}
		s := stocks[row.Product]
		e, _, err := sim.decide(ctx, s, op(i, ids.commandID(i)), h.newID(), now)
		if err != nil {
			// Deciding again from the same stock cannot differ: nothing is appended yet
			// for this chunk, but earlier chunks may be.
			return rep, partlyRecorded(fmt.Errorf("%s %d decided differently the second time: %w", cmd.unit(), row.Line, err))
		}
		events = append(events, e)
		if len(events) == importChunk {
			if err := flush(); err != nil {
				return rep, partlyRecorded(err)
			}
		}
	}
	if err := flush(); err != nil {
		return rep, partlyRecorded(err)
	}
	if err := h.projection.CatchUp(ctx); err != nil {
		return rep, partlyRecorded(err)
	}
	// Count this run's events by their recording time: another process importing the
	// same source at the same time records some of the same commands, which the log
	// accepts once.
	after, ours, err := h.model.CountRecordedAt(ctx, ids.prefix, now)
	if err != nil {
		return rep, err
	}
	rep.ByOthers = min(max(after-before-ours, 0), appended-ours)
	rep.Rejected = appended - ours - rep.ByOthers
	return rep, nil
}

// recorded returns the accepted operation of a row's command, by its identity or, for a
// file imported before sources, by its file and line. Only a source (or file) imported
// before can have rows in the ledger, so the lookups are skipped otherwise.
func (h ImportHandler) recorded(ctx context.Context, ids rowIdentities, i int, sourceSeen bool, fileID string, line int, fileSeen bool) (domain.Outcome, error) {
	if sourceSeen {
		prior, err := h.model.CommandOutcome(ctx, ids.commandID(i))
		if err != nil || prior.Found {
			return prior, err
		}
	}
	if fileSeen {
		return h.model.CommandOutcome(ctx, legacyCommandID(fileID, line))
	}
	return domain.Outcome{}, nil
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
			return fmt.Errorf("%s %d: %w", cmd.unit(), row.Line, &LookAlikeError{Product: row.Product, Existing: other})
		}
		if other, ok := inFile.LookAlike(id); ok {
			return fmt.Errorf("%s %d: %w", cmd.unit(), row.Line, &LookAlikeError{Product: row.Product, Existing: other, Line: created[other], Unit: cmd.unit()})
		}
		inFile.Add(id)
		created[id] = row.Line
	}
	return nil
}

func checkStock(issues []RowIssue, row ImportRow, ledger domain.Quantity) []RowIssue {
	if row.Stock != nil && *row.Stock != ledger {
		issues = append(issues, RowIssue{Line: row.Line,
			Msg: fmt.Sprintf("the file says stock %s for %q, the ledger computes %s", row.Stock, row.Product.String(), ledger)})
	}
	return issues
}

// partlyRecorded is the error of an import whose appending failed or was interrupted, or
// whose appended rows could not be projected: some rows may be in the log. Importing the
// same rows again is safe, since each row's command ID comes from its source and content.
func partlyRecorded(err error) error {
	return fmt.Errorf("%w: the rows may be partly recorded: %w; running the same import again is safe: it records each row at most once",
		ErrOutcomeUnknown, err)
}
