package main_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/internal/testkafka"
)

// closeStatus is the part of `status --output json` about closes.
type closeStatus struct {
	ClosedThrough string `json:"closed_through"`
	Disagree      bool   `json:"closed_partitions_disagree"`
	Partitions    int    `json:"partitions"`
	Periods       []struct {
		Partition  int32  `json:"partition"`
		Through    string `json:"through"`
		RecordedBy string `json:"recorded_by"`
		Note       string `json:"note"`
	} `json:"closed_periods"`
}

func closedStatus(t *testing.T, dir string) (closeStatus, string) {
	t.Helper()
	r := mustRun(t, dir, "status", "--output", "json")
	var s closeStatus
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("status --output json: %v\n%v", err, r)
	}
	// The table's columns are aligned by width: compare with single spaces.
	return s, strings.Join(strings.Fields(mustRun(t, dir, "status").stdout), " ")
}

// wantRun runs stockctl and fails unless it exits code with want in its stderr.
func wantRun(t *testing.T, dir string, code int, want string, args ...string) result {
	t.Helper()
	r := run(t, dir, args...)
	if r.code != code || !strings.Contains(r.stderr, want) {
		t.Fatalf("want exit %d with %q on stderr, got %v", code, want, r)
	}
	return r
}

// produceTo appends raw records to given partitions of dir's topic, as another producer
// would: on the real cluster, or through the embedded broker started on dir's log.
func produceTo(t *testing.T, dir string, records ...producedRecord) {
	t.Helper()
	brokers := []string(nil)
	if testkafka.Real() {
		brokers = testkafka.Brokers(t)
	} else {
		b, err := eventlog.StartEmbedded(dir, "127.0.0.1:0", false)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		brokers = []string{b.Addr()}
	}
	for _, r := range records {
		testkafka.ProduceTo(t, brokers, topicFor(dir), r.partition, []byte(r.key), []byte(r.value))
	}
}

type producedRecord struct {
	partition int32
	key       string
	value     string
}

// modelTables dumps the tables a replay must rebuild identically, rows sorted. The
// ledger's id is left out: it numbers rows in the order the partitions were read.
func modelTables(t *testing.T, dir string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "operations.db")+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b strings.Builder
	for _, table := range []string{"ledger", "stock", "balances", "closed_periods", "rejected_events", "operations"} {
		rows, err := db.Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		var lines []string
		keep := make([]bool, len(cols))
		for i, c := range cols {
			keep[i] = c != "id"
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var line []string
			for i, v := range vals {
				if keep[i] {
					line = append(line, fmt.Sprintf("%v", v))
				}
			}
			lines = append(lines, strings.Join(line, "|"))
		}
		rows.Close()
		sort.Strings(lines)
		fmt.Fprintf(&b, "%s (%d rows):\n%s\n", table, len(lines), strings.Join(lines, "\n"))
	}
	return b.String()
}

// TestClosePeriod: the books closed through a day refuse every operation dated on or
// before it, by sell, restock and import, and only there; a close moves forward only and
// never past today; status shows it; a replay rebuilds the same model.
func TestClosePeriod(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "10", "--date", "2024-03-01")
	mustRun(t, dir, "restock", "P2", "10", "--date", "2024-03-01")
	s, table := closedStatus(t, dir)
	if s.ClosedThrough != "" || !strings.Contains(table, "books closed never (see stockctl close-period)") {
		t.Fatalf("before any close: %+v\n%s", s, table)
	}

	r := mustRun(t, dir, "close-period", "--through", "2024-03-31", "--note", "Q1 counted", "--operator", "ana")
	if got := strings.TrimSpace(r.stdout); got != "books closed through 2024-03-31: no operation dated on or before that day can be recorded from now on" {
		t.Fatalf("close-period said %q", got)
	}

	for _, args := range [][]string{
		{"sell", "P1", "1", "--date", "2024-03-15"},
		{"restock", "P2", "1", "--date", "2024-03-15"},
		{"sell", "P1", "1", "--date", "2024-03-31 23:59:59"},
	} {
		wantRun(t, dir, 1, "period closed through 2024-03-31", args...)
	}
	mustRun(t, dir, "sell", "P1", "1", "--date", "2024-04-01")
	mustRun(t, dir, "restock", "P2", "1", "--date", "2024-04-01")

	// Forward only, and never past today.
	wantRun(t, dir, 1, "the books are closed through 2024-03-31 already; a close can only move that day forward", "close-period", "--through", "2024-02-01")
	wantRun(t, dir, 1, "a close can only move that day forward", "close-period", "--through", "2024-03-31")
	tomorrow := time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	wantRun(t, dir, 2, "is after today", "close-period", "--through", tomorrow)
	wantRun(t, dir, 2, "a period that has not ended cannot be closed", "close-period", "--through", "2999-01-01")
	for _, bad := range [][]string{
		{"close-period"},
		{"close-period", "--through", "2024-04-01 10:00:00"},
		{"close-period", "--through", "2024-02-30"},
		{"close-period", "--through", "31/03/2024"},
		{"close-period", "2024-04-01"},
		{"close-period", "--through", "2024-04-01", "--operator", " "},
	} {
		wantRun(t, dir, 2, "close-period", bad...)
	}

	// An import refuses the rows of the closed period and records the others.
	csvPath := filepath.Join(dir, "in.csv")
	os.WriteFile(csvPath, []byte("operation_date;product_ID;operation_qt\n20/03/2024;P3;5\n02/04/2024;P3;5\n"), 0o644)
	wantRun(t, dir, 1, "refused: line 2: period closed through 2024-03-31: an operation dated 2024-03-20 can no longer be recorded", "import", csvPath)
	if levels := stockLevels(t, dir, "P1", "P2", "P3"); levels[0].Stock != "9.00" || levels[1].Stock != "11.00" || levels[2].Stock != "5.00" {
		t.Fatalf("stock after the refusals: %+v, want P1 9, P2 11, P3 5", levels)
	}

	s, table = closedStatus(t, dir)
	if s.ClosedThrough != "2024-03-31" || s.Disagree || len(s.Periods) != s.Partitions || s.Periods[0].RecordedBy != "ana" || s.Periods[0].Note != "Q1 counted" {
		t.Fatalf("status after the close: %+v", s)
	}
	if !strings.Contains(table, `books closed through 2024-03-31 (closed by ana at `) || !strings.Contains(table, `: "Q1 counted")`) || strings.Contains(table, "WARNING") {
		t.Fatalf("status table after the close:\n%s", table)
	}

	// What the projection decides from the log alone: another writer's sale dated in the
	// closed period, after the close in P1's partition, and a close through 2024-04-15
	// that reached partition 0 only.
	p1 := eventlog.PartitionFor([]byte("P1"), int32(s.Partitions))
	produceTo(t, dir,
		producedRecord{p1, "P1", `{"type":"StockSold","schema_version":1,"event_id":"late-1","command_id":"late-1","product_id":"P1","quantity":"1.00","expected_seq":3,"business_date":"2024-03-10 00:00:00","recorded_at":"2024-04-02T08:00:00Z","recorded_by":"bob"}`},
		producedRecord{0, "", `{"type":"PeriodClosed","schema_version":1,"event_id":"half","command_id":"half","business_date":"2024-04-15 00:00:00","recorded_at":"2024-04-16T08:00:00Z","recorded_by":"carl"}`},
	)
	mustRun(t, dir, "project", "--quiet")
	// History is in business-date order: the late sale sits at its date.
	var late *historyEntry
	for _, r := range history(t, dir, "P1") {
		if r.Date == "2024-03-10 00:00:00" {
			late = &r
		}
	}
	if late == nil || late.Status != "rejected" || !strings.Contains(late.Reason, "period") {
		t.Fatalf("P1's history after a sale dated in the closed period: %+v", late)
	}
	s, table = closedStatus(t, dir)
	if s.ClosedThrough != "2024-04-15" || !s.Disagree {
		t.Fatalf("status with a close in partition 0 only: %+v", s)
	}
	if !strings.Contains(table, "WARNING: the partitions disagree (partition 0 through 2024-04-15, partition 1 through 2024-03-31") ||
		!strings.Contains(table, "run stockctl close-period --through 2024-04-15 again to complete it") {
		t.Fatalf("status table with a close in partition 0 only:\n%s", table)
	}
	r = mustRun(t, dir, "close-period", "--through", "2024-04-15")
	if !strings.Contains(r.stdout, "books closed through 2024-04-15") || !strings.Contains(r.stdout, "completes the close that partitions 1, 2 had missed") {
		t.Fatalf("completing the close: %v", r)
	}
	if s, _ = closedStatus(t, dir); s.ClosedThrough != "2024-04-15" || s.Disagree {
		t.Fatalf("status after completing the close: %+v", s)
	}
	wantRun(t, dir, 1, "period closed through 2024-04-15", "sell", "P2", "1", "--date", "2024-04-10")

	before := modelTables(t, dir)
	for _, want := range []string{"closed_periods (3 rows)", "period_closed", "PeriodClosed"} {
		if !strings.Contains(before, want) {
			t.Fatalf("the model lacks %q:\n%s", want, before)
		}
	}
	mustRun(t, dir, "replay")
	if after := modelTables(t, dir); after != before {
		t.Fatalf("replay changed the model:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestClosePeriodNeedsALedger: closing the books of a data directory holding no ledger (a
// mistyped --data-dir) is refused (exit 3) and creates nothing; --help says how to use it.
// Embedded broker only: on a cluster the ledger is the topic.
func TestClosePeriodNeedsALedger(t *testing.T) {
	skipOnRealKafka(t)
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "typo")
	r := runEnv(t, dir, embeddedEnv, "close-period", "--through", "2024-03-31")
	if r.code != 3 || !strings.Contains(r.stderr, "no ledger at "+dir) {
		t.Fatalf("want exit 3 and no ledger, got %v", r)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("close-period created %s: %v", dir, err)
	}
	r = mustRunEnv(t, dir, embeddedEnv, "close-period", "--help")
	for _, want := range []string{"--through", "--note", "--operator", "Example: stockctl close-period --through 2024-03-31", "exit 1", "exit 2"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("close-period --help lacks %q:\n%s", want, r.stdout)
		}
	}
}

// TestAcknowledgedCloseWithUnwritableModelExitsFour: a close the log acknowledged but the
// read model could not take in (immutable, as a full disk would leave it) exits 4, not 3,
// and says what to do; once the model can be written, the next command takes the close in.
func TestAcknowledgedCloseWithUnwritableModelExitsFour(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	requireImmutable(t, dir)
	mustRun(t, dir, "restock", "P1", "10", "--date", "2024-03-01")
	db := filepath.Join(dir, "operations.db")
	if err := immutable(db, true); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { immutable(db, false) })
	r := run(t, dir, "close-period", "--through", "2024-03-31")
	if r.code != 4 || !strings.Contains(r.stderr, "outcome unknown") || !strings.Contains(r.stderr, "the log holds the close through 2024-03-31") {
		t.Fatalf("want exit 4 saying the log holds the close; got %v", r)
	}
	if err := immutable(db, false); err != nil {
		t.Fatal(err)
	}
	wantRun(t, dir, 1, "period closed through 2024-03-31", "sell", "P1", "1", "--date", "2024-03-15")
	if s, _ := closedStatus(t, dir); s.ClosedThrough != "2024-03-31" || s.Disagree {
		t.Fatalf("status once the model took the close in: %+v", s)
	}
}
