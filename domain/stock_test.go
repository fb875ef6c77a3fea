package domain_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
)

// meta returns metadata for an operation with the given event ID.
func meta(tb testing.TB, eventID string) domain.Metadata {
	tb.Helper()
	return domain.Metadata{
		EventID:      eventID,
		CommandID:    "cmd-" + eventID,
		BusinessDate: mustDate(tb, "2024-01-02 10:11:12"),
		RecordedAt:   time.Date(2024, 1, 2, 9, 11, 12, 500, time.UTC),
		RecordedBy:   "tester",
	}
}

// restocked returns the stock of product p after one accepted restock of each quantity.
func restocked(tb testing.TB, p string, quantities ...string) *domain.Stock {
	tb.Helper()
	s := domain.NewStock(mustProduct(tb, p))
	for i, q := range quantities {
		e, err := s.Restock(mustQuantity(tb, q), meta(tb, fmt.Sprintf("restock-%d", i)), domain.Conditions{})
		if err != nil {
			tb.Fatalf("Restock(%s): %v", q, err)
		}
		if _, err := s.Apply(e, domain.Conditions{}); err != nil {
			tb.Fatalf("Apply(restock %s): %v", q, err)
		}
	}
	return s
}

func TestNewStock(t *testing.T) {
	p := mustProduct(t, "P1")
	s := domain.NewStock(p)
	if s.Product() != p {
		t.Errorf("Product() = %q, want %q", s.Product(), p)
	}
	if s.Seq() != 0 {
		t.Errorf("Seq() = %d, want 0", s.Seq())
	}
	if !s.Level().IsZero() {
		t.Errorf("Level() = %s, want 0.00", s.Level())
	}
	if got, want := s.Snapshot(), (domain.Snapshot{Product: p}); !reflect.DeepEqual(got, want) {
		t.Errorf("Snapshot() = %+v, want %+v", got, want)
	}
}

func TestStockRestockThenApply(t *testing.T) {
	p := mustProduct(t, "P1")
	s := domain.NewStock(p)
	m := meta(t, "e1")
	m.RecordedAt = time.Date(2024, 1, 2, 11, 11, 12, 0, time.FixedZone("CET", 3600))
	m.Note = "delivery 42"

	e, err := s.Restock(mustQuantity(t, "10"), m, domain.Conditions{})
	if err != nil {
		t.Fatalf("Restock: %v", err)
	}
	want := domain.Event{
		Type:         domain.TypeStockRestocked,
		ID:           "e1",
		CommandID:    "cmd-e1",
		Product:      p,
		Quantity:     mustQuantity(t, "10"),
		ExpectedSeq:  1,
		BusinessDate: m.BusinessDate,
		RecordedBy:   "tester",
		Note:         "delivery 42",
	}
	got := e
	got.RecordedAt = time.Time{}
	if got != want {
		t.Errorf("Restock event = %+v, want %+v", got, want)
	}
	if !e.RecordedAt.Equal(m.RecordedAt) || e.RecordedAt.Location() != time.UTC {
		t.Errorf("RecordedAt = %v, want %v in UTC", e.RecordedAt, m.RecordedAt)
	}

	if _, err := s.Apply(e, domain.Conditions{}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if s.Level().String() != "10.00" || s.Seq() != 1 {
		t.Errorf("after Apply: level %s seq %d, want 10.00 seq 1", s.Level(), s.Seq())
	}
	if got := s.Snapshot().LastDate; got != m.BusinessDate {
		t.Errorf("Snapshot().LastDate = %s, want %s", got, m.BusinessDate)
	}

	e2, err := s.Restock(mustQuantity(t, "2.5"), meta(t, "e2"), domain.Conditions{})
	if err != nil {
		t.Fatalf("second Restock: %v", err)
	}
	if e2.ExpectedSeq != 2 {
		t.Errorf("second Restock ExpectedSeq = %d, want 2", e2.ExpectedSeq)
	}
	if _, err := s.Apply(e2, domain.Conditions{}); err != nil {
		t.Fatalf("second Apply: %v", err)
	}
	if s.Level().String() != "12.50" || s.Seq() != 2 {
		t.Errorf("after second Apply: level %s seq %d, want 12.50 seq 2", s.Level(), s.Seq())
	}
}

func TestStockSell(t *testing.T) {
	tests := []struct {
		name      string
		restocks  []string
		sell      string
		wantLevel string
	}{
		{name: "within stock", restocks: []string{"10"}, sell: "3", wantLevel: "7.00"},
		{name: "exactly the stock leaves zero", restocks: []string{"10"}, sell: "10", wantLevel: "0.00"},
		{name: "hundredths", restocks: []string{"1"}, sell: "0.01", wantLevel: "0.99"},
		{name: "across several restocks", restocks: []string{"2.5", "0.5"}, sell: "3", wantLevel: "0.00"},
		{name: "all of the maximum", restocks: []string{"99999999.99"}, sell: "99999999.99", wantLevel: "0.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := restocked(t, "P1", tt.restocks...)
			seq := s.Seq()
			e, err := s.Sell(mustQuantity(t, tt.sell), meta(t, "sale"), domain.Conditions{})
			if err != nil {
				t.Fatalf("Sell(%s): %v", tt.sell, err)
			}
			if e.Type != domain.TypeStockSold || e.ExpectedSeq != seq+1 || e.Quantity != mustQuantity(t, tt.sell) {
				t.Errorf("Sell event = %+v, want StockSold of %s expecting seq %d", e, tt.sell, seq+1)
			}
			if _, err := s.Apply(e, domain.Conditions{}); err != nil {
				t.Fatalf("Apply(sale): %v", err)
			}
			if got := s.Level().String(); got != tt.wantLevel {
				t.Errorf("level = %s, want %s", got, tt.wantLevel)
			}
			if s.Seq() != seq+1 {
				t.Errorf("seq = %d, want %d", s.Seq(), seq+1)
			}
		})
	}
}

func TestStockSellInsufficient(t *testing.T) {
	tests := []struct {
		name               string
		stock              func(t *testing.T) *domain.Stock
		sell               string
		wantAvailable      string
		wantNeverRestocked bool
		wantMsg            string
	}{
		{
			name:               "fresh product",
			stock:              func(t *testing.T) *domain.Stock { return domain.NewStock(mustProduct(t, "P1")) },
			sell:               "1",
			wantAvailable:      "0.00",
			wantNeverRestocked: true,
			wantMsg:            "never been restocked",
		},
		{
			name:          "one hundredth above the stock",
			stock:         func(t *testing.T) *domain.Stock { return restocked(t, "P1", "5") },
			sell:          "5.01",
			wantAvailable: "5.00",
			wantMsg:       "5.00 available, 5.01 requested",
		},
		{
			name: "sold out after a restock",
			stock: func(t *testing.T) *domain.Stock {
				s := restocked(t, "P1", "2")
				e, err := s.Sell(mustQuantity(t, "2"), meta(t, "sale-1"), domain.Conditions{})
				if err != nil {
					t.Fatalf("Sell: %v", err)
				}
				if _, err := s.Apply(e, domain.Conditions{}); err != nil {
					t.Fatalf("Apply: %v", err)
				}
				return s
			},
			sell:          "1",
			wantAvailable: "0.00",
			wantMsg:       "0.00 available, 1.00 requested",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.stock(t)
			e, err := s.Sell(mustQuantity(t, tt.sell), meta(t, "sale"), domain.Conditions{})
			if !errors.Is(err, domain.ErrInsufficientStock) {
				t.Fatalf("Sell(%s) error = %v, want ErrInsufficientStock", tt.sell, err)
			}
			if e != (domain.Event{}) {
				t.Errorf("Sell(%s) returned event %+v with an error, want the zero Event", tt.sell, e)
			}
			var ise *domain.InsufficientStockError
			if !errors.As(err, &ise) {
				t.Fatalf("Sell(%s) error %T is not an *InsufficientStockError", tt.sell, err)
			}
			if ise.Product != s.Product() {
				t.Errorf("Product = %q, want %q", ise.Product, s.Product())
			}
			if ise.Available.String() != tt.wantAvailable {
				t.Errorf("Available = %s, want %s", ise.Available, tt.wantAvailable)
			}
			if ise.Requested != mustQuantity(t, tt.sell) {
				t.Errorf("Requested = %s, want %s", ise.Requested, tt.sell)
			}
			if ise.NeverRestocked != tt.wantNeverRestocked {
				t.Errorf("NeverRestocked = %v, want %v", ise.NeverRestocked, tt.wantNeverRestocked)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantMsg)
			}
			if got := domain.RejectionReason(err); got != "insufficient_stock" {
				t.Errorf("RejectionReason = %q, want insufficient_stock", got)
			}
		})
	}
}

func TestStockRestockOverflow(t *testing.T) {
	tests := []struct {
		name     string
		restocks []string
		restock  string
		wantErr  bool
	}{
		{name: "maximum into an empty stock", restock: "99999999.99"},
		{name: "up to exactly the maximum", restocks: []string{"99999999.98"}, restock: "0.01"},
		{name: "one hundredth over the maximum", restocks: []string{"99999999.99"}, restock: "0.01", wantErr: true},
		{name: "maximum onto a small stock", restocks: []string{"0.01"}, restock: "99999999.99", wantErr: true},
		{name: "two halves over the maximum", restocks: []string{"50000000"}, restock: "50000000", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := restocked(t, "P1", tt.restocks...)
			e, err := s.Restock(mustQuantity(t, tt.restock), meta(t, "r"), domain.Conditions{})
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("Restock(%s): %v", tt.restock, err)
				}
				if _, err := s.Apply(e, domain.Conditions{}); err != nil {
					t.Fatalf("Apply: %v", err)
				}
				if s.Level().Cmp(domain.MaxQuantity) > 0 {
					t.Errorf("level %s above MaxQuantity", s.Level())
				}
				return
			}
			if !errors.Is(err, domain.ErrStockOverflow) {
				t.Fatalf("Restock(%s) error = %v, want ErrStockOverflow", tt.restock, err)
			}
			if e != (domain.Event{}) {
				t.Errorf("Restock returned event %+v with an error, want the zero Event", e)
			}
			if got := domain.RejectionReason(err); got != "stock_overflow" {
				t.Errorf("RejectionReason = %q, want stock_overflow", got)
			}
		})
	}
}

func TestStockDecisionsDoNotChangeState(t *testing.T) {
	tests := []struct {
		name   string
		decide func(t *testing.T, s *domain.Stock) error
	}{
		{name: "accepted sale", decide: func(t *testing.T, s *domain.Stock) error {
			_, err := s.Sell(mustQuantity(t, "3"), meta(t, "d"), domain.Conditions{})
			return err
		}},
		{name: "refused sale", decide: func(t *testing.T, s *domain.Stock) error {
			_, err := s.Sell(mustQuantity(t, "11"), meta(t, "d"), domain.Conditions{})
			return expectErr(err, domain.ErrInsufficientStock)
		}},
		{name: "accepted restock", decide: func(t *testing.T, s *domain.Stock) error {
			_, err := s.Restock(mustQuantity(t, "3"), meta(t, "d"), domain.Conditions{})
			return err
		}},
		{name: "refused restock", decide: func(t *testing.T, s *domain.Stock) error {
			_, err := s.Restock(domain.MaxQuantity, meta(t, "d"), domain.Conditions{})
			return expectErr(err, domain.ErrStockOverflow)
		}},
		{name: "zero quantity sale", decide: func(t *testing.T, s *domain.Stock) error {
			_, err := s.Sell(domain.Quantity{}, meta(t, "d"), domain.Conditions{})
			return expectErr(err, domain.ErrInvalidQuantity)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := restocked(t, "P1", "10")
			before := s.Snapshot()
			if err := tt.decide(t, s); err != nil {
				t.Fatalf("decision: %v", err)
			}
			if after := s.Snapshot(); !reflect.DeepEqual(after, before) {
				t.Errorf("decision changed the stock from %+v to %+v", before, after)
			}
		})
	}
}

// expectErr returns nil when err matches want, and a descriptive error otherwise.
func expectErr(err, want error) error {
	if errors.Is(err, want) {
		return nil
	}
	return fmt.Errorf("got error %v, want %v", err, want)
}

func TestStockZeroQuantityIsRefused(t *testing.T) {
	s := restocked(t, "P1", "10")
	if _, err := s.Sell(domain.Quantity{}, meta(t, "s"), domain.Conditions{}); !errors.Is(err, domain.ErrInvalidQuantity) {
		t.Errorf("Sell(0) error = %v, want ErrInvalidQuantity", err)
	}
	if _, err := s.Restock(domain.Quantity{}, meta(t, "r"), domain.Conditions{}); !errors.Is(err, domain.ErrInvalidQuantity) {
		t.Errorf("Restock(0) error = %v, want ErrInvalidQuantity", err)
	}
}

func TestStockApplyRejects(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(t *testing.T, e *domain.Event) // changes a valid sale of 3 expecting seq 2
		want    error
		wantWhy string
	}{
		{name: "expected seq already taken", edit: func(t *testing.T, e *domain.Event) { e.ExpectedSeq = 1 }, want: domain.ErrSequenceConflict, wantWhy: "sequence_conflict"},
		{name: "expected seq zero", edit: func(t *testing.T, e *domain.Event) { e.ExpectedSeq = 0 }, want: domain.ErrSequenceConflict, wantWhy: "sequence_conflict"},
		{name: "expected seq skips ahead", edit: func(t *testing.T, e *domain.Event) { e.ExpectedSeq = 3 }, want: domain.ErrSequenceConflict, wantWhy: "sequence_conflict"},
		{name: "expected seq far ahead", edit: func(t *testing.T, e *domain.Event) { e.ExpectedSeq = 1 << 40 }, want: domain.ErrSequenceConflict, wantWhy: "sequence_conflict"},
		{name: "other product", edit: func(t *testing.T, e *domain.Event) { e.Product = mustProduct(t, "P2") }, want: domain.ErrMalformedEvent, wantWhy: "invalid"},
		{name: "unknown type", edit: func(t *testing.T, e *domain.Event) { e.Type = "StockTeleported" }, want: domain.ErrUnknownEventType, wantWhy: "invalid"},
		{name: "zero quantity", edit: func(t *testing.T, e *domain.Event) { e.Quantity = domain.Quantity{} }, want: domain.ErrInvalidQuantity, wantWhy: "invalid"},
		{name: "sale above the stock", edit: func(t *testing.T, e *domain.Event) { e.Quantity = mustQuantity(t, "10.01") }, want: domain.ErrInsufficientStock, wantWhy: "insufficient_stock"},
		{name: "restock over the maximum", edit: func(t *testing.T, e *domain.Event) {
			e.Type = domain.TypeStockRestocked
			e.Quantity = domain.MaxQuantity
		}, want: domain.ErrStockOverflow, wantWhy: "stock_overflow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := restocked(t, "P1", "10")
			e, err := s.Sell(mustQuantity(t, "3"), meta(t, "sale"), domain.Conditions{})
			if err != nil {
				t.Fatalf("Sell: %v", err)
			}
			tt.edit(t, &e)
			before := s.Snapshot()
			_, err = s.Apply(e, domain.Conditions{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Apply error = %v, want %v", err, tt.want)
			}
			if after := s.Snapshot(); !reflect.DeepEqual(after, before) {
				t.Errorf("rejected Apply changed the stock from %+v to %+v", before, after)
			}
			if got := domain.RejectionReason(err); got != tt.wantWhy {
				t.Errorf("RejectionReason(%v) = %q, want %q", err, got, tt.wantWhy)
			}
		})
	}
}

// Two sales decided from the same state both pass Sell; the log decides which one wins,
// and the loser is rejected when applied even if it would still fit.
func TestStockApplyRejectsRacedSale(t *testing.T) {
	tests := []struct {
		name   string
		first  string
		second string
	}{
		{name: "second sale would overdraw", first: "6", second: "6"},
		{name: "second sale would still fit", first: "1", second: "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := restocked(t, "P1", "10")
			a, err := s.Sell(mustQuantity(t, tt.first), meta(t, "a"), domain.Conditions{})
			if err != nil {
				t.Fatalf("Sell a: %v", err)
			}
			b, err := s.Sell(mustQuantity(t, tt.second), meta(t, "b"), domain.Conditions{})
			if err != nil {
				t.Fatalf("Sell b: %v", err)
			}
			if a.ExpectedSeq != b.ExpectedSeq {
				t.Fatalf("sales decided from the same state expect seq %d and %d", a.ExpectedSeq, b.ExpectedSeq)
			}
			if _, err := s.Apply(a, domain.Conditions{}); err != nil {
				t.Fatalf("Apply a: %v", err)
			}
			after := s.Snapshot()
			if _, err := s.Apply(b, domain.Conditions{}); !errors.Is(err, domain.ErrSequenceConflict) {
				t.Fatalf("Apply b error = %v, want ErrSequenceConflict", err)
			}
			if got := s.Snapshot(); !reflect.DeepEqual(got, after) {
				t.Errorf("rejected sale changed the stock from %+v to %+v", after, got)
			}
			want := mustQuantity(t, "10").Cents() - mustQuantity(t, tt.first).Cents()
			if s.Level().Cents() != want || s.Seq() != 2 {
				t.Errorf("level %s seq %d, want %d cents seq 2", s.Level(), s.Seq(), want)
			}
		})
	}
}

// A redelivered event must not be counted twice.
func TestStockApplySameEventTwice(t *testing.T) {
	s := restocked(t, "P1")
	e, err := s.Restock(mustQuantity(t, "5"), meta(t, "r"), domain.Conditions{})
	if err != nil {
		t.Fatalf("Restock: %v", err)
	}
	if _, err := s.Apply(e, domain.Conditions{}); err != nil {
		t.Fatalf("first Apply: %v", err)
	}
	if _, err := s.Apply(e, domain.Conditions{}); !errors.Is(err, domain.ErrSequenceConflict) {
		t.Fatalf("second Apply error = %v, want ErrSequenceConflict", err)
	}
	if s.Level().String() != "5.00" || s.Seq() != 1 {
		t.Errorf("level %s seq %d, want 5.00 seq 1", s.Level(), s.Seq())
	}
}

func TestStockApplyRecordsLastDate(t *testing.T) {
	s := domain.NewStock(mustProduct(t, "P1"))
	for i, date := range []string{"2024-01-01", "2024-03-05 08:00:00"} {
		m := meta(t, fmt.Sprint(i))
		m.BusinessDate = mustDate(t, date)
		e, err := s.Restock(mustQuantity(t, "1"), m, domain.Conditions{})
		if err != nil {
			t.Fatalf("Restock: %v", err)
		}
		if _, err := s.Apply(e, domain.Conditions{}); err != nil {
			t.Fatalf("Apply: %v", err)
		}
		if got := s.Snapshot().LastDate; got != m.BusinessDate {
			t.Errorf("after event %d: LastDate = %s, want %s", i, got, m.BusinessDate)
		}
	}
}

func TestSnapshotRestoreRoundTrip(t *testing.T) {
	original := restocked(t, "P1", "10", "2.5")
	sale, err := original.Sell(mustQuantity(t, "4"), meta(t, "s"), domain.Conditions{})
	if err != nil {
		t.Fatalf("Sell: %v", err)
	}
	if _, err := original.Apply(sale, domain.Conditions{}); err != nil {
		t.Fatalf("Apply: %v", err)
	}

	snap := original.Snapshot()
	want := domain.Snapshot{Product: mustProduct(t, "P1"), Seq: 3, Level: mustQuantity(t, "8.5"), LastDate: mustDate(t, "2024-01-02 10:11:12"),
		DateNet: 850} // every operation is dated the same: 10 + 2.5 - 4
	if !reflect.DeepEqual(snap, want) {
		t.Fatalf("Snapshot() = %+v, want %+v", snap, want)
	}
	restored := domain.RestoreStock(snap)
	if got := restored.Snapshot(); !reflect.DeepEqual(got, snap) {
		t.Errorf("RestoreStock(s).Snapshot() = %+v, want %+v", got, snap)
	}
	if restored.Product() != original.Product() || restored.Seq() != original.Seq() || restored.Level() != original.Level() {
		t.Errorf("restored stock %q seq %d level %s, want %q seq %d level %s",
			restored.Product(), restored.Seq(), restored.Level(), original.Product(), original.Seq(), original.Level())
	}

	// The restored stock makes the same decisions and accepts the original's next event.
	next, err := original.Sell(mustQuantity(t, "8.5"), meta(t, "next"), domain.Conditions{})
	if err != nil {
		t.Fatalf("Sell on original: %v", err)
	}
	fromRestored, err := restored.Sell(mustQuantity(t, "8.5"), meta(t, "next"), domain.Conditions{})
	if err != nil {
		t.Fatalf("Sell on restored: %v", err)
	}
	if fromRestored != next {
		t.Errorf("restored Sell = %+v, want %+v", fromRestored, next)
	}
	if _, err := restored.Apply(next, domain.Conditions{}); err != nil {
		t.Fatalf("Apply on restored: %v", err)
	}
	if !restored.Level().IsZero() || restored.Seq() != 4 {
		t.Errorf("restored after sale: level %s seq %d, want 0.00 seq 4", restored.Level(), restored.Seq())
	}
	if original.Seq() != 3 {
		t.Errorf("applying to the restored stock changed the original: seq %d", original.Seq())
	}
}

func TestRejectionReason(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{name: "accepted", err: nil, want: ""},
		{name: "duplicate command", err: domain.ErrDuplicateCommand, want: "duplicate_command"},
		{name: "wrapped duplicate command", err: fmt.Errorf("apply: %w", domain.ErrDuplicateCommand), want: "duplicate_command"},
		{name: "sequence conflict", err: domain.ErrSequenceConflict, want: "sequence_conflict"},
		{name: "wrapped sequence conflict", err: fmt.Errorf("apply: %w", domain.ErrSequenceConflict), want: "sequence_conflict"},
		{name: "insufficient stock sentinel", err: domain.ErrInsufficientStock, want: "insufficient_stock"},
		{name: "insufficient stock error value", err: &domain.InsufficientStockError{}, want: "insufficient_stock"},
		{name: "wrapped insufficient stock error value", err: fmt.Errorf("sell: %w", &domain.InsufficientStockError{}), want: "insufficient_stock"},
		{name: "stock overflow", err: domain.ErrStockOverflow, want: "stock_overflow"},
		{name: "wrapped stock overflow", err: fmt.Errorf("restock: %w", domain.ErrStockOverflow), want: "stock_overflow"},
		{name: "invalid quantity", err: domain.ErrInvalidQuantity, want: "invalid"},
		{name: "malformed event", err: domain.ErrMalformedEvent, want: "invalid"},
		{name: "unknown event type", err: domain.ErrUnknownEventType, want: "invalid"},
		{name: "unrelated error", err: errors.New("disk full"), want: "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.RejectionReason(tt.err); got != tt.want {
				t.Errorf("RejectionReason(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestInsufficientStockErrorIsOnlyInsufficientStock(t *testing.T) {
	err := &domain.InsufficientStockError{}
	for _, other := range []error{domain.ErrStockOverflow, domain.ErrSequenceConflict, domain.ErrInvalidQuantity} {
		if errors.Is(err, other) {
			t.Errorf("errors.Is(InsufficientStockError, %v) = true, want false", other)
		}
	}
}
