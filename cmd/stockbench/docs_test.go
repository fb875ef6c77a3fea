package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	firstNumber = regexp.MustCompile(`^(\d+(?:\.\d+)?) `)
	firstTime   = regexp.MustCompile(`^(\d+(?:\.\d+)?(?:ms|s))\b`)
	beyond      = regexp.MustCompile(`\((\d+(?:\.\d+)?(?:ms|s)) beyond`)
	median      = regexp.MustCompile(`median (\d+(?:\.\d+)?) ms`)
	megabytes   = regexp.MustCompile(`(\d+) MB`)
	inOrder     = regexp.MustCompile(`(\d+(?:\.\d+)?) × in-order replay`)
	oneLocation = regexp.MustCompile(`(\d+(?:\.\d+)?) × single-location replay`)
	bound       = regexp.MustCompile(`^(≥|≤) ([\d,.]+) ?(events/s|rows/s|MB|ms|s|× baseline|× in-order replay|× single-location replay)`)
)

// metOnPage judges a row of a benchmark page against its target from the figures the row
// shows, independently of stockbench's own checks, which wrote (or should have written)
// its verdict.
func metOnPage(t *testing.T, result, ratio, target string) bool {
	t.Helper()
	if target == "all answered, no oversell" {
		return strings.Contains(result, "25 recorded (201), 25 refused (409), stock 0.00")
	}
	if strings.HasPrefix(result, "not measured") {
		return false
	}
	met := true
	for _, part := range strings.Split(target, " and ") {
		part = strings.TrimPrefix(part, "median ")
		m := bound.FindStringSubmatch(part)
		if m == nil {
			t.Fatalf("target %q: part %q not understood", target, part)
		}
		limit, err := strconv.ParseFloat(strings.ReplaceAll(m[2], ",", ""), 64)
		if err != nil {
			t.Fatal(err)
		}
		var got float64
		var found []string
		switch unit := m[3]; {
		case unit == "× baseline":
			found = []string{"", ratio}
		case unit == "× in-order replay":
			found = inOrder.FindStringSubmatch(result)
		case unit == "× single-location replay":
			found = oneLocation.FindStringSubmatch(result)
		case unit == "MB" && strings.Contains(result, "peak RSS"):
			found = regexp.MustCompile(`peak RSS (\d+) MB`).FindStringSubmatch(result)
		case unit == "MB":
			found = megabytes.FindStringSubmatch(result)
		case strings.Contains(target, "beyond process start"):
			found = beyond.FindStringSubmatch(result)
		case strings.Contains(target, "median"):
			found = median.FindStringSubmatch(result)
		case unit == "ms" || unit == "s":
			found = firstTime.FindStringSubmatch(result)
		default:
			found = firstNumber.FindStringSubmatch(result)
		}
		if found == nil {
			t.Fatalf("result %q: no figure for the target part %q", result, part)
		}
		if d, err := time.ParseDuration(found[1]); err == nil {
			unit := time.Millisecond
			if m[3] == "s" {
				unit = time.Second
			}
			got = float64(d) / float64(unit)
		} else if got, err = strconv.ParseFloat(found[1], 64); err != nil {
			t.Fatalf("result %q: %v", result, err)
		}
		if m[1] == "≥" && got < limit || m[1] == "≤" && got > limit {
			met = false
		}
	}
	return met
}

// TestBenchmarkPagesMarkEveryMiss reads docs/benchmarks*.md: each row with a target must
// carry the verdict its own figures give (met, or **MISSED**), and the page must count and
// list its misses, so that no page shows a missed target without saying so; a page
// measured on a cluster must not say it ran on the embedded broker.
func TestBenchmarkPagesMarkEveryMiss(t *testing.T) {
	pages, err := filepath.Glob("../../docs/benchmarks*.md")
	if err != nil || len(pages) == 0 {
		t.Fatalf("no benchmark page: %v", err)
	}
	for _, page := range pages {
		raw, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		text := string(raw)
		// "sell on the cluster" is the name stockbench gives the sell row on a cluster.
		onCluster := strings.Contains(text, "stockbench -brokers ") || strings.Contains(text, "| sell on the cluster ")
		if onCluster && strings.Contains(text, "embedded broker") {
			t.Errorf("%s: measured on a cluster but says it ran on the embedded broker", page)
		}
		targets, misses := 0, 0
		for _, line := range strings.Split(text, "\n") {
			cells := strings.Split(strings.Trim(line, "|"), " | ")
			if len(cells) != 5 || strings.TrimSpace(cells[3]) == "" || strings.TrimSpace(cells[3]) == "target" || cells[0] == "---" {
				continue
			}
			name, result, ratio, target, verdict := strings.TrimSpace(cells[0]), cells[1], cells[2], cells[3], strings.TrimSpace(cells[4])
			if strings.HasPrefix(target, "---") {
				continue
			}
			targets++
			want := "met"
			if !metOnPage(t, result, ratio, target) {
				want, misses = "**MISSED**", misses+1
				if !strings.Contains(text, "- MISSED: "+name+": target "+target+", measured "+result) {
					t.Errorf("%s: the miss of %q is not listed below the table", page, name)
				}
			}
			if verdict != want {
				t.Errorf("%s: %q: %s against %s is %s, the page says %q", page, name, result, target, want, verdict)
			}
		}
		if targets == 0 {
			t.Errorf("%s: no row with a target and a verdict", page)
		}
		summary := "All " + strconv.Itoa(targets) + " targets met."
		if misses > 0 {
			summary = strconv.Itoa(misses) + " of " + strconv.Itoa(targets) + " targets MISSED:"
		}
		if !strings.Contains(text, summary) {
			t.Errorf("%s: want the line %q", page, summary)
		}
	}
}
