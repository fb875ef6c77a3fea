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
