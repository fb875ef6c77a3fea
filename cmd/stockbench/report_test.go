package main

import (
	"strings"
	"testing"
	"time"
)

// TestReportMarksMissedTargets: a figure that misses its target is marked MISSED in its
// row and listed below the table with the target and the measured value; one that meets
// it is marked met; the replay's target includes its ratio to the baseline.
func TestReportMarksMissedTargets(t *testing.T) {
	b := &bench{cfg: config{events: 1000, products: 10}, started: time.Now()}
	b.add(result{name: baselineName, value: "200000 rows/s", ratio: 200_000})
	for _, r := range []struct {
		name string
		rate float64
	}{{"fast enough", 250_000}, {"too slow", 90_000}, {"fast but below 0.6 × baseline", 110_000}} {
		rate := r.rate
		b.add(result{name: r.name, value: "measured", target: "≥ 100,000/s and ≥ 0.6 × baseline", ratio: rate,
			met: func(base float64) bool { return rate >= 100_000 && rate >= 0.6*base }})
	}
	report := b.report()
	for _, want := range []string{
		"| fast enough | measured | 1.25 | ≥ 100,000/s and ≥ 0.6 × baseline | met |",
		"| too slow | measured | 0.45 | ≥ 100,000/s and ≥ 0.6 × baseline | **MISSED** |",
		"| fast but below 0.6 × baseline | measured | 0.55 | ≥ 100,000/s and ≥ 0.6 × baseline | **MISSED** |",
		"2 of 3 targets MISSED:",
		"- MISSED: too slow: target ≥ 100,000/s and ≥ 0.6 × baseline, measured measured (0.45 × baseline)",
		"- MISSED: fast but below 0.6 × baseline: target ≥ 100,000/s and ≥ 0.6 × baseline, measured measured (0.55 × baseline)",
		"on the embedded broker",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	b.topic, b.addr = "bench.1", "127.0.0.1:19092"
	if report := b.report(); strings.Contains(report, "embedded broker") || !strings.Contains(report, "on the Kafka cluster at 127.0.0.1:19092") {
		t.Errorf("a run on a cluster must not say it ran on the embedded broker:\n%s", report)
	}
}

// TestPageJudgesTwoClocksRows: the benchmark page's check reads the backdated replay's
// ratio to the in-order replay from its result, the 10-location replay's ratio to the
// single-location one, the as-of and by-location rows' medians, and counts a
// step that could not run as missed.
func TestPageJudgesTwoClocksRows(t *testing.T) {
	for _, c := range []struct {
		result, target string
		want           bool
	}{
		{"50000 events/s (20s), 0.93 × in-order replay; 20000 backdated, 0 refused", "≥ 0.9 × in-order replay", true},
		{"50000 events/s (20s), 0.85 × in-order replay; 20000 backdated, 0 refused", "≥ 0.9 × in-order replay", false},
		{"median 31.0 ms, p95 40.2 ms (as of 2023-06-24)", "median ≤ 50 ms including process start", true},
		{"median 61.0 ms, p95 70.2 ms (as of 2023-06-24)", "median ≤ 50 ms including process start", false},
		{"40000 events/s (25s), 0.92 × single-location replay (0.95 × by CPU time); 90000 transfers, 0 refused", "≥ 0.9 × single-location replay", true},
		{"40000 events/s (25s), 0.81 × single-location replay (0.85 × by CPU time); 90000 transfers, 0 refused", "≥ 0.9 × single-location replay", false},
		{"median 62.0 ms, p95 80.1 ms; plain stock on the same model: median 40.0 ms", "median ≤ 100 ms including process start", true},
		{"median 162.0 ms, p95 180.1 ms; plain stock on the same model: median 40.0 ms", "median ≤ 100 ms including process start", false},
		{"not measured: exit status 2: --as-of: flag provided but not defined", "median ≤ 500 ms including process start", false},
	} {
		if got := metOnPage(t, c.result, "", c.target); got != c.want {
			t.Errorf("%q against %q: met %v, want %v", c.result, c.target, got, c.want)
		}
	}
}
