package main_test

import (
	"fmt"
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
// the embedded broker), and its doc comment must say why ("Embedded broker only: …", in any case).
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
			if !strings.Contains(strings.ToLower(comment), "embedded broker only") {
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

// TestEveryFuzzTargetIsFuzzed: each fuzz test of the repository has its line in the
// Makefile's test-fuzz, run by name through scripts/run-named.sh in its own package for
// the count docs/reliability.md gives, and is named in the doc's fuzz row. A fuzz test
// added without its line would run only its seed corpus, and the doc would still claim it.
func TestEveryFuzzTargetIsFuzzed(t *testing.T) {
	makefile, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(reliabilityDoc)
	if err != nil {
		t.Fatal(err)
	}
	var row string
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(line, "| fuzz tests |") {
			row = line
		}
	}
	count := regexp.MustCompile(`(\d+),(\d{3}) inputs each per ` + "`make test`").FindStringSubmatch(row)
	if count == nil {
		t.Fatalf("%s: no fuzz row giving \"N inputs each per `make test`\"", reliabilityDoc)
	}
	fuzzFunc := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(f \*testing\.F\)`)
	found := 0
	err = filepath.WalkDir("../..", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range fuzzFunc.FindAllStringSubmatch(string(src), -1) {
			found++
			name, pkg := m[1], "./"+strings.TrimPrefix(filepath.Dir(path), "../../")
			line := fmt.Sprintf("$(RUN_NAMED) %s $(GO) test -run '^$$' -fuzz '^%s$$' -fuzztime %s%sx %s\n", name, name, count[1], count[2], pkg)
			if !strings.Contains(string(makefile), line) {
				t.Errorf("Makefile: test-fuzz lacks the line for %s:\n\t%s", path, line)
			}
			if !strings.Contains(row, "`"+name+"`") {
				t.Errorf("%s: the fuzz row does not name %s", reliabilityDoc, name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found == 0 {
		t.Fatal("found no fuzz test in the repository")
	}
}
