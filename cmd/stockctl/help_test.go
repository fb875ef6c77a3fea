package main_test

import (
	"strings"
	"testing"
)

// TestHelpCommandAndSuggestions: `stockctl help [COMMAND]` is --help; a mistyped command
// or flag is refused (exit 2) with the closest names.
func TestHelpCommandAndSuggestions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		name       string
		args       []string
		wantStdout []string
	}{
		{"help", []string{"help"}, []string{"COMMANDS:", "restock", "sell", "help", "--data-dir", "--version"}},
		{"help sell", []string{"help", "sell"}, []string{"stockctl sell", "PRODUCT QUANTITY", "--date", "--idempotency-key"}},
		{"help history", []string{"help", "history"}, []string{"stockctl history", "PRODUCT", "--output"}},
		{"help log copy", []string{"help", "log", "copy"}, []string{"stockctl log copy", "--to-brokers"}},
		{"help help", []string{"help", "help"}, []string{"stockctl help", "[COMMAND [SUBCOMMAND]]"}},
	} {
		r := run(t, dir, tc.args...)
		if r.code != 0 {
			t.Errorf("%s: want exit 0, got %v", tc.name, r)
		}
		for _, w := range tc.wantStdout {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%s: want stdout mentioning %q, got %v", tc.name, w, r)
			}
		}
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"misspelled command", []string{"sel", "P1", "1"}, `unknown command "sel"; did you mean sell?`},
		{"swapped letters", []string{"stokc"}, `unknown command "stokc"; did you mean stock?`},
		{"start of two commands", []string{"rep"}, `unknown command "rep"; did you mean replay or report?`},
		{"start of a command", []string{"hist", "P1"}, `unknown command "hist"; did you mean history?`},
		{"nothing close", []string{"frobnicate"}, `unknown command "frobnicate"; see stockctl --help`},
		{"help on a misspelled command", []string{"help", "sel"}, `unknown command "sel"; did you mean sell?`},
		{"help on an unknown command", []string{"help", "nope"}, `unknown command "nope"; see stockctl --help`},
		{"misspelled subcommand", []string{"log", "cpy"}, `unknown command "cpy"; did you mean copy?`},
		{"misspelled flag", []string{"sell", "--dat", "2024-05-01", "P1", "1"}, `flag provided but not defined: -dat; did you mean --date?`},
		{"misspelled flag after the arguments", []string{"sell", "P1", "1", "--idempotency", "k"}, `flag provided but not defined: -idempotency; did you mean --idempotency-key?`},
		{"misspelled global flag", []string{"--topik", "t", "stock"}, `flag provided but not defined: -topik; did you mean --topic?`},
		{"global flag after the command", []string{"stock", "--brokers", "x:1"}, `flag provided but not defined: -brokers; --brokers is a global flag: give it before the command, e.g. stockctl --brokers VALUE stock`},
		{"unknown flag", []string{"sell", "--bogus", "P1", "1"}, `flag provided but not defined: -bogus; see --help`},
	} {
		r := run(t, dir, tc.args...)
		if r.code != 2 || r.stderr != "stockctl: "+tc.want+"\n" || r.stdout != "" {
			t.Errorf("%s: want exit 2 and %q, got %v", tc.name, tc.want, r)
		}
	}
}
