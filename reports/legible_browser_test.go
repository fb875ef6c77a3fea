package reports_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/stockctl/stockctl/internal/testbrowser"
	"github.com/stockctl/stockctl/reports"
)

// Product IDs a chart must show whole or cut with the whole ID on hover: the demo's,
// which go-chart's slanted labels clipped, and the longest the ledger accepts.
const (
	demoID = "DEMO-1"
	longID = "WAREHOUSE-NORTH-AISLE-07-SHELF-0042-EXTRA-LONG-PRODUCT-IDENTIFY"
)

// crowded is a ledger of 1,500 products: most with two operations, a few busy ones
// (the demo's ID, long IDs, markup) that the charts single out, and figures in millions.
func crowded(tb testing.TB) []string {
	tb.Helper()
	var ops []string
	busy := []string{demoID, longID, longID[:40] + "-B", "<b>&x"}
	for i, p := range busy {
		ops = append(ops, fmt.Sprintf("2024-01-0%d 08:00:00 %s 2629500.25", i+1, p))
		for d := 1; d <= 28; d++ {
			ops = append(ops, fmt.Sprintf("2024-%02d-%02d 10:00:00 %s -%d", 1+d%5, d, p, 1000*d+7))
		}
	}
	for i := len(busy); i < 1500; i++ {
		p := fmt.Sprintf("P%04d", i)
		ops = append(ops, fmt.Sprintf("2024-02-%02d 09:00:00 %s %d", 1+i%28, p, 10+i), fmt.Sprintf("2024-03-%02d 09:00:00 %s -%d", 1+i%28, p, 5+i%7))
	}
	return ops
}

// TestChartsLegibleInABrowser opens the dashboard fragment (inline SVG, with links) and
// the written report at a phone's width and a desktop's, in headless Chromium, with
// 1,500 products: in every chart no two labels overlap and none lies outside the chart,
// and no card's figure overflows its card. Screenshots are kept in the test's temp dir
// (and $STOCKCTL_SCREENSHOT_DIR when set).
func TestChartsLegibleInABrowser(t *testing.T) {
	bin := testbrowser.Chromium(t)
	db := ledger(t, crowded(t)...)
	dir := t.TempDir()

	var frag strings.Builder
	links := &reports.Links{Product: func(id string) string { return "/products/" + url.PathEscape(id) },
		Products: "/products", Operations: "/operations", NewOperation: "/operations/new"}
	if err := reports.Dashboard(context.Background(), db, reports.Options{LowCents: 500, Rows: 100, Recent: true, Links: links}, &frag); err != nil {
		t.Fatal(err)
	}
	dash := filepath.Join(dir, "dashboard.html")
	page := `<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><style>` +
		string(reports.Stylesheet()) + `</style></head><body>` + frag.String() + `</body></html>`
	if err := os.WriteFile(dash, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := reports.Render(context.Background(), db, reports.Options{Out: filepath.Join(dir, "report"), HTML: true, LowCents: 500, Now: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.UserDataDir(t.TempDir()))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	browser, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	for _, view := range []struct{ name, file string }{{"dashboard", dash}, {"report", res.Index}} {
		for _, width := range []int64{375, 1400} {
			t.Run(fmt.Sprintf("%s at %d px", view.name, width), func(t *testing.T) {
				ctx, cancel := context.WithTimeout(browser, 60*time.Second)
				defer cancel()
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate("file://"+view.file),
					chromedp.WaitVisible(chromedp.CSS(`.cards`))); err != nil {
					t.Fatal(err)
				}
				problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](legibility))
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range problems {
					t.Error(p)
				}
				if view.name == "dashboard" {
					charts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".chart svg").length`))
					if err != nil || charts < 5 {
						t.Errorf("%d inline charts (%v), want at least 5", charts, err)
					}
				}
				shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				name := fmt.Sprintf("%s-%d.png", view.name, width)
				for _, d := range []string{t.TempDir(), os.Getenv("STOCKCTL_SCREENSHOT_DIR")} {
					if d != "" {
						if err := os.WriteFile(filepath.Join(d, name), shot, 0o644); err != nil {
							t.Fatal(err)
						}
						t.Logf("screenshot %s", filepath.Join(d, name))
					}
				}
			})
		}
	}
}

// legibility lists, in the page shown, every pair of overlapping labels in an SVG, every
// label outside its SVG, and every card whose figure overflows it, as the eye sees them
// (bounding boxes on the screen, after rotation and scaling).
const legibility = `(() => {
  const out = [];
  const svgs = document.querySelectorAll("svg");
  svgs.forEach((svg, si) => {
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll("text")].filter(t => t.textContent.trim() !== "");
    const rects = texts.map(t => t.getBoundingClientRect());
    texts.forEach((t, i) => {
      const r = rects[i];
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) {
        out.push("chart " + si + ": label " + JSON.stringify(t.textContent) + " lies outside the chart");
      }
      for (let j = 0; j < i; j++) {
        const q = rects[j];
        const w = Math.min(r.right, q.right) - Math.max(r.left, q.left);
        const h = Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top);
        if (w > 0.5 && h > 0.5) {
          out.push("chart " + si + ": labels " + JSON.stringify(t.textContent) + " and " + JSON.stringify(texts[j].textContent) + " overlap");
        }
      }
    });
  });
  // In the bar charts a label must not run into a bar either.
  document.querySelectorAll('.chart[aria-label^="Units sold and restocked per product"] svg, .chart[aria-label^="Current stock"] svg').forEach(svg => {
    const box = svg.getBoundingClientRect();
    const bars = [...svg.querySelectorAll("path")].filter(p => {
      const fill = getComputedStyle(p).fill, r = p.getBoundingClientRect();
      return fill !== "none" && fill !== "rgb(255, 255, 255)" && r.width < 0.9 * box.width;
    }).map(p => p.getBoundingClientRect());
    svg.querySelectorAll("text").forEach(t => {
      const r = t.getBoundingClientRect();
      if (t.textContent.trim() === "") return;
      if (bars.some(q => Math.min(r.right, q.right) - Math.max(r.left, q.left) > 0.5 && Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top) > 0.5)) {
        out.push("bar chart: label " + JSON.stringify(t.textContent) + " runs into a bar");
      }
    });
  });
  document.querySelectorAll(".card").forEach(card => {
    const n = card.querySelector(".n"), c = card.getBoundingClientRect(), r = n.getBoundingClientRect();
    if (n.scrollWidth > n.clientWidth + 1 || r.right > c.right + 0.5 || r.left < c.left - 0.5) {
      out.push("card " + JSON.stringify(n.textContent) + " overflows its card");
    }
    const range = document.createRange(); range.selectNodeContents(n);
    if (range.getClientRects().length > 1) {
      out.push("card " + JSON.stringify(n.textContent) + " breaks over lines");
    }
  });
  return out;
})()`
