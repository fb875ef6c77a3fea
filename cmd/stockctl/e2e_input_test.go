package main_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestInvalidInputIsRefusedWithoutAppending(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "--date", "2024-05-01", "P1", "10")
	wantLevels, wantHistory := stockLevels(t, dir), len(history(t, dir, "P1"))
	if len(wantLevels) != 1 || wantLevels[0].Stock != "10.00" || wantHistory != 1 {
		t.Fatalf("setup: want P1 at 10.00 with one operation, got %+v and %d entries", wantLevels, wantHistory)
	}
	notDecimal := "not a decimal number; give digits with an optional dot"
	badDate := "use YYYY-MM-DD or \"YYYY-MM-DD HH:MM:SS\" with a real calendar date"
	cases := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{"zero quantity", []string{"sell", "P1", "0"}, `sell: invalid quantity: "0": must be greater than zero`},
		{"zero restock", []string{"restock", "P1", "0"}, `restock: invalid quantity: "0": must be greater than zero`},
		{"negative quantity", []string{"sell", "P1", "-1"}, `invalid quantity: "-1": must be positive`},
		{"letters as quantity", []string{"sell", "P1", "abc"}, `"abc": ` + notDecimal},
		{"decimal comma", []string{"sell", "P1", "12,5"}, `invalid quantity: "12,5": use a dot for decimals (12.5)`},
		{"decimal comma in a restock", []string{"restock", "P1", "3,25"}, `use a dot for decimals (3.25)`},
		{"exponent", []string{"sell", "P1", "1e3"}, `"1e3": ` + notDecimal},
		{"NaN", []string{"sell", "P1", "NaN"}, `"NaN": ` + notDecimal},
		{"infinity", []string{"restock", "P1", "Inf"}, `"Inf": ` + notDecimal},
		{"three decimal places", []string{"sell", "P1", "1.234"}, `"1.234": at most two decimal places`},
		{"above the maximum", []string{"restock", "P1", "100000000"}, `"100000000": above the maximum 99999999.99`},
		{"empty quantity", []string{"sell", "P1", ""}, `invalid quantity: "": empty; give a positive number`},
		{"leading space in quantity", []string{"sell", "P1", " 5"}, `" 5": ` + notDecimal},
		{"trailing space in quantity", []string{"sell", "P1", "5 "}, `"5 ": ` + notDecimal},
		{"plus sign", []string{"restock", "P1", "+5"}, `"+5": ` + notDecimal},
		{"no digit before the dot", []string{"sell", "P1", ".5"}, `".5": ` + notDecimal},
		{"no digit after the dot", []string{"sell", "P1", "5."}, `"5.": ` + notDecimal},
		{"hexadecimal", []string{"sell", "P1", "0x10"}, `"0x10": ` + notDecimal},
		{"exponent overflowing float64", []string{"restock", "P1", "1e309"}, `"1e309": ` + notDecimal},

		{"empty product", []string{"sell", "", "1"}, `sell: invalid product ID: empty; give a product ID such as P1`},
		{"blank product", []string{"restock", "   ", "1"}, `restock: invalid product ID: empty`},
		{"control character in product", []string{"sell", "P\x01", "1"}, `invalid product ID: character U+0001 at byte 1 is not printable`},
		{"65-character product", []string{"restock", strings.Repeat("P", 65), "1"}, `invalid product ID: 65 characters, at most 64 allowed`},
		{"bidi override in product", []string{"sell", "P\u202e1", "1"}, `invalid product ID: character U+202E at byte 1 is not printable`},
		{"10 KB product", []string{"sell", strings.Repeat("p", 10_000), "1"}, `invalid product ID: 10000 characters, at most 64 allowed`},
		{"10 KB note", []string{"sell", "--note", strings.Repeat("n", 10_000), "P1", "1"}, `--note has 10000 characters, at most 500 allowed`},
		{"10 KB quantity", []string{"sell", "P1", strings.Repeat("9", 10_000)}, `above the maximum`},
		{"blank product for stock", []string{"stock", "P1", "  "}, `stock: invalid product ID: empty`},
		{"control character in product for history", []string{"history", "P\x1b1"}, `history: invalid product ID: character U+001B`},

		{"31 February", []string{"sell", "--date", "2024-02-31", "P1", "1"}, `sell: --date: invalid date: "2024-02-31": ` + badDate},
		{"day-first date", []string{"restock", "--date", "31/02/2024", "P1", "1"}, `restock: --date: invalid date: "31/02/2024"`},
		{"year zero", []string{"sell", "--date", "0000-00-00", "P1", "1"}, `--date: invalid date: "0000-00-00"`},
		{"relative date", []string{"sell", "--date", "yesterday", "P1", "1"}, `--date: invalid date: "yesterday"`},
		{"date before 1900", []string{"restock", "--date", "1899-12-31", "P1", "1"}, `--date: invalid date: "1899-12-31"`},
		{"date with fractional seconds", []string{"restock", "--date", "2024-05-01 10:11:12.5", "P1", "1"}, `--date: invalid date: "2024-05-01 10:11:12.5"`},

		{"missing quantity", []string{"sell", "P1"}, `sell takes PRODUCT and QUANTITY, got 1 argument(s); e.g. stockctl sell P1 5`},
		{"too many arguments", []string{"restock", "P1", "1", "2"}, `restock takes PRODUCT and QUANTITY, got 3 argument(s)`},
		{"history without product", []string{"history"}, `history takes one PRODUCT, got 0 argument(s)`},
		{"unknown flag", []string{"sell", "--bogus", "P1", "1"}, `flag provided but not defined: -bogus; see --help`},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"; see stockctl --help`},
		{"xml output for stock", []string{"stock", "--output", "xml"}, `--output "xml": use table, json or csv`},
		{"xml output for history", []string{"history", "-o", "xml", "P1"}, `--output "xml": use table, json or csv`},
		{"control character in note", []string{"sell", "--note", "order\x07", "P1", "1"}, `--note contains the non-printable character U+0007`},
		{"501-character note", []string{"sell", "--note", strings.Repeat("n", 501), "P1", "1"}, `--note has 501 characters, at most 500 allowed`},
		{"65-character operator", []string{"restock", "--operator", strings.Repeat("o", 65), "P1", "1"}, `--operator has 65 characters, at most 64 allowed`},
		{"empty idempotency key", []string{"restock", "--idempotency-key", "", "P1", "1"}, `--idempotency-key must be 1 to 100 printable characters`},
		{"101-character idempotency key", []string{"sell", "--idempotency-key", strings.Repeat("k", 101), "P1", "1"}, `--idempotency-key must be 1 to 100`},
		{"zero partitions", []string{"--partitions", "0", "restock", "P1", "1"}, `--partitions 0: give 1 to 1000`},
		{"broker with --brokers", []string{"--brokers", "127.0.0.1:1", "broker"}, `it cannot be combined with --brokers`},
		{"broker with an argument", []string{"broker", "now"}, `broker takes no arguments`},
		{"output flag without a value", []string{"stock", "--output"}, `flag needs an argument: --output`},
		{"note without a value after the arguments", []string{"restock", "P1", "1", "--note"}, `flag needs an argument: --note`},
		{"idempotency key without a value after the arguments", []string{"restock", "P1", "1", "--idempotency-key"}, `flag needs an argument: --idempotency-key`},
		{"date without a value after the arguments", []string{"sell", "P1", "1", "--date"}, `flag needs an argument: --date`},
		{"output without a value after the arguments", []string{"stock", "P1", "--output"}, `flag needs an argument: --output`},

		// SQL, HTML and quotes where they make an input invalid (where they are valid, in
		// product IDs, TestAcceptedInputIsNormalised and TestHostileProductIDsRoundTrip
		// keep them as text).
		{"SQL in the quantity", []string{"sell", "P1", "1; DROP TABLE ledger; --"}, `"1; DROP TABLE ledger; --": ` + notDecimal},
		{"SQL condition as the quantity", []string{"sell", "P1", "1 OR 1=1"}, `"1 OR 1=1": ` + notDecimal},
		{"SQL in a product with a line break", []string{"restock", "P1'\n; DROP TABLE ledger; --", "1"}, `invalid product ID: character U+000A at byte 3 is not printable`},
		{"77-character SQL product", []string{"restock", "'); DELETE FROM ledger WHERE ('1'='1'); DELETE FROM stock WHERE ('1'='1'); --", "1"}, `invalid product ID: 77 characters, at most 64 allowed`},
		{"SQL in the date", []string{"sell", "--date", "2024-05-01'; DROP TABLE ledger; --", "P1", "1"}, `--date: invalid date: "2024-05-01'; DROP TABLE ledger; --"`},
		{"SQL in the output format", []string{"stock", "--output", "csv; DROP TABLE ledger"}, `--output "csv; DROP TABLE ledger": use table, json or csv`},
		{"SQL with an escape character in a product for history", []string{"history", "' OR 1=1 --\x1b"}, `history: invalid product ID: character U+001B at byte 11 is not printable`},
		{"HTML in the quantity", []string{"sell", "P1", "<b>5</b>"}, `"<b>5</b>": ` + notDecimal},
		{"70-character HTML product", []string{"restock", "<img src=x onerror=alert(document.cookie)><img src=x onerror=alert(1)>", "1"}, `invalid product ID: 70 characters, at most 64 allowed`},
		{"HTML product with a terminal escape", []string{"sell", "<b>P1</b>\x1b[2J", "1"}, `invalid product ID: character U+001B at byte 9 is not printable`},
		{"HTML in the output format", []string{"stock", "--output", "<script>alert(1)</script>"}, `--output "<script>alert(1)</script>": use table, json or csv`},
		{"HTML note with a control character", []string{"sell", "--note", "<script>\x07</script>", "P1", "1"}, `--note contains the non-printable character U+0007`},
		{"double-quoted quantity", []string{"sell", "P1", `"5"`}, `"\"5\"": ` + notDecimal},
		{"single-quoted quantity", []string{"sell", "P1", "'5'"}, `"'5'": ` + notDecimal},
		{"unbalanced quote after the quantity", []string{"sell", "P1", `5"`}, `"5\"": ` + notDecimal},
		{"single-quoted date", []string{"sell", "--date", "'2024-05-01'", "P1", "1"}, `--date: invalid date: "'2024-05-01'"`},
		{"quoted product with DEL", []string{"restock", "\"P1\"\x7f", "1"}, `invalid product ID: character U+007F at byte 4 is not printable`},
		{"quoted idempotency key with a line break", []string{"restock", "--idempotency-key", "\"k1\"\nx", "P1", "1"}, `--idempotency-key must be 1 to 100 printable characters`},
		{"operator with a quote and DEL", []string{"sell", "--operator", "o'\x7f", "P1", "1"}, `--operator contains the non-printable character U+007F`},
	}
	// docs/reliability.md gives the number of refused inputs: it must be this table's.
	checkDocFigure(t, "TestInvalidInputIsRefusedWithoutAppending", `(\d+) refused inputs`, len(cases))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, dir, tc.args...)
			if r.code != 2 || !strings.HasPrefix(r.stderr, "stockctl: ") || !strings.Contains(r.stderr, tc.wantStderr) {
				t.Errorf("want exit 2 and stderr containing %q, got %v", tc.wantStderr, r)
			}
			if r.stdout != "" {
				t.Errorf("want nothing on stdout, got %q", r.stdout)
			}
			// After a failure, later cases are judged against the changed state.
			if got := stockLevels(t, dir); !slices.Equal(got, wantLevels) {
				t.Errorf("stock changed: want %+v, got %+v", wantLevels, got)
				wantLevels = got
			}
			if got := history(t, dir, "P1"); len(got) != wantHistory {
				t.Errorf("history changed: want %d entries, got %+v", wantHistory, got)
				wantHistory = len(got)
			}
		})
	}
}

func TestAcceptedInputIsNormalised(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		product     string
		quantity    string
		wantProduct string
		wantStock   string
	}{
		{"surrounding spaces are trimmed from the product", "  P1  ", "5", "P1", "5.00"},
		{"leading zeros are dropped from the quantity", "P1", "007", "P1", "7.00"},
		{"one decimal is padded to two", "P1", "12.5", "P1", "12.50"},
		{"the maximum quantity is accepted", "P1", "99999999.99", "P1", "99999999.99"},
		{"a 64-character product is accepted", strings.Repeat("P", 64), "1", strings.Repeat("P", 64), "1.00"},
		{"SQL in the product is kept as text", "'; DROP TABLE operations; --", "3", "'; DROP TABLE operations; --", "3.00"},
		{"HTML in the product is kept as text", "<script>alert(1)</script>", "2", "<script>alert(1)</script>", "2.00"},
		{"non-ASCII product is kept", "Café-Ω", "1", "Café-Ω", "1.00"},
	}
	checkDocFigure(t, "TestInvalidInputIsRefusedWithoutAppending", `(\d+) accepted-and-normalised`, len(cases))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			r := mustRun(t, dir, "restock", "--date", "2024-05-01", tc.product, tc.quantity)
			if want := fmt.Sprintf("restocked %s of %q on 2024-05-01 00:00:00; stock now %s", tc.wantStock, tc.wantProduct, tc.wantStock); !strings.Contains(r.stdout, want) {
				t.Errorf("want stdout containing %q, got %v", want, r)
			}
			want := []stockLevel{{Product: tc.wantProduct, Stock: tc.wantStock, Operations: 1, LastDate: "2024-05-01 00:00:00"}}
			if got := stockLevels(t, dir); !slices.Equal(got, want) {
				t.Errorf("stock: want %+v, got %+v", want, got)
			}
			_, rows := operations(t, dir)
			if len(rows) != 1 || rows[0].Product != tc.wantProduct {
				t.Errorf("operations: want one row for %q, got %+v", tc.wantProduct, rows)
			}
		})
	}
}

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		repeat      []string
		wantCode    int
		wantStdout  string
		wantStderr  string
		wantStock   string
		wantHistory int
	}{
		{
			name:        "the same operation again is reported as already recorded",
			repeat:      []string{"restock", "--idempotency-key", "k1", "P1", "10"},
			wantStdout:  `already recorded: restocked 10.00 of "P1" on 2024-05-01 00:00:00 (stock after it: 10.00)`,
			wantStock:   "10.00",
			wantHistory: 1,
		},
		{
			name:        "another quantity under the key is refused",
			repeat:      []string{"restock", "--idempotency-key", "k1", "P1", "11"},
			wantCode:    2,
			wantStderr:  `restock: idempotency key already used for a different operation: "key:k1" recorded a restock of 10.00 "P1"`,
			wantStock:   "10.00",
			wantHistory: 1,
		},
		{
			name:        "the same date given again is reported as already recorded",
			repeat:      []string{"restock", "--idempotency-key", "k1", "--date", "2024-05-01", "P1", "10"},
			wantStdout:  `already recorded: restocked 10.00 of "P1"`,
			wantStock:   "10.00",
			wantHistory: 1,
		},
		{
			name:        "another date under the key is refused",
			repeat:      []string{"restock", "--idempotency-key", "k1", "--date", "2024-05-02", "P1", "10"},
			wantCode:    2,
			wantStderr:  `restock: idempotency key already used for a different operation: "key:k1" recorded a restock of 10.00 "P1" on 2024-05-01 00:00:00`,
			wantStock:   "10.00",
			wantHistory: 1,
		},
		{
			name:        "another note under the key is refused",
			repeat:      []string{"restock", "--idempotency-key", "k1", "--note", "order 1183", "P1", "10"},
			wantCode:    2,
			wantStderr:  `idempotency key already used for a different operation`,
			wantStock:   "10.00",
			wantHistory: 1,
		},
		{
			name:        "a sale under a restock's key is refused",
			repeat:      []string{"sell", "--idempotency-key", "k1", "P1", "10"},
			wantCode:    2,
			wantStderr:  `idempotency key already used for a different operation`,
			wantStock:   "10.00",
			wantHistory: 1,
		},
		{
			name:        "another key records the operation again",
			repeat:      []string{"restock", "--idempotency-key", "k2", "P1", "10"},
			wantStdout:  `restocked 10.00 of "P1"`,
			wantStock:   "20.00",
			wantHistory: 2,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			mustRun(t, dir, "restock", "--idempotency-key", "k1", "--date", "2024-05-01", "P1", "10")
			r := run(t, dir, tc.repeat...)
			if r.code != tc.wantCode || !strings.Contains(r.stdout, tc.wantStdout) || !strings.Contains(r.stderr, tc.wantStderr) {
				t.Errorf("want exit %d, stdout containing %q, stderr containing %q; got %v", tc.wantCode, tc.wantStdout, tc.wantStderr, r)
			}
			if got := stockLevels(t, dir, "P1"); len(got) != 1 || got[0].Stock != tc.wantStock {
				t.Errorf("want stock %s, got %+v", tc.wantStock, got)
			}
			if got := history(t, dir, "P1"); len(got) != tc.wantHistory {
				t.Errorf("want %d history entries, got %+v", tc.wantHistory, got)
			}
		})
	}
}

// TestIdempotencyKeyLengthLimit: the documented limit, 1 to 100 printable characters and
// at most 124 bytes (the command ID "key:"+key fits the event's 128), exactly: the
// longest key accepted is recorded (exit 0), one character or byte more is refused with
// exit 2 naming the limit, and nothing is appended.
func TestIdempotencyKeyLengthLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		key    string
		accept bool
	}{
		{"100 ASCII characters, the maximum", strings.Repeat("k", 100), true},
		{"101 ASCII characters", strings.Repeat("k", 101), false},
		{"62 two-byte characters, 124 bytes", strings.Repeat("é", 62), true},
		{"63 two-byte characters, 126 bytes", strings.Repeat("é", 63), false},
		{"100 two-byte characters", strings.Repeat("é", 100), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			mustRun(t, dir, "project", "--quiet") // an empty ledger to read if the restock is refused
			r := run(t, dir, "restock", "--idempotency-key", tc.key, "P1", "10")
			levels := stockLevels(t, dir, "P1")
			if tc.accept {
				if r.code != 0 || len(levels) != 1 || levels[0].Stock != "10.00" {
					t.Errorf("want exit 0 with stock 10.00; got stock %+v after %v", levels, r)
				}
			} else if r.code != 2 || !strings.Contains(r.stderr, "1 to 100 printable characters (124 bytes)") ||
				len(levels) != 1 || levels[0].Stock != "0.00" || run(t, dir, "history", "P1").code != 1 {
				t.Errorf("want exit 2 naming the limit, with nothing recorded; got stock %+v after %v", levels, r)
			}
			if strings.Contains(r.stderr, "skipped") {
				t.Errorf("the command's own event was skipped as malformed: %v", r)
			}
		})
	}
}

func TestUsageErrorsHideTheInternalMarker(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"missing argument", []string{"sell", "P1"}},
		{"unknown command", []string{"frobnicate"}},
		{"unknown output format", []string{"stock", "--output", "xml"}},
		{"control character in note", []string{"sell", "--note", "a\x07b", "P1", "1"}},
		{"65-character operator", []string{"sell", "--operator", strings.Repeat("o", 65), "P1", "1"}},
		{"empty idempotency key", []string{"restock", "--idempotency-key", "", "P1", "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := run(t, t.TempDir(), tc.args...)
			if r.code != 2 || strings.Contains(r.stderr, "usage: ") {
				t.Errorf("want exit 2 and a message without the internal \"usage: \" marker, got %v", r)
			}
		})
	}
}

func TestFlagsAfterArguments(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "10")
	// Each command's help shows its flags after the arguments.
	for _, tc := range []struct {
		name       string
		args       []string
		wantStdout string
	}{
		{"flags before arguments", []string{"restock", "--date", "2024-05-01", "P1", "1"}, "on 2024-05-01 00:00:00"},
		{"example of restock --help", []string{"restock", "P1", "10", "--date", "2024-05-01"}, "on 2024-05-01 00:00:00"},
		{"example of sell --help", []string{"sell", "P1", "3", "--date", "2024-05-02", "--note", "order 1182"}, "on 2024-05-02 00:00:00"},
		{"flag with an equals sign", []string{"sell", "P1", "1", "--date=2024-05-03"}, "on 2024-05-03 00:00:00"},
		{"flag between the arguments", []string{"sell", "P1", "--date", "2024-05-04", "1"}, "on 2024-05-04 00:00:00"},
		{"example of stock --help", []string{"stock", "P1", "P2", "--output", "json"}, `"product": "P2"`},
		{"example of history --help", []string{"history", "P1", "--output", "csv"}, "date,type,quantity,stock,status"},
		{"short output flag after the product", []string{"history", "P1", "-o", "json"}, `"type": "restock"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, dir, tc.args...)
			// A flag read as an argument would show up as a product named "--output".
			if r.code != 0 || !strings.Contains(r.stdout, tc.wantStdout) || strings.Contains(r.stdout, "--") {
				t.Errorf("want exit 0 and stdout containing %q, got %v", tc.wantStdout, r)
			}
		})
	}
}

func TestEmptyResults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"stock json of an empty ledger", []string{"stock", "--output", "json"}, "[]"},
		{"stock csv of an empty ledger", []string{"stock", "--output", "csv"}, "product,stock,last_operation_date"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			mustRun(t, dir, "project", "--quiet") // an empty ledger: reading commands refuse a data directory without one
			r := mustRun(t, dir, tc.args...)
			if got := strings.TrimSpace(r.stdout); got != tc.want {
				t.Errorf("want %q, got %v", tc.want, r)
			}
		})
	}
}

func TestVersionAndHelp(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		args       []string
		wantStdout []string
	}{
		{"version", []string{"--version"}, []string{"stockctl version " + testVersion}},
		{"help", []string{"--help"}, []string{"--data-dir", "STOCKCTL_DATA_DIR", "--db", "--brokers", "--topic", "--partitions",
			"restock", "sell", "stock", "history", "broker"}},
		{"sell help", []string{"sell", "--help"}, []string{"PRODUCT QUANTITY", "--date", "--note", "--operator", "--idempotency-key"}},
		{"restock help", []string{"restock", "--help"}, []string{"PRODUCT QUANTITY", "--date", "--note", "--operator", "--idempotency-key"}},
		{"stock help", []string{"stock", "--help"}, []string{"[PRODUCT...]", "--output"}},
		{"history help", []string{"history", "--help"}, []string{"PRODUCT", "--output"}},
		{"broker help", []string{"broker", "--help"}, []string{"--listen", "broker.addr"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := mustRun(t, t.TempDir(), tc.args...)
			for _, w := range tc.wantStdout {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("want stdout mentioning %q, got %v", w, r)
				}
			}
		})
	}
}
