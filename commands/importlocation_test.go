package commands_test

import (
	"bytes"
	"os"
	"reflect"
	"testing"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/ledgercsv"
)

// TestImportKeysOfMainRowsUnchanged: the original file's rows, in main, keep the command
// IDs imports gave them before locations (computed by 259fd5b's code), so re-importing
// an old file into an upgraded ledger records nothing twice; the same rows in north get
// other keys, each different.
func TestImportKeysOfMainRowsUnchanged(t *testing.T) {
	b, err := os.ReadFile("/work/shared/seed/operations.csv")
	if err != nil {
		b, err = os.ReadFile("../data/operations.csv")
	}
	if err != nil {
		t.Fatal(err)
	}
	rows, bad, err := ledgercsv.ReadAs(bytes.NewReader(b), ledgercsv.Options{}, func(r ledgercsv.Row) commands.ImportRow { return commands.ImportRow(r) })
	if err != nil || len(bad) > 0 {
		t.Fatal(err, bad)
	}
	got, err := commands.ImportCommandIDs("operations.csv", rows)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"import:c11beb2447b5bb8a/a6f371262d66138666de6451cacde2d8",
		"import:c11beb2447b5bb8a/a6db9e2c62acc091d611730bf9fc9290",
		"import:c11beb2447b5bb8a/5fa224fe23e0ad1ef57a9aa0b254e23e",
		"import:c11beb2447b5bb8a/dce808e9b000b62aa23ca08b93d485e4",
		"import:c11beb2447b5bb8a/5df36b2427bd1f20659d502de7ad5eb5",
		"import:c11beb2447b5bb8a/3f3c92ff4ea08a8f57c2aa852cfc2023",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("keys of the original file's rows in main changed:\n got %q\nwant %q", got, want)
	}
	north, err := domain.ParseLocationID("north")
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		rows[i].Location = north
	}
	moved, err := commands.ImportCommandIDs("operations.csv", rows)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, id := range append(moved, want...) {
		if seen[id] {
			t.Fatalf("key %s given twice: a row in north shares a key with another row", id)
		}
		seen[id] = true
	}
}
