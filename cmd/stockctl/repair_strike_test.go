package main

import (
	"testing"

	"github.com/stockctl/stockctl/readmodel"
)

// TestStrikeVoided: on a terminal, only a voided entry's line is struck through, its
// alignment spaces and newline left outside the style.
func TestStrikeVoided(t *testing.T) {
	table := []byte("date  status\nd1    accepted\nd2    VOIDED  \nd3    REJECTED\n")
	entries := []readmodel.HistoryEntry{{Status: "accepted"}, {Status: "voided"}, {Status: "rejected"}}
	got := string(strikeVoided(table, entries))
	want := "date  status\nd1    accepted\n\x1b[9md2    VOIDED\x1b[29m  \nd3    REJECTED\n"
	if got != want {
		t.Errorf("strikeVoided = %q, want %q", got, want)
	}
}
