package main_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/eventlog"
)

// repairEntry is an element of `history --output json` with the fields a repair fills.
type repairEntry struct {
	historyEntry
	EventID      string `json:"event_id"`
	VoidedBy     string `json:"voided_by"`
	VoidReason   string `json:"void_reason"`
	Target       string `json:"target"`
	RepairReason string `json:"repair_reason"`
	Delta        string `json:"delta"`
	Counted      string `json:"counted"`
	Expected     string `json:"expected"`
}

func repairHistory(t *testing.T, dir, product string) []repairEntry {
	t.Helper()
	r := mustRun(t, dir, "history", "--output", "json", product)
	var entries []repairEntry
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil {
		t.Fatalf("history --output json: %v\n%v", err, r)
	}
	return entries
}

// repairOut is what a repair prints with --output json.
type repairOut struct {
	EventID         string `json:"event_id"`
	Type            string `json:"type"`
	Target          string `json:"target"`
	Product         string `json:"product"`
	Delta           string `json:"delta"`
	Counted         string `json:"counted"`
	Expected        string `json:"expected"`
	Stock           string `json:"stock"`
	AlreadyRecorded bool   `json:"already_recorded"`
	Message         string `json:"message"`
}

func repairJSON(t *testing.T, dir string, args ...string) repairOut {
	t.Helper()
	r := mustRun(t, dir, append(args, "-o", "json")...)
	var out repairOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return out
}

// eventIDOf records an operation with --output json and returns its event ID.
func eventIDOf(t *testing.T, dir string, args ...string) string {
	t.Helper()
	r := mustRun(t, dir, append(args, "-o", "json")...)
	var out struct {
		EventID string `json:"event_id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.EventID == "" {
		t.Fatalf("%v: no event ID: %v\n%v", args, err, r)
	}
	return out.EventID
}

// logEnd is the sum of the log's end offsets: what has been appended, in all.
func logEnd(t *testing.T, dir string) int64 {
	t.Helper()
	r := mustRun(t, dir, "status", "--output", "json")
	var s struct {
		Offsets []struct {
			End int64 `json:"end_offset"`
		} `json:"offsets"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("status --output json: %v\n%v", err, r)
	}
	var n int64
	for _, o := range s.Offsets {
		n += o.End
	}
	return n
}

// TestRepairStoryThroughTheBinary is the "done when": a sale of 30 typed for 3,
// voided by a prefix of its event ID, then the 3 sold, leaves the stock at 40 and the
// history with all three and the reason; the same void again with its key is "already
// recorded"; a count of 37 records -3; an adjustment and a correction do what they say.
func TestRepairStoryThroughTheBinary(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "43", "--date", "2024-05-01")
	mistake := eventIDOf(t, dir, "sell", "P1", "30", "--date", "2024-05-02")
	r := mustRun(t, dir, "void", mistake[:8], "--reason", "typed 30 for 3", "--idempotency-key", "void-1")
	if want := `voided the sale of 30.00 of "P1" on 2024-05-02 00:00:00 (` + mistake + `): typed 30 for 3; stock now 43.00`; strings.TrimSpace(r.stdout) != want {
		t.Errorf("void said %q, want %q", r.stdout, want)
	}
	end := logEnd(t, dir)
	again := repairJSON(t, dir, "void", mistake[:8], "--reason", "typed 30 for 3", "--idempotency-key", "void-1")
	if !again.AlreadyRecorded || !strings.HasPrefix(again.Message, "already recorded") || again.Target != mistake || logEnd(t, dir) != end {
		t.Errorf("the same void again: %+v; log end %d, was %d", again, logEnd(t, dir), end)
	}
	mustRun(t, dir, "sell", "P1", "3", "--date", "2024-05-02")
	if levels := stockLevels(t, dir, "P1"); len(levels) != 1 || levels[0].Stock != "40.00" {
		t.Fatalf("stock after the void and the sale of 3 = %+v, want 40.00", levels)
	}
	h := repairHistory(t, dir, "P1")
	if len(h) != 4 || h[1].EventID != mistake || h[1].Status != "voided" || h[1].Stock != "" || h[1].VoidReason != "typed 30 for 3" ||
		h[2].Type != "void" || h[2].Target != mistake || h[2].EventID != h[1].VoidedBy || h[2].RepairReason != "typed 30 for 3" ||
		h[3].Type != "sale" || h[3].Quantity != "3.00" || h[3].Stock != "40.00" {
		t.Fatalf("history after the void: %+v", h)
	}
	piped := mustRun(t, dir, "history", "P1").stdout
	if strings.Contains(piped, "\x1b") {
		t.Errorf("history through a pipe has terminal escapes:\n%q", piped)
	}
	table := strings.Join(strings.Fields(piped), " ")
	for _, want := range []string{"sale 30.00 VOIDED voided by " + h[2].EventID[:8] + ": typed 30 for 3",
		"void 30.00 accepted void of " + mistake[:8] + ": typed 30 for 3", "sale 3.00 40.00 accepted"} {
		if !strings.Contains(table, want) {
			t.Errorf("history table lacks %q:\n%s", want, table)
		}
	}

	count := repairJSON(t, dir, "count", "P1", "37", "--date", "2024-05-03", "--reason", "monthly count")
	if count.Type != "count" || count.Delta != "-3.00" || count.Counted != "37.00" || count.Expected != "40.00" || count.Stock != "37.00" {
		t.Errorf("count 37: %+v", count)
	}
	if levels := stockLevels(t, dir, "P1"); levels[0].Stock != "37.00" {
		t.Errorf("stock after the count = %s, want 37.00", levels[0].Stock)
	}
	r = mustRun(t, dir, "adjust", "P1", "-2", "--reason", "damaged", "--note", "dropped pallet", "--date", "2024-05-04")
	if want := `adjusted "P1" by -2.00 (damaged) on 2024-05-04 00:00:00; stock now 35.00`; strings.TrimSpace(r.stdout) != want {
		t.Errorf("adjust said %q, want %q", r.stdout, want)
	}
	mustRun(t, dir, "count", "P1", "35", "--date", "2024-05-04 18:00:00")
	restock := eventIDOf(t, dir, "restock", "P1", "5", "--date", "2024-05-05")
	corr := repairJSON(t, dir, "correct", restock, "--quantity", "6", "--reason", "miscounted the box")
	if corr.Type != "correction" || corr.Target != restock || corr.Delta != "1.00" || corr.Stock != "41.00" {
		t.Errorf("correct: %+v", corr)
	}
	table = strings.Join(strings.Fields(mustRun(t, dir, "history", "P1").stdout), " ")
	for _, want := range []string{"count 37.00 37.00 accepted counted 37.00, expected 40.00, -3.00: monthly count",
		"adjustment 2.00 35.00 accepted damaged, -2.00", "count 35.00 35.00 accepted counted 35.00, expected 35.00, 0.00",
		"restock 5.00 VOIDED voided by " + corr.EventID[:8] + ": miscounted the box",
		"restock 6.00 41.00 accepted corrects " + restock[:8] + ": miscounted the box"} {
		if !strings.Contains(table, want) {
			t.Errorf("history table lacks %q:\n%s", want, table)
		}
	}
	if levels := stockLevels(t, dir, "P1"); levels[0].Stock != "41.00" {
		t.Errorf("stock after the correction = %s, want 41.00", levels[0].Stock)
	}
	// Nothing left: a count of 0 is a count.
	if zero := repairJSON(t, dir, "count", "P1", "0", "--date", "2024-05-06"); zero.Delta != "-41.00" || zero.Stock != "0.00" {
		t.Errorf("count 0: %+v", zero)
	}
	if found := repairJSON(t, dir, "adjust", "P1", "+1.5", "--reason", "found", "--date", "2024-05-07"); found.Delta != "1.50" || found.Stock != "1.50" {
		t.Errorf("adjust +1.5: %+v", found)
	}
}

// TestRepairRefusalsThroughTheBinary: each refusal exits with its code and says why, and
// appends nothing to the log.
func TestRepairRefusalsThroughTheBinary(t *testing.T) {
	dir := t.TempDir()
	early := eventIDOf(t, dir, "restock", "P2", "4", "--date", "2024-04-10")
	sale := eventIDOf(t, dir, "sell", "P2", "1", "--date", "2024-04-11")
	restock := eventIDOf(t, dir, "restock", "P1", "5", "--date", "2024-05-03")
	mustRun(t, dir, "sell", "P1", "5", "--date", "2024-05-03")
	// A sale another writer appended that the ledger refused: a writer refuses before
	// appending, the projection only a sale that lost a race.
	s, _ := closedStatus(t, dir)
	rejected := "rejected-sale-0001"
	produceTo(t, dir, producedRecord{eventlog.PartitionFor([]byte("P1"), int32(s.Partitions)), "P1", `{"type":"StockSold","schema_version":1,` +
		`"event_id":"` + rejected + `","command_id":"other-1","product_id":"P1","quantity":"500.00","expected_seq":3,` +
		`"business_date":"2024-05-03 00:00:00","recorded_at":"2024-05-03T08:00:00Z","recorded_by":"bob"}`})
	if h := repairHistory(t, dir, "P1"); len(h) != 3 || h[2].Status != "rejected" || h[2].EventID != rejected {
		t.Fatalf("history with the other writer's sale: %+v", h)
	}
	voided := eventIDOf(t, dir, "restock", "P3", "2", "--date", "2024-05-03")
	void := repairJSON(t, dir, "void", voided, "--reason", "wrong product")
	count := repairJSON(t, dir, "count", "P3", "1", "--date", "2024-05-04")
	mustRun(t, dir, "close-period", "--through", "2024-04-30")
	end := logEnd(t, dir)
	for _, tc := range []struct {
		name string
		code int
		want string
		args []string
	}{
		{"unknown ID", 1, "no operation has an event ID starting with deadbeef", []string{"void", "deadbeef", "--reason", "x"}},
		{"not accepted", 1, "was refused when it was recorded", []string{"void", rejected[:8], "--reason", "x"}},
		{"already voided", 1, "operation already voided: " + voided + " was voided by " + void.EventID, []string{"void", voided, "--reason", "x"}},
		{"a void's ID", 1, void.EventID + " is a void of " + voided + ", not an operation", []string{"void", void.EventID[:8], "--reason", "x"}},
		{"closed period", 1, "period closed", []string{"void", early, "--reason", "x"}},
		{"closed period correction", 1, "period closed", []string{"correct", sale, "--quantity", "2", "--reason", "x"}},
		{"units sold", 1, "voiding this restock would make the stock of P1 negative on 2024-05-03", []string{"void", restock[:12], "--reason", "x"}},
		{"short prefix", 2, "too short: give at least 8 characters", []string{"void", restock[:7], "--reason", "x"}},
		{"no reason", 2, "void: --reason is required", []string{"void", restock}},
		{"blank reason", 2, "void: --reason is required", []string{"void", restock, "--reason", "  "}},
		{"two IDs", 2, "void takes one EVENT_ID, got 2", []string{"void", restock, early, "--reason", "x"}},
		{"correct nothing", 2, "correct: nothing to correct: give --quantity, --date or --note", []string{"correct", restock, "--reason", "x"}},
		{"correct the same", 2, "already has that quantity, date and note", []string{"correct", restock, "--quantity", "5", "--reason", "x"}},
		{"correct without reason", 2, "correct: --reason is required", []string{"correct", restock, "--quantity", "4"}},
		{"correct a count", 1, count.EventID + " is a count: void it and record the count again", []string{"correct", count.EventID[:8], "--quantity", "2", "--reason", "x"}},
		{"adjust bad code", 2, `adjust: --reason "broken" is not a reason code: use one of damaged, lost, expired, found, other`, []string{"adjust", "P1", "+1", "--reason", "broken"}},
		{"adjust no reason", 2, "adjust: --reason is required: one of damaged, lost, expired, found, other", []string{"adjust", "P1", "+1"}},
		{"adjust no sign", 2, `"1" has no sign: give -1 to take units out of stock or +1 to put them in`, []string{"adjust", "P1", "1", "--reason", "found"}},
		{"adjust below zero", 1, "removing 1.00 (lost) would make the stock of P1 negative on 2024-05-03", []string{"adjust", "P1", "-1", "--reason", "lost", "--date", "2024-05-03"}},
		{"count negative", 2, "invalid quantity", []string{"count", "P1", "-1"}},
		{"count in a closed period", 1, "period closed", []string{"count", "P2", "1", "--date", "2024-04-20"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantRun(t, dir, tc.code, tc.want, tc.args...)
		})
	}
	if got := logEnd(t, dir); got != end {
		t.Errorf("the refusals appended %d record(s)", got-end)
	}
	// --output json reports the code for scripts.
	r := run(t, dir, "void", "deadbeef", "--reason", "x", "-o", "json")
	if r.code != 1 || !strings.Contains(r.stdout, `"code": "no_such_operation"`) {
		t.Errorf("void -o json of an unknown ID: %v", r)
	}
	r = run(t, dir, "void", restock[:7], "--reason", "x", "-o", "json")
	if r.code != 2 || !strings.Contains(r.stdout, `"code": "ambiguous_event_id"`) {
		t.Errorf("void -o json of a short prefix: %v", r)
	}
}

// TestRepairHelp: each repair command's help names its arguments and has an example.
func TestRepairHelp(t *testing.T) {
	dir := t.TempDir()
	for cmd, want := range map[string]string{
		"void":    `Example: stockctl void 3f2a9c1e --reason "typed 30 for 3"`,
		"correct": `Example: stockctl correct 3f2a9c1e --quantity 3 --reason "typed 30 for 3"`,
		"count":   `Example: stockctl count P1 37 --date 2024-05-03 --reason "monthly count"`,
		"adjust":  `Examples: stockctl adjust P1 -2 --reason damaged --note "dropped pallet"`,
	} {
		r := mustRun(t, dir, cmd, "--help")
		if !strings.Contains(r.stdout, want) || !strings.Contains(r.stdout, "--reason") || !strings.Contains(r.stdout, "--idempotency-key") {
			t.Errorf("%s --help lacks %q:\n%s", cmd, want, r.stdout)
		}
	}
}
