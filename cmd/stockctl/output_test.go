package main_test

import (
	"database/sql"
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/internal/testkafka"
)

// liveChars returns the characters of s a terminal could act on: controls but newline
// (and CR before a newline, as CSV ends lines), format and bidi characters, line and
// paragraph separators, bytes that are not UTF-8.
func liveChars(s string) []string {
	var live []string
	for i, r := range s {
		switch {
		case r == '\n', r == '\r' && strings.HasPrefix(s[i:], "\r\n"):
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			live = append(live, s[i:i+1])
		case !unicode.IsGraphic(r):
			live = append(live, string(r))
		}
	}
	return live
}

// TestTerminalInjectionIsEscaped: a record written by a plain Kafka client, as kcat
// would, with a note and an operator that clear the screen, set the window title, ring
// the bell, rewrite the line, forge a second line and reverse the text: the projection
// accepts it, and no output of stockctl passes one of those characters to the terminal;
// the table shows them as visible escapes, JSON gives back the exact text.
func TestTerminalInjectionIsEscaped(t *testing.T) {
	dir := t.TempDir()
	brokers, topic, env := rawLog(t, dir)
	mustRunEnv(t, dir, env, "restock", "P1", "10")

	note := "\x1b[2J\x1b[Hscreen cleared\x1b]0;pwned\x07\r\nforged line 2024-01-01 restock 999\u202eevil\u009b31m\x7f\t"
	operator := "mallory\x1b[8m\u2066hidden\u2069\rroot"
	p, _ := domain.ParseProductID("EVIL")
	q, _ := domain.ParseQuantity("5")
	b, err := domain.MarshalEvent(domain.Event{Type: domain.TypeStockRestocked, ID: "e-evil", CommandID: "c-evil",
		Product: p, Quantity: q, ExpectedSeq: 1, BusinessDate: domain.NewBusinessDate(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)),
		RecordedAt: time.Now(), RecordedBy: operator, Note: note})
	if err != nil {
		t.Fatal(err)
	}
	testkafka.ProduceTo(t, brokers, topic, eventlog.PartitionFor([]byte("EVIL"), 3), []byte("EVIL"), b)
	// And a record under a key that is not its product's, which the projection skips
	// with a warning quoting where it was.
	testkafka.ProduceTo(t, brokers, topic, eventlog.PartitionFor([]byte("\x1b]0;k\x07"), 3), []byte("\x1b]0;k\x07"), b)

	for _, args := range [][]string{
		{"history", "EVIL"}, {"history", "EVIL", "-o", "csv"}, {"history", "EVIL", "-o", "json"},
		{"stock"}, {"stock", "-o", "csv"}, {"stock", "-o", "json"}, {"status"}, {"status", "-o", "json"},
		{"export"}, {"export", "--format", "json"}, {"export", "--format", "jsonl"},
	} {
		r := mustRunEnv(t, dir, env, args...)
		if live := liveChars(strings.TrimPrefix(r.stdout, "\uFEFF")); len(live) > 0 {
			t.Errorf("stockctl %v: stdout passes %q to the terminal:\n%q", args, live, r.stdout)
		}
		if live := liveChars(r.stderr); len(live) > 0 {
			t.Errorf("stockctl %v: stderr passes %q to the terminal:\n%q", args, live, r.stderr)
		}
	}

	table := mustRunEnv(t, dir, env, "history", "EVIL").stdout
	if lines := strings.Split(strings.TrimSpace(table), "\n"); len(lines) != 2 {
		t.Errorf("history shows %d lines for one operation; a note forged some:\n%q", len(lines), table)
	}
	for _, want := range []string{`\x1b[2J\x1b[Hscreen cleared\x1b]0;pwned\x07\r\nforged`, `\u202eevil\u009b31m\x7f\t`, `mallory\x1b[8m\u2066hidden\u2069\rroot`} {
		if !strings.Contains(table, want) {
			t.Errorf("history does not show %s:\n%q", want, table)
		}
	}
	rows, err := csv.NewReader(strings.NewReader(mustRunEnv(t, dir, env, "history", "EVIL", "-o", "csv").stdout)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][6] != `mallory\x1b[8m\u2066hidden\u2069\rroot` {
		t.Errorf("history -o csv: %q, %v", rows, err)
	}
	if h := historyEnv(t, dir, env, "EVIL"); len(h) != 1 || h[0].Note != note || h[0].RecordedBy != operator {
		t.Errorf("history -o json does not give the exact note and operator back: %+v", h)
	}
	// verify quotes the rows that differ, the hostile note among them: one line each.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "operations.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE ledger SET note = 'tampered' WHERE product_id = 'EVIL'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	r := runEnv(t, dir, env, "verify")
	diffs := 0
	for _, line := range strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "  ledger: only in "):
			diffs++
		case !strings.HasPrefix(line, "warning: ") && !strings.HasPrefix(line, "stockctl: verify: "):
			t.Errorf("verify: a forged line %q", line)
		}
	}
	if live := liveChars(r.stderr); r.code != 1 || len(live) > 0 || diffs != 2 {
		t.Errorf("verify of a tampered model: exit %d, %q on the terminal, %d differences, want 2:\n%q", r.code, live, diffs, r.stderr)
	}
	// Arguments quoted in messages are escaped too.
	r = runEnv(t, dir, env, "import", "/nonexistent/\x1b[2J\u202e.csv")
	if live := liveChars(r.stderr); r.code != 2 || len(live) > 0 {
		t.Errorf("import of a hostile file name: %q on the terminal\n%q", live, r.stderr)
	}
}
