package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The bench's log puts an event every 30 s from 2023-01-01 08:00 (loadgen): 2,880 a day,
// so 35 days hold about 100,000 operations, and a million end in mid-December 2023.
// benchMid35 is the middle of the 35 days.
const (
	benchFrom, benchTo = "2023-03-01", "2023-04-04" // 35 days: 100,800 events
	benchMid35         = "2023-03-18 00:00:00"
)

// listsBench times the products list (every sort; first, middle and last page) and the
// operations page (each filter; first, a middle and the last page) by the server's own
// render time, then a CSV download of about 100,000 operations with serve's memory.
func (b *bench) listsBench(s *served) error {
	pages := (b.cfg.products + 49) / 50
	for _, sort := range []string{"product", "-product", "stock", "-stock", "movement", "-movement", "last", "-last"} {
		base := "/products?sort=" + sort
		if err := b.timePages(s, "products list, sort "+sort, []string{base, fmt.Sprintf("%s&page=%d", base, max(1, pages/2)), fmt.Sprintf("%s&page=%d", base, pages)}); err != nil {
			return err
		}
	}
	// The middle of the log's dates, and of the 35 days.
	middle := time.Date(2023, 1, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(b.cfg.events/2) * 30 * time.Second).Format("2006-01-02 15:04:05")
	for _, f := range []struct{ name, query, sort, middle string }{
		{"no filter", "", "-date", middle},
		{"35 days", "from=" + benchFrom + "&to=" + benchTo, "-date", benchMid35},
		{"the whole year", "from=2023-01-01&to=2023-12-31", "-date", middle},
		{"one product", "product=P0001", "-date", middle},
		{"restocks", "type=restock", "-date", middle},
		{"sales", "type=sale", "-date", middle},
		{"one product, 35 days", "product=p0001&from=" + benchFrom + "&to=" + benchTo, "-date", benchMid35},
		{"no filter, by product", "sort=product", "product", ""},
		{"no filter, by quantity", "sort=-quantity", "-quantity", ""},
		{"no filter, as recorded", "sort=recorded", "recorded", ""},
		// Filters that go with or against the sort's index: the page reads few rows
		// through the filter's own index and sorts them (readmodel.sortFew).
		{"restocks, smallest first", "type=restock&sort=quantity", "quantity", ""},
		{"from a recent day, by quantity", "from=2023-12-10&sort=-quantity", "-quantity", ""},
		{"from a recent day, by product", "from=2023-12-10&sort=product", "product", ""},
		{"up to the first day, latest recorded first", "to=2023-01-01&sort=-recorded", "-recorded", ""},
	} {
		base := "/operations?" + f.query
		total, err := shownTotal(s.url + base)
		if err != nil {
			return err
		}
		// A middle page as its link would be: the page after a row in the middle of the
		// filter's rows, at that row's position.
		mid := base + "&after=" + benchCursor(f.sort, f.middle, total/2)
		if err := b.timePages(s, "operations page, "+f.name, []string{base, mid, base + "&before=last"}); err != nil {
			return err
		}
	}
	return b.download(s)
}

// benchCursor is the page link's cursor (readmodel/listpage.go makes them) of a row in
// the middle of the bench's ledger in the given sort: its key, tie-break and position.
func benchCursor(sort, date string, pos int64) string {
	c := map[string]any{"s": sort, "k": date, "t": int64(1) << 62, "p": pos}
	switch strings.TrimPrefix(sort, "-") {
	case "product":
		c["k"], c["t"] = fmt.Sprintf("P%04d", 500), 500
	case "quantity":
		c["k"] = "500"
	case "recorded":
		c["k"] = fmt.Sprint(pos)
	}
	raw, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// shownTotal returns the rows a list page says its filter selects.
func shownTotal(url string) (int64, error) {
	res, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := shownRange.FindStringSubmatch(string(body))
	if m == nil {
		return 0, fmt.Errorf("GET %s: no rows shown", url)
	}
	return strconv.ParseInt(strings.ReplaceAll(m[3], ",", ""), 10, 64)
}

var shownRange = regexp.MustCompile(`(\d[\d,]*)–(\d[\d,]*) of (\d[\d,]*)`)

// timePages fetches each page serveRuns times and adds one result: the worst median.
func (b *bench) timePages(s *served, name string, paths []string) error {
	var medians []time.Duration
	var shown []string
	for _, path := range paths {
		var server []time.Duration
		for i := range serveRuns + 1 {
			st, _, err := serverTime(s.url + path)
			if err != nil {
				return err
			}
			if i > 0 {
				server = append(server, st)
			}
		}
		m, _ := percentiles(server)
		medians = append(medians, m)
		res, err := http.Get(s.url + path)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if r := shownRange.FindString(string(body)); r != "" {
			shown = append(shown, r)
		} else {
			return fmt.Errorf("GET %s: no rows shown", path)
		}
	}
	worst := max(medians[0], medians[1], medians[2])
	b.add(result{name: fmt.Sprintf("%s (n=%d each)", name, serveRuns),
		value: fmt.Sprintf("server median %.1f ms at worst: first %.1f, middle %.1f, last %.1f ms (rows %s)",
			ms(worst), ms(medians[0]), ms(medians[1]), ms(medians[2]), strings.Join(shown, "; ")),
		target: "median ≤ 100 ms server time", met: func(float64) bool { return worst <= 100*time.Millisecond }})
	return nil
}

// download times GET /api/operations?format=csv for 35 days, about 100,000 operations,
// read to the end, and serve's resident memory before and after and its peak: a download
// that held its rows would grow by their size.
func (b *bench) download(s *served) error {
	pid := s.cmd.Process.Pid
	before, peakBefore := procMemory(pid)
	start := time.Now()
	res, err := http.Get(s.url + "/api/operations?format=csv&from=" + benchFrom + "&to=" + benchTo)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	took := time.Since(start)
	if err != nil || res.StatusCode != 200 {
		return fmt.Errorf("CSV download: %v %s", err, res.Status)
	}
	after, peakAfter := procMemory(pid)
	rows := strings.Count(string(body), "\r\n") - 1
	grew := max(0, peakAfter-peakBefore)
	b.add(result{name: "CSV download of 35 days, GET /api/operations",
		value: fmt.Sprintf("%s for %d rows (%.1f MiB of CSV); serve grew %d MB at its peak resident memory (%d → %d MB; resident now %d → %d MB)",
			took.Round(time.Millisecond), rows, float64(len(body))/(1<<20), grew>>20, peakBefore>>20, peakAfter>>20, before>>20, after>>20),
		target: "≤ 2 s and ≤ 64 MB", met: func(float64) bool { return took <= 2*time.Second && grew <= 64<<20 }})
	return nil
}

// procMemory returns a process's resident set size and its peak, in bytes.
func procMemory(pid int) (rss, peak int64) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		var kb int64
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb)
			rss = kb << 10
		}
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb)
			peak = kb << 10
		}
	}
	return rss, peak
}
