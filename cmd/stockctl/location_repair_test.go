package main_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRepairsPerLocationThroughTheBinary: 10 restocked in main, 4 moved to north, 3
// sold there. Voiding the transfer is refused (exit 1, naming north and the date of the
// sale it would leave short) and appends nothing; voiding the sale, then the transfer,
// puts the 10 back in main; a correction of a sale in north is a sale in north; a
// replay agrees. With -o json, each repair names its location (a count, an adjustment,
// the void of a sale in north: north, a repeat too; the void of a transfer: main to north).
func TestRepairsPerLocationThroughTheBinary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "location", "add", "north", "--name", "North warehouse")
	mustRun(t, dir, "restock", "P1", "10", "--date", "2024-05-01")
	transfer := eventIDOf(t, dir, "transfer", "P1", "4", "--from", "main", "--to", "north", "--date", "2024-05-02")
	sale := eventIDOf(t, dir, "sell", "P1", "3", "--location", "north", "--date", "2024-05-03")

	end := logEnd(t, dir)
	r := run(t, dir, "void", transfer, "--reason", "never left")
	want := "voiding this transfer would make the stock of P1 in north negative on 2024-05-03 (1.00 in stock then)"
	if r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Errorf("voiding the transfer whose goods north sold: exit %d, stderr %q; want exit 1 and %q", r.code, r.stderr, want)
	}
	if got := logEnd(t, dir); got != end {
		t.Errorf("a refused void appended to the log: end %d, was %d", got, end)
	}

	where := func(what string, args ...string) {
		t.Helper()
		var out struct{ Type, Location, To string }
		r := mustRun(t, dir, append(args, "-o", "json")...)
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.Type+" "+out.Location+" "+out.To != what {
			t.Errorf("%v -o json: %s, want type, location and to %q (%v)", args, r.stdout, what, err)
		}
	}
	where("void north ", "void", sale, "--reason", "typed in the wrong place", "--idempotency-key", "void-north")
	where("void north ", "void", sale, "--reason", "typed in the wrong place", "--idempotency-key", "void-north")
	r = mustRun(t, dir, "void", transfer, "--reason", "never left")
	if want := `voided the transfer of 4.00 of "P1" from main to north on 2024-05-02 00:00:00 (` + transfer + `): never left; stock now 10.00`; strings.TrimSpace(r.stdout) != want {
		t.Errorf("void of the transfer said %q, want %q", r.stdout, want)
	}
	if got := strings.Join(byLocation(t, dir), ","); got != "P1 main 10.00,P1 north 0.00,P1 total 10.00" {
		t.Errorf("after voiding the sale and the transfer, stock --by-location = %q", got)
	}

	mustRun(t, dir, "transfer", "P1", "5", "--from", "main", "--to", "north", "--date", "2024-05-04")
	wrong := eventIDOf(t, dir, "sell", "P1", "4", "--location", "north", "--date", "2024-05-05")
	r = mustRun(t, dir, "correct", wrong, "--quantity", "2", "--reason", "two were returned")
	if !strings.Contains(r.stdout, `corrected the sale of 4.00 of "P1" in north on 2024-05-05 00:00:00 to 2.00`) {
		t.Errorf("correct said %q", r.stdout)
	}
	want2 := "P1 main 5.00,P1 north 3.00,P1 total 8.00"
	if got := strings.Join(byLocation(t, dir), ","); got != want2 {
		t.Errorf("after correcting north's sale of 4 to 2, stock --by-location = %q, want %q", got, want2)
	}
	mustRun(t, dir, "replay")
	if got := strings.Join(byLocation(t, dir), ","); got != want2 {
		t.Errorf("after a replay, stock --by-location = %q, want %q", got, want2)
	}
	where("count north ", "count", "P1", "3", "--location", "north", "--reason", "shelf check")
	where("adjustment north ", "adjust", "P1", "-1", "--location", "north", "--reason", "damaged", "--idempotency-key", "adj-north")
	where("adjustment north ", "adjust", "P1", "-1", "--location", "north", "--reason", "damaged", "--idempotency-key", "adj-north")
	back := eventIDOf(t, dir, "transfer", "P1", "1", "--from", "main", "--to", "north", "--date", "2024-05-06")
	where("void main north", "void", back, "--reason", "never left", "--idempotency-key", "void-back")
	where("void main north", "void", back, "--reason", "never left", "--idempotency-key", "void-back")
}
