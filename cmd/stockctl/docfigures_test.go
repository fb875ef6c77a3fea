package main_test

import (
	"os"
	"path/filepath"
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

// mixedBrokers are tests with parts on both brokers and parts on the embedded one only,
// which their doc comments and rows describe: TestSIGKILLDuringWrites kills sell and import
// on both, and `stockctl broker` itself on the embedded one.
var mixedBrokers = map[string]bool{"TestSIGKILLDuringWrites": true}

// TestEmbeddedOnlyTestsAreMarked: a test of this package that runs on the embedded
// broker only, even in make test-kafka's run on Apache Kafka (it calls skipOnRealKafka,
// or uses embeddedEnv or startBroker and never testkafka.Real or copyTarget), must be marked
// "(embedded)" in its rows of docs/reliability.md (or the row must say which part runs on
// the embedded broker), and its doc comment must say why ("Embedded broker only").
func TestEmbeddedOnlyTestsAreMarked(t *testing.T) {
	doc, err := os.ReadFile(reliabilityDoc)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	testFunc := regexp.MustCompile(`(?m)((?:^//.*\n)*)^func (Test\w+)\(t \*testing\.T\) \{\n`)
	embedded := 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range testFunc.FindAllSubmatchIndex(src, -1) {
			body, _, _ := strings.Cut(string(src[m[1]:]), "\n}\n")
			comment, name := string(src[m[2]:m[3]]), string(src[m[4]:m[5]])
			if mixedBrokers[name] || !(strings.Contains(body, "skipOnRealKafka(t)") ||
				strings.Contains(body, "embeddedEnv") || strings.Contains(body, "startBroker(")) ||
				strings.Contains(body, "testkafka.Real()") || strings.Contains(body, "copyTarget(t)") {
				continue
			}
			embedded++
			if !strings.Contains(comment, "Embedded broker only") {
				t.Errorf("%s: %s runs on the embedded broker only: its doc comment must say why (\"Embedded broker only: …\")", file, name)
			}
			for _, line := range strings.Split(string(doc), "\n") {
				cells := strings.Split(line, " | ")
				if len(cells) < 3 || !strings.Contains(cells[0], "`"+name+"`") {
					continue
				}
				if !strings.Contains(cells[0], "(embedded") && !strings.Contains(line, "on the embedded broker only") {
					t.Errorf("%s: the row of %s must mark it (embedded): %.80s…", reliabilityDoc, name, line)
				}
			}
		}
	}
	if embedded == 0 {
		t.Fatal("found no embedded-only test: the pattern no longer matches this package's tests")
	}
}
