package main_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/internal/testkafka"
)

var (
	historyRowRE = regexp.MustCompile(`<tr class="(accepted|rejected)"[^>]*><td>([^<]*)</td><td[^>]*>([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td><td>([^<]*)</td>`)
	relLinkRE    = regexp.MustCompile(`<a rel="(prev|next)" href="([^"]*)"`)
	// quantityRE is the one way the product page writes a quantity: separators, two decimals.
	quantityRE = regexp.MustCompile(`^\d{1,3}(,\d{3})*\.\d{2}$`)
)

// productCSV writes an import of a restock of 1,234 then sales of 1, one a day from
// 2024-01-01, for each product: n operations in all.
func productCSV(t *testing.T, counts map[string]int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("operation_date;product_ID;operation_qt;stock\n")
	for p, n := range counts {
		stock := 1234
		day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		fmt.Fprintf(&b, "%s;%s;%d;%d\n", day.Format("02/01/2006"), p, stock, stock)
		for i := 1; i < n; i++ {
			stock--
			fmt.Fprintf(&b, "%s;%s;-1;%d\n", day.AddDate(0, 0, i).Format("02/01/2006"), p, stock)
		}
	}
	path := filepath.Join(t.TempDir(), "ops.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestServeProductPage: a product page shows the current stock, then its chart, then its
// history newest first, 50 operations a page, every quantity written one way; rejected
// operations with their reason.
func TestServeProductPage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	brokers, topic, env := rawLog(t, dir)
	mustRunEnv(t, dir, env, "import", productCSV(t, map[string]int{"P51": 51, "P50": 50}))
	mustRunEnv(t, dir, env, "restock", "REJ", "10")
	// A sale expecting sequence 5 of a product at 1: rejected by the log's rule.
	p, _ := domain.ParseProductID("REJ")
	q, _ := domain.ParseQuantity("1234.5")
	event, err := domain.MarshalEvent(domain.Event{Type: domain.TypeStockSold, ID: "e-rej", CommandID: "c-rej", Product: p,
		Quantity: q, ExpectedSeq: 5, BusinessDate: domain.NewBusinessDate(time.Now()), RecordedAt: time.Now(), RecordedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	testkafka.ProduceTo(t, brokers, topic, eventlog.PartitionFor([]byte("REJ"), 3), []byte("REJ"), event)
	mustRunEnv(t, dir, env, "history", "REJ") // waits until the read model has it
	s := startServe(t, dir, env)

	page := s.get("/products/P51")
	if page.status != 200 {
		t.Fatalf("GET /products/P51: %d\n%.2000s", page.status, page.body)
	}
	stock, chart, table, form := strings.Index(page.body, "data-stock-now"), strings.Index(page.body, "<svg"),
		strings.Index(page.body, `<table class="history"`), strings.Index(page.body, `id="record"`)
	if stock < 0 || chart < 0 || table < 0 || form < 0 || !(stock < chart && chart < table) {
		t.Fatalf("want the stock (at %d), then the chart (%d), then the history (%d), and a form (%d)", stock, chart, table, form)
	}
	if !strings.Contains(page.body, "In stock: <strong data-stock-now>1,184.00</strong>") {
		t.Errorf("the stock line does not say 1,184.00:\n%.3000s", page.body[stock-200:])
	}
	if strings.Contains(page.body, "products with operations") {
		t.Error("the product page still embeds the dashboard's summary")
	}
	rows := historyRowRE.FindAllStringSubmatch(page.body, -1)
	if len(rows) != 50 || rows[0][2] != "2024-02-20" || rows[0][5] != "1,184.00" || rows[49][2] != "2024-01-02" {
		t.Fatalf("page 1: want 50 rows from 2024-02-20 down to 2024-01-02, stock after the first 1,184.00; got %d: first %v", len(rows), rows[0])
	}
	for i, r := range rows {
		if i > 0 && r[2] >= rows[i-1][2] {
			t.Errorf("row %d (%s) is not older than the row before it (%s)", i, r[2], rows[i-1][2])
		}
		if !quantityRE.MatchString(r[4]) || !quantityRE.MatchString(r[5]) {
			t.Errorf("row %d writes quantities %q and %q, not as 1,234.00", i, r[4], r[5])
		}
	}
	if !strings.Contains(page.body, "Operations 1–50 of 51") {
		t.Error(`page 1 does not say "Operations 1–50 of 51"`)
	}
	if links := relLinkRE.FindAllStringSubmatch(page.body, -1); len(links) != 1 || links[0][1] != "next" || links[0][2] != "/products/P51?page=2" {
		t.Errorf("page 1: want only a[rel=next] to /products/P51?page=2, got %v", links)
	}

	page2 := s.get("/products/P51?page=2")
	rows = historyRowRE.FindAllStringSubmatch(page2.body, -1)
	if page2.status != 200 || len(rows) != 1 || rows[0][2] != "2024-01-01" || rows[0][3] != "restock" || rows[0][4] != "1,234.00" || rows[0][5] != "1,234.00" {
		t.Fatalf("page 2: want the first restock of 1,234.00 alone, got %d %v", page2.status, rows)
	}
	if links := relLinkRE.FindAllStringSubmatch(page2.body, -1); len(links) != 1 || links[0][1] != "prev" || links[0][2] != "/products/P51" {
		t.Errorf("page 2: want only a[rel=prev] to /products/P51, got %v", links)
	}
	if !strings.Contains(page2.body, "Operations 51–51 of 51") || !strings.Contains(page2.body, `data-live="/fragments/products/P51?page=2"`) {
		t.Error("page 2 does not say which operations it shows, or its live part is not page 2")
	}
	if frag := s.get("/fragments/products/P51?page=2"); len(historyRowRE.FindAllString(frag.body, -1)) != 1 {
		t.Error("the live fragment of page 2 is not page 2")
	}
	// Past the end: the oldest page. Not a number: said on the page, 400, newest shown.
	if r := s.get("/products/P51?page=9"); r.status != 200 || !strings.Contains(r.body, "Operations 51–51 of 51") {
		t.Errorf("page 9 of 2: %d", r.status)
	}
	if r := s.get("/products/P51?page=x"); r.status != 400 || !strings.Contains(r.body, "page &#34;x&#34;: give a whole number from 1") ||
		len(historyRowRE.FindAllString(r.body, -1)) != 50 {
		t.Errorf("page x: %d\n%.2000s", r.status, r.body)
	}

	// 50 operations: one page, no paging links.
	p50 := s.get("/products/P50")
	if rows := historyRowRE.FindAllStringSubmatch(p50.body, -1); len(rows) != 50 || relLinkRE.MatchString(p50.body) ||
		!strings.Contains(p50.body, "Operations 1–50 of 50") {
		t.Errorf("P50: %d rows, paging links %v", len(rows), relLinkRE.FindAllString(p50.body, -1))
	}

	// A rejected operation: greyed, with its reason, its quantity written as the others.
	rej := s.get("/products/REJ")
	rows = historyRowRE.FindAllStringSubmatch(rej.body, -1)
	if len(rows) != 2 || rows[0][1] != "rejected" || rows[0][4] != "1,234.50" || rows[0][5] != "" || !strings.Contains(rows[0][6], "rejected: sequence_conflict") {
		t.Errorf("REJ: want the rejected sale first with its reason, got %v", rows)
	}
}
