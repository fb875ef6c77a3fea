package main_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"
)

// TestMakeDemoLeavesNothingBehind runs `make demo` and `make demo-cli` twice each: every
// run starts again in one directory (DEMO_DIR, .demo/ by default), the report address it
// prints still opens after it ends, and nothing is left in TMPDIR.
func TestMakeDemoLeavesNothingBehind(t *testing.T) {
	if testing.Short() {
		t.Skip("runs make demo, which builds stockctl")
	}
	makeTool, err := exec.LookPath("make")
	if err != nil {
		skipOrFailInCI(t, "needs make")
	}
	tmp, demoDir := t.TempDir(), t.TempDir()
	address := regexp.MustCompile(`file://(\S+/index\.html)`)
	operations := regexp.MustCompile(`report of \d+ operations`)
	for _, target := range []string{"demo", "demo-cli"} {
		var first string
		for run := 1; run <= 2; run++ {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			cmd := exec.CommandContext(ctx, makeTool, "-C", filepath.Join("..", ".."), target, "DEMO_DIR="+demoDir)
			// demo-cli runs the binary already built rather than building its own.
			cmd.Env = append(cleanEnv(), "TMPDIR="+tmp, "STOCKCTL_BIN="+binary)
			out, err := cmd.CombinedOutput()
			cancel()
			if err != nil {
				t.Fatalf("make %s, run %d: %v\n%s", target, run, err, out)
			}
			m := address.FindSubmatch(out)
			if m == nil {
				t.Fatalf("make %s printed no file:// address:\n%s", target, out)
			}
			if _, err := os.Stat(string(m[1])); err != nil {
				t.Errorf("make %s, run %d: the address it printed does not open: %v", target, run, err)
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("make %s, run %d, left %d entries in TMPDIR, first %s", target, run, len(left), left[0].Name())
			}
			// The second run starts afresh: the same ledger, not one twice as long.
			summary := operations.Find(out)
			if run == 1 {
				first = string(summary)
			} else if string(summary) != first {
				t.Errorf("make %s: the second run says %q, the first %q", target, summary, first)
			}
		}
	}
	if got := listDir(t, demoDir); !slices.Equal(got, []string{"cli", "demo"}) {
		t.Errorf("DEMO_DIR holds %v, want cli and demo", got)
	}
}
