package archtest

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/stockctl/stockctl/"

// forbidden maps a package to the packages it must not depend on, directly or through
// another package (go list's Deps). The write side (commands), the log (eventlog), the
// projection (projections) and the read model (readmodel) share only domain's vocabulary;
// readmodel implements projections' store and notify's, the only imports among them. Only
// cmd/ wires them together. web answers with rows of its own, not the read model's.
var forbidden = map[string][]string{
	"commands":    {"eventlog", "projections", "readmodel", "ledgercsv", "legacydb"},
	"eventlog":    {"commands", "projections", "readmodel"},
	"projections": {"commands", "eventlog", "readmodel"},
	"readmodel":   {"commands", "eventlog"},
	"web":         {"readmodel", "eventlog", "projections"},
	"notify":      {"readmodel", "eventlog", "projections", "commands", "web"},
}

// listed is what the test reads of `go list -json`.
type listed struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// packages lists every package of the module, with what it imports and depends on; test
// files are not included (go list's Imports and Deps leave them out).
func packages(t *testing.T) map[string]listed {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", module+"...")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := make(map[string]listed)
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs[strings.TrimPrefix(p.ImportPath, module)] = p
	}
	for _, name := range []string{"domain", "commands", "eventlog", "projections", "readmodel", "web"} {
		if _, ok := pkgs[name]; !ok {
			t.Fatalf("go list did not list %s%s: the test reads the wrong module", module, name)
		}
	}
	return pkgs
}

// TestImportMap fails when a package depends on one the architecture forbids it.
func TestImportMap(t *testing.T) {
	pkgs := packages(t)
	for name, banned := range forbidden {
		for _, dep := range pkgs[name].Deps {
			if slices.Contains(banned, strings.TrimPrefix(dep, module)) {
				t.Errorf("%s depends on %s (%s): see docs/architecture.md for who may import whom",
					name, strings.TrimPrefix(dep, module), via(pkgs, name, dep))
			}
		}
	}
	// domain is the vocabulary every package may use: it depends on none of them.
	for _, dep := range pkgs["domain"].Deps {
		if strings.HasPrefix(dep, module) {
			t.Errorf("domain depends on %s: domain imports no stockctl package", strings.TrimPrefix(dep, module))
		}
	}
	// The shared test fixtures open read models and run projections: tests only.
	for name, p := range pkgs {
		if slices.Contains(p.Imports, module+"internal/testfix") {
			t.Errorf("%s imports internal/testfix, which only tests may use", name)
		}
	}
}

// via names the chain of imports by which from reaches dep, for the failure message.
func via(pkgs map[string]listed, from, dep string) string {
	type step struct {
		pkg  string
		path []string
	}
	seen := map[string]bool{from: true}
	queue := []step{{from, []string{from}}}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, imp := range pkgs[s.pkg].Imports {
			name := strings.TrimPrefix(imp, module)
			if imp == dep {
				return strings.Join(append(s.path, name), " -> ")
			}
			if strings.HasPrefix(imp, module) && !seen[name] {
				seen[name] = true
				queue = append(queue, step{name, append(slices.Clone(s.path), name)})
			}
		}
	}
	return "through a package outside the module"
}
