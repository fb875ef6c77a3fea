package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/stockctl/stockctl/ledgercsv"
)

// reviewWidths are the widths every page is looked at: a small phone and a desktop.
var reviewWidths = []int64{375, 1400}

// desktopWidth is the width the browser test navigates at between reviews.
const desktopWidth = 1400

// shop is the ledger seedShop writes.
type shop struct {
	products []string // every product ID, in the order the file creates them
	target   string   // the product the browser test sells
	empty    string   // the product at zero stock
}

// seedShop imports a shop's year into dir: 74 products in families whose IDs are upper
// case (a person types them in lower case), quantities in the thousands (so that
// separators show), one product sold by weight, one at zero stock, one with a long ID,
// and enough operations that every list has more than one page.
func seedShop(t *testing.T, dir string) shop {
	t.Helper()
	var s shop
	file := filepath.Join(t.TempDir(), "shop.csv")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	w := ledgercsv.NewWriter(f)
	start := time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)
	write := func(day int, product string, signed, stock int64) {
		if err := w.Write(start.AddDate(0, 0, day), product, signed, stock); err != nil {
			t.Fatal(err)
		}
	}
	families := []string{"BOLT", "CABLE", "GLUE", "HOOK", "LAMP", "TAPE"}
	n := 0
	for fi, family := range families {
		for i := 1; i <= 12; i++ {
			id := fmt.Sprintf("%s-%02d", family, i)
			s.products = append(s.products, id)
			// Hundredths: CABLE sells by the thousand metres, GLUE by weight.
			restock := int64(200+37*i+11*fi) * 100
			sale := int64(5+i%7) * 100
			if family == "CABLE" {
				restock, sale = int64(12_000+250*i)*100, int64(310+i)*100
			}
			if family == "GLUE" {
				sale = int64(250 + 5*i)
			}
			stock := restock
			write(n%5, id, restock, stock)
			for k := 0; k < 10+i%4; k++ {
				stock -= sale
				write(14+k*29+(n+k)%17, id, -sale, stock)
			}
			n++
		}
	}
	// Sold out, and a long ID that must still fit a phone's screen.
	s.empty = "HOOK-STAND-ZERO"
	write(3, s.empty, 500, 500)
	write(40, s.empty, -500, 0)
	long := "GARDEN-HOSE-REEL-25M-GREEN"
	write(2, long, 9_000, 9_000)
	write(60, long, -150, 8_850)
	s.products = append(s.products, s.empty, long)
	s.target = "LAMP-07"
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, "import", file)
	return s
}

// shots is where a test's screenshots go: a temp dir, and $STOCKCTL_SCREENSHOT_DIR when
// set, for a person to look at.
type shots struct {
	dirs []string
	// taken lists the files written, for the test's log.
	taken []string
}

func newShots(t *testing.T) *shots {
	dirs := []string{t.TempDir()}
	if d := os.Getenv("STOCKCTL_SCREENSHOT_DIR"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	return &shots{dirs: dirs}
}

// review looks at the page of ctx at each of reviewWidths: it checks what a person would
// notice (see looksJS) and saves a full-page screenshot NAME-WIDTH.png. The page is left
// at desktopWidth.
func (s *shots) review(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, width := range reviewWidths {
		settle(t, ctx, width)
		for _, p := range looks(t, ctx) {
			t.Errorf("%s at %d px: %s", name, width, p)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil || len(png) < 5_000 {
			t.Fatalf("screenshot of %s at %d px: %v (%d bytes)", name, width, err, len(png))
		}
		file := fmt.Sprintf("%s-%d.png", name, width)
		for _, dir := range s.dirs {
			if err := os.WriteFile(filepath.Join(dir, file), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		s.taken = append(s.taken, filepath.Join(s.dirs[len(s.dirs)-1], file))
	}
	settle(t, ctx, desktopWidth)
}

// settle sets the window's width and waits until the page is laid out again at it, with
// its fonts loaded.
func settle(t *testing.T, ctx context.Context, width int64) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	wait := `document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(window.innerWidth)))))`
	if err := chromedp.Do(c, chromedp.EmulateViewport(width, 900)); err != nil {
		t.Fatalf("set the window to %d px: %v", width, err)
	}
	got, err := chromedp.Run(c, chromedp.Evaluate[int64](wait, chromedp.EvalAwaitPromise))
	if err != nil || got != width {
		t.Fatalf("set the window to %d px: %v (it is %d px)", width, err, got)
	}
}

// looks returns what a person would notice is wrong with the page as laid out now.
func looks(t *testing.T, ctx context.Context) []string {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := chromedp.Run(c, chromedp.Evaluate[string](looksJS))
	if err != nil {
		t.Fatalf("check the page's looks: %v", err)
	}
	var problems []string
	if err := json.Unmarshal([]byte(out), &problems); err != nil {
		t.Fatalf("check the page's looks: %v: %s", err, out)
	}
	return problems
}

// looksJS returns, as a JSON array of sentences, what a person would notice is wrong
// with the page as laid out at the window's current width:
//
//   - the page scrolls sideways (a table too wide must scroll inside its own box);
//   - text that leaves the window where nothing lets the reader scroll to it;
//   - a summary card, or a table cell, whose text overflows its box, or is cut off
//     without an ellipsis and a tooltip (title) saying what was cut;
//   - at a desktop's width, a box (a table's) that scrolls sideways inside the page; at
//     a phone's, a table whose first column of numbers is scrolled out of view;
//   - a number of four digits or more without a thousands separator, and a column of
//     numbers some with decimals and some without; a date or a number in a table broken
//     over lines;
//   - two labels of an inline SVG chart that overlap (their getBBox, each in its own
//     transform, so rotated labels count as drawn), or a label cut off at the chart's
//     edge (one drawn wholly outside shows nowhere, and is left alone), or a label
//     scaled down with its chart below 9 px.
//
// Boxes are shrunk by a pixel, and text boxes vertically by 15% of their height (the
// font's line box holds more than its ink), so that labels that merely touch pass.
const looksJS = `(() => {
  const problems = [];
  const W = window.innerWidth;
  const tag = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    const cls = el.getAttribute("class");
    return cls ? s + "." + cls.trim().split(/\s+/).join(".") : s;
  };
  const say = (el) => {
    let s = tag(el);
    const row = el.closest("[data-product]");
    if (row && row !== el) s += " in the row of " + row.getAttribute("data-product");
    const text = (el.textContent || "").replace(/\s+/g, " ").trim();
    return s + (text ? " " + JSON.stringify(text.length > 50 ? text.slice(0, 47) + "…" : text) : "");
  };
  const scrolls = (el) => {
    for (let a = el.parentElement; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === "auto" || o === "scroll") return true;
    }
    return false;
  };

  const de = document.documentElement;
  if (de.scrollWidth > W + 1) {
    problems.push("the page scrolls sideways: it is " + de.scrollWidth + " px wide in a " + W + " px window");
  }

  // Text outside the window that no scrolling box holds.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let off = 0, first = "";
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.nodeValue.trim() || !n.parentElement || n.parentElement.closest("script, style, title, datalist, option, svg")) continue;
    range.selectNodeContents(n);
    const r = range.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if ((r.right > W + 1 || r.left < -1) && !scrolls(n.parentElement)) {
      if (!off++) first = say(n.parentElement);
    }
  }
  if (off) problems.push(off + " pieces of text leave the window where nothing scrolls to them, the first " + first);

  // Cards and cells whose text does not fit them.
  for (const el of document.querySelectorAll(".card, .card *, td, th")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || el.scrollWidth <= el.clientWidth + 1) continue;
    const cs = getComputedStyle(el);
    if (cs.overflowX === "auto" || cs.overflowX === "scroll") continue;
    if (cs.overflowX === "visible") {
      problems.push(say(el) + " overflows its box: its text is " + el.scrollWidth + " px wide in " + el.clientWidth + " px");
    } else if (cs.textOverflow !== "ellipsis" || !el.closest("[title]")) {
      problems.push(say(el) + " is cut off (" + el.scrollWidth + " px of text in " + el.clientWidth + " px) without an ellipsis and a tooltip");
    }
  }

  // On a desktop's width nothing needs to scroll inside the page either: a table cut
  // at its box's edge there is a layout giving it too little room.
  if (W >= 1200) {
    for (const el of document.querySelectorAll("body *")) {
      const o = getComputedStyle(el).overflowX;
      if ((o === "auto" || o === "scroll") && el.scrollWidth > el.clientWidth + 1 && el.getBoundingClientRect().width > 0) {
        problems.push(tag(el) + " is cut at its right edge (" + el.scrollWidth + " px of content in " + el.clientWidth + " px) with room to spare on the page");
      }
    }
  }

  // On a phone a wide table may scroll inside its box, but the first column of numbers
  // (the stock, the quantity) is what a person opened it for: it must be in view.
  if (W < 600) {
    for (const table of document.querySelectorAll("table")) {
      const cell = table.querySelector("tbody tr td.num");
      if (!cell || cell.getBoundingClientRect().width === 0) continue;
      let right = W;
      for (let a = table.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== "visible") right = Math.min(right, a.getBoundingClientRect().right);
      }
      range.selectNodeContents(cell);
      if (range.getBoundingClientRect().right > right + 1) {
        const i = cell.cellIndex, head = table.tHead && table.tHead.rows[0] && table.tHead.rows[0].cells[i];
        problems.push("the column " + JSON.stringify(head ? head.textContent.trim() : "column " + (i + 1)) + " of " + tag(table) + " is out of view: one has to scroll the table sideways to read it");
      }
    }
  }

  // A date or a number broken over lines ("2025-" above "09-13") is read as two.
  const broken = [...document.querySelectorAll("td, th")].filter((el) => {
    const text = el.textContent.trim();
    if (!/^-?[\d,.]+$/.test(text) && !/^\d{4}-\d\d-\d\d/.test(text)) return false;
    range.selectNodeContents(el);
    const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
    return lines.size > 1;
  });
  if (broken.length) problems.push(broken.length + " dates or numbers are broken over lines, the first " + say(broken[0]));

  // Numbers a person reads: separators from four digits, and a column's numbers all
  // with decimals or all without, so that their digits line up.
  const bare = [...document.querySelectorAll("td.num, th.num, .card .n, [data-stock-now]")].filter((el) => {
    const text = el.textContent.trim();
    return /(^|[^\d.,])\d{4,}/.test(text) && !/\d[-:/]\d/.test(text);
  });
  if (bare.length) problems.push(bare.length + " numbers have no thousands separator, the first " + say(bare[0]));
  for (const table of document.querySelectorAll("table")) {
    const cols = {};
    for (const row of table.querySelectorAll("tbody tr")) {
      [...row.cells].forEach((td, i) => {
        const text = td.textContent.trim();
        if (td.classList.contains("num") && /^-?[\d,.\u00a0\u202f]+$/.test(text)) (cols[i] = cols[i] || []).push(text);
      });
    }
    for (const [i, texts] of Object.entries(cols)) {
      const whole = texts.find((x) => !/[.,]\d\d$/.test(x)), frac = texts.find((x) => /[.,]\d\d$/.test(x));
      if (whole && frac) {
        const head = table.tHead && table.tHead.rows[0] && table.tHead.rows[0].cells[i] ? table.tHead.rows[0].cells[i].textContent.trim() : "column " + (Number(i) + 1);
        problems.push("the column " + JSON.stringify(head) + " of " + tag(table) + " mixes whole numbers and decimals (" + whole + " above or below " + frac + "): its digits do not line up");
      }
    }
  }

  // Labels of inline charts: overlapping each other, or leaving their chart.
  const corners = (t) => {
    const b = t.getBBox(), m = t.getScreenCTM();
    if (!m || b.width === 0 || b.height === 0) return null;
    const dx = Math.min(1, b.width / 4), dy = Math.max(1, b.height * 0.15);
    const pts = [[b.x + dx, b.y + dy], [b.x + b.width - dx, b.y + dy], [b.x + b.width - dx, b.y + b.height - dy], [b.x + dx, b.y + b.height - dy]];
    return pts.map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
  };
  const separated = (p, q) => {
    for (const poly of [p, q]) {
      for (let i = 0; i < poly.length; i++) {
        const [x1, y1] = poly[i], [x2, y2] = poly[(i + 1) % poly.length];
        const nx = y2 - y1, ny = x1 - x2;
        const proj = (pts) => pts.map(([x, y]) => x * nx + y * ny);
        const a = proj(p), c = proj(q);
        if (Math.max(...a) <= Math.min(...c) || Math.max(...c) <= Math.min(...a)) return true;
      }
    }
    return false;
  };
  const charts = [...document.querySelectorAll("svg")].filter((s) => !s.parentElement.closest("svg"));
  charts.forEach((svg, i) => {
    const box = svg.getBoundingClientRect();
    if (box.width === 0) return;
    const name = svg.closest("[aria-label]") ? svg.closest("[aria-label]").getAttribute("aria-label") : "chart " + (i + 1);
    const labels = [];
    for (const t of svg.querySelectorAll("text")) {
      const text = t.textContent.trim();
      const cs = getComputedStyle(t);
      if (!text || cs.display === "none" || cs.visibility === "hidden" || Number(cs.opacity) === 0 || t.getBoundingClientRect().width === 0) continue;
      const c = corners(t);
      // Drawn wholly outside the chart (go-chart's unused axes are), it shows nowhere.
      if (c && !c.every(([x, y]) => x < box.left || x > box.right || y < box.top || y > box.bottom)) {
        const m = t.getScreenCTM();
        labels.push({ text, c, px: parseFloat(cs.fontSize) * Math.sqrt(Math.abs(m.a * m.d - m.b * m.c)) });
      }
    }
    // A label scaled down with its chart below 9 px (a phone's screen) cannot be read.
    const tiny = labels.filter((l) => l.px < 9);
    if (tiny.length) problems.push("in the chart " + JSON.stringify(name) + ", " + tiny.length + " labels are drawn smaller than 9 px, such as " + JSON.stringify(tiny[0].text) + " at " + tiny[0].px.toFixed(1) + " px");
    let overlaps = 0, example = "";
    for (let a = 0; a < labels.length; a++) {
      for (let b = a + 1; b < labels.length; b++) {
        if (!separated(labels[a].c, labels[b].c)) {
          if (!overlaps++) example = JSON.stringify(labels[a].text) + " and " + JSON.stringify(labels[b].text);
        }
      }
    }
    if (overlaps) problems.push("in the chart " + JSON.stringify(name) + ", " + overlaps + " pairs of labels overlap, such as " + example);
    const out = labels.filter((l) => l.c.some(([x, y]) => x < box.left - 1 || x > box.right + 1 || y < box.top - 1 || y > box.bottom + 1));
    if (out.length) problems.push("in the chart " + JSON.stringify(name) + ", " + out.length + " labels are cut off at its edge, such as " + JSON.stringify(out[0].text));
  });
  return JSON.stringify(problems);
})()`

// TestLooksFindsWhatAPersonSees: the looks check finds each fault on a page made to have
// it, and nothing on one without, so that TestWebAppAsATool passing means something.
func TestLooksFindsWhatAPersonSees(t *testing.T) {
	ctx := browser(t)
	page := func(body string) string {
		return "data:text/html;charset=utf-8," + url.PathEscape(`<!doctype html><meta name="viewport" content="width=device-width"><body style="margin:8px;font:16px sans-serif">`+body)
	}
	svg := func(texts string) string {
		return `<svg width="300" height="100" viewBox="0 0 300 100">` + texts + `</svg>`
	}
	for _, c := range []struct{ name, body, want string }{
		{"fine", `<div class="card" style="width:200px"><div class="n">1,234</div></div><table><tbody><tr><td class="num">1,234.50</td><td class="num">12.00</td></tr></tbody></table>` +
			svg(`<text x="10" y="20" font-size="12">Jan 2025</text><text x="10" y="40" font-size="12">Feb 2025</text><text x="10" y="80" font-size="12" transform="rotate(-45 10 80)">P1</text>`), ""},
		{"wide page", `<div style="width:900px">wide</div>`, "scrolls sideways"},
		{"card", `<div class="card" style="width:60px"><div class="n" style="white-space:nowrap">2,629,500.25</div></div>`, "overflows its box"},
		{"clipped cell", `<table style="table-layout:fixed;width:80px"><tbody><tr><td style="overflow:hidden;white-space:nowrap">a long product name</td></tr></tbody></table>`, "is cut off"},
		{"overlap", svg(`<text x="10" y="20" font-size="12">2,629,500</text><text x="30" y="22" font-size="12">2,870,295</text>`), "labels overlap"},
		{"rotated overlap", svg(`<text x="50" y="60" font-size="12" transform="rotate(-45 50 60)">BOLT-0001</text><text x="56" y="60" font-size="12" transform="rotate(-45 56 60)">BOLT-0002</text>`), "labels overlap"},
		{"cut label", svg(`<text x="270" y="20" font-size="12">DEMO-1 long</text>`), "cut off at its edge"},
		{"tiny label", `<div style="width:100px">` + strings.Replace(svg(`<text x="10" y="50" font-size="12">0</text>`), `width="300" height="100"`, `style="width:100px"`, 1) + `</div>`, "smaller than 9 px"},
		{"no separator", `<table><tbody><tr><td class="num">2629500</td></tr></tbody></table>`, "no thousands separator"},
		{"broken date", `<table style="width:60px"><tbody><tr><td>2025-09-13 00:00:00</td></tr></tbody></table>`, "broken over lines"},
		{"ragged column", `<table><tbody><tr><td class="num">343</td></tr><tr><td class="num">376.75</td></tr></tbody></table>`, "mixes whole numbers and decimals"},
	} {
		do(t, ctx, c.name, chromedp.Navigate(page(c.body)))
		settle(t, ctx, 375)
		got := strings.Join(looks(t, ctx), "\n")
		if c.want == "" && got != "" || !strings.Contains(got, c.want) {
			t.Errorf("%s: the check found %q, want %q", c.name, got, c.want)
		}
	}
}
