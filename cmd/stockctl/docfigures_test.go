package main_test

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// reliabilityDoc is where the fault suite's figures are written down.
const reliabilityDoc = "../../docs/reliability.md"

// checkDocFigure requires the row of docs/reliability.md that names test in its first
// cell to give, in the number pattern's group matches, the figure the test computes
// (want): a count in the doc that the table next to it no longer has fails the test.
func checkDocFigure(t *testing.T, test, pattern string, want int) {
	t.Helper()
	raw, err := os.ReadFile(reliabilityDoc)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(pattern)
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(line, "| `"+test+"`") {
			continue
		}
		m := re.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("%s: the row of %s does not match %q", reliabilityDoc, test, pattern)
		}
		if got, _ := strconv.Atoi(m[1]); got != want {
			t.Fatalf("%s says %q for %s; the test has %d: change the doc or the table", reliabilityDoc, m[0], test, want)
		}
		return
	}
	t.Fatalf("%s has no row for %s", reliabilityDoc, test)
}
