package main_test

import (
	"database/sql"
	bin "encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/eventlog"
)

// flipInBatch flips one byte of the record batch holding offset in the embedded log's
// segment of partition p, at position at of the batch (negative: from its end).
func flipInBatch(t *testing.T, dir string, p int32, offset int64, at int) {
	t.Helper()
	seg := filepath.Join(dir, "log", "partitions", fmt.Sprintf("stock.events-%d", p), "0.dat")
	raw, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	for pos := 0; pos+61 <= len(raw); {
		base := int64(bin.BigEndian.Uint64(raw[pos:]))
		size := 12 + int(bin.BigEndian.Uint32(raw[pos+8:]))
		last := base + int64(bin.BigEndian.Uint32(raw[pos+23:]))
		if base <= offset && offset <= last {
			if at < 0 {
				at += size
			}
			raw[pos+at] ^= 0x01
			if err := os.WriteFile(seg, raw, 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		pos += size
	}
	t.Fatalf("no batch holds offset %d in %s", offset, seg)
}

// liveStock reads a product's stock and sequence from the read model file itself.
func liveStock(t *testing.T, dir, product string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "operations.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var seq, cents int64
	if err := db.QueryRow(`SELECT seq, stock_cents FROM stock WHERE product_id = ?`, product).Scan(&seq, &cents); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("seq %d stock %d.%02d", seq, cents/100, cents%100)
}

// TestDamagedSegmentDoesNotReplaceTheModel flips one byte of the record at offset 10 of a
// product's 20 events, with everything stopped: replay refuses to swap a model that lost
// history (exit 1, saying what and how to proceed), the live model keeps stock 20, and
// status and verify report the damage.
// Embedded broker only: it flips a byte in the embedded log's segment file.
func TestDamagedSegmentDoesNotReplaceTheModel(t *testing.T) {
	skipOnRealKafka(t)
	for _, tc := range []struct {
		name string
		at   int    // byte of the batch to flip
		want string // what replay says was lost
	}{
		// The batch's base offset is outside its CRC: kfake serves the record at another
		// offset and the log has a gap at 10 (the "10 accepted, 9 rejected").
		{"base offset", 6, "offset 10 missing"},
		// A byte inside the record fails the batch's CRC: kfake would cut the segment
		// there when it loads it. stockctl refuses to start it; once the segment is cut
		// as the message says, the log ends at 10.
		{"record body", -40, "ends at offset 10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for range 20 {
				mustRunEnv(t, dir, embeddedEnv, "restock", "P1", "1", "--date", "2024-05-01")
			}
			want := liveStock(t, dir, "P1")
			if want != "seq 20 stock 20.00" {
				t.Fatalf("before the damage: %s", want)
			}
			flipInBatch(t, dir, eventlog.PartitionFor([]byte("P1"), 3), 10, tc.at)

			if tc.at < 0 {
				cutAsAdvised(t, dir)
				if got := liveStock(t, dir, "P1"); got != want {
					t.Fatalf("the refused commands changed the live model: %s, want %s", got, want)
				}
			}
			r := runEnv(t, dir, embeddedEnv, "replay")
			if r.code != 1 || !strings.Contains(r.stderr, "would lose") || !strings.Contains(r.stderr, `"P1"`) ||
				!strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "--allow-loss") {
				t.Fatalf("replay of the damaged log: want exit 1 saying what would be lost (%q) and --allow-loss; got %v", tc.want, r)
			}
			if got := liveStock(t, dir, "P1"); got != want {
				t.Fatalf("the refused replay changed the live model: %s, want %s", got, want)
			}
			st := runEnv(t, dir, embeddedEnv, "status")
			if !strings.Contains(st.stdout, tc.want) {
				t.Errorf("status does not report the damage (%q): %v", tc.want, st)
			}
			v := runEnv(t, dir, embeddedEnv, "verify")
			if v.code == 0 || !strings.Contains(v.stderr, tc.want) {
				t.Errorf("verify: want a failure naming the damage (%q), got %v", tc.want, v)
			}
			// Swapping anyway is possible, and says what it lost.
			a := runEnv(t, dir, embeddedEnv, "replay", "--allow-loss")
			if a.code != 0 || !strings.Contains(a.stderr, "would lose") {
				t.Fatalf("replay --allow-loss: %v", a)
			}
			if got := liveStock(t, dir, "P1"); got == want {
				t.Errorf("replay --allow-loss kept the old model: %s", got)
			}
		})
	}
}

// cutAsAdvised checks that replay, status and verify refuse to load a log with a
// damaged batch in the middle of a segment (exit 3, naming it), then cuts the segment
// as their message advises.
func cutAsAdvised(t *testing.T, dir string) {
	t.Helper()
	var advice []string
	for _, cmd := range []string{"replay", "status", "verify"} {
		r := runEnv(t, dir, embeddedEnv, cmd)
		advice = regexp.MustCompile("`truncate -s ([0-9]+) ([^`]+)`").FindStringSubmatch(r.stderr)
		if r.code != 3 || !strings.Contains(r.stderr, "(offset 10) fails its checksum") || advice == nil {
			t.Fatalf("%s on a segment damaged in the middle: want exit 3 naming offset 10 and how to cut it; got %v", cmd, r)
		}
	}
	size, _ := strconv.ParseInt(advice[1], 10, 64)
	if err := os.Truncate(advice[2], size); err != nil {
		t.Fatal(err)
	}
}
