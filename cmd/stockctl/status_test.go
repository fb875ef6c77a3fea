package main_test

import (
	"encoding/json"
	"testing"
)

type statusJSON struct {
	Mode     string         `json:"mode"`
	Lag      int64          `json:"lag"`
	Accepted int            `json:"accepted"`
	Rejected map[string]int `json:"rejected_by_reason"`
	Skipped  map[string]int `json:"skipped_by_reason"`
	Offsets  []struct {
		End, Committed int64
	} `json:"offsets"`
	LastUpdate string `json:"last_update"`
}

func status(t *testing.T, dir string) statusJSON {
	t.Helper()
	return statusOn(t, dir, embeddedEnv)
}

func statusOn(t *testing.T, dir string, env []string) statusJSON {
	t.Helper()
	r := mustRunEnv(t, dir, env, "status", "--output", "json")
	var s statusJSON
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("status --output json: %v\n%v", err, r)
	}
	return s
}

// TestStatusShowsLagAndCounts: status reports the log's end against the read model's
// offsets without catching up, then the counts by reason once projected.
// Embedded broker only: it reads the embedded log's end before any catch-up, with no
// cluster to set up.
func TestStatusShowsLagAndCounts(t *testing.T) {
	dir := t.TempDir()
	writeLog(t, dir, 1000, false) // 1000 events, a stale retry, 2 foreign records
	before := status(t, dir)
	if before.Lag != 1003 || before.Accepted != 0 || before.Mode != "embedded (in this process)" {
		t.Fatalf("before projecting: %+v, want lag 1003 and nothing accepted", before)
	}
	mustRunEnv(t, dir, embeddedEnv, "project", "--quiet")
	after := status(t, dir)
	if after.Lag != 0 || after.Accepted != 1000 || after.Rejected["sequence_conflict"] != 1 || after.Skipped["malformed"] != 2 || after.LastUpdate == "" {
		t.Fatalf("after projecting: %+v", after)
	}
}
