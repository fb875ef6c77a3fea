package readmodel_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/readmodel"
)

// MustOpenDB opens a read model for one test; the builder is shared (internal/testfix),
// the name kept for this package's tests.
var MustOpenDB = testfix.MustOpenDB

func TestBindLog(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		topic      string
		partitions int32
		want       error
	}{
		{"same topic and partitions", "stock.events", 3, nil},
		{"another topic", "other.events", 3, readmodel.ErrLogMismatch},
		{"repartitioned topic", "stock.events", 6, readmodel.ErrLogMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			if err := db.BindLog(ctx, "stock.events", 3); err != nil {
				t.Fatal(err)
			}
			err := db.BindLog(ctx, tt.topic, tt.partitions)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("BindLog(%q, %d) = %v, want %v", tt.topic, tt.partitions, err, tt.want)
			}
		})
	}
}

func TestBindCluster(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		first string // "" : a model from before cluster IDs were recorded
		then  string
		want  error
	}{
		{"a model from before IDs adopts the first one", "", "stockctl-a", nil},
		{"the same cluster", "stockctl-a", "stockctl-a", nil},
		{"another data directory's log", "stockctl-a", "stockctl-b", readmodel.ErrLogMismatch},
		{"a cluster that reports no ID checks nothing", "stockctl-a", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			if err := db.BindCluster(ctx, tt.first); err != nil {
				t.Fatal(err)
			}
			err := db.BindCluster(ctx, tt.then)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("BindCluster(%q) after %q = %v, want %v", tt.then, tt.first, err, tt.want)
			}
			if err != nil && !strings.Contains(err.Error(), "stockctl replay") {
				t.Errorf("the refusal should point to stockctl replay: %v", err)
			}
		})
	}
}

func TestOperationsViewHasTheOriginalColumns(t *testing.T) {
	db := MustOpenDB(t)
	raw, err := sql.Open("sqlite", db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT * FROM operations`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	if got := strings.Join(cols, ","); got != "operation_date,product_ID,operation_qt,stock,operation_type" {
		t.Fatalf("SELECT * FROM operations columns = %s", got)
	}
}

func TestOpenRefusesAFileThatIsNotAReadModel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "operations.db")
	if err := os.WriteFile(path, []byte("this is not a database, it is a text file of some length............"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readmodel.Open(context.Background(), path); !errors.Is(err, readmodel.ErrUnreadable) {
		t.Fatalf("Open of a text file = %v, want ErrUnreadable", err)
	}
}

func TestDiffOfEmptyModelsIsEmpty(t *testing.T) {
	ctx := context.Background()
	a, b := MustOpenDB(t), MustOpenDB(t)
	if d, err := readmodel.Diff(ctx, a, b, 5); err != nil || len(d) != 0 {
		t.Fatalf("Diff of two empty models = %v, %v", d, err)
	}
	if err := a.BindLog(ctx, "t", 3); err != nil {
		t.Fatal(err)
	}
	if d, err := readmodel.Diff(ctx, a, b, 5); err != nil || len(d) == 0 {
		t.Fatalf("Diff after binding one model = %v, %v; want a difference in meta", d, err)
	}
}
