package main_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The race detector in stockctl itself: the tests whose stockctl processes run several
// goroutines at once on shared state (serve's handlers, hub and follower; the broker
// serving concurrent writers) start raceBinary, stockctl built with -race, instead of
// binary. A second binary rather than -race for every process: a race-built stockctl
// starts about 0.25 s slower and uses 5 to 9 times the CPU, which the suite's thousands of
// short CLI processes would pay for nothing.

// raceEnv makes a race stop the process at once with exit 66 (no stockctl code), its
// report on stderr; and not wait the default second at exit for late reports, which every
// short process would pay. Binaries built without -race ignore it.
const raceEnv = "GORACE=halt_on_error=1 exitcode=66 atexit_sleep_ms=0"

// raceReport is how the race detector begins a report.
const raceReport = "WARNING: DATA RACE"

// goCommand is the go tool TestMain built binary with.
var goCommand string

var raceBuild struct {
	once sync.Once
	path string
	err  error
}

// buildRaceBinary builds stockctl with -race, once. TestMain calls it before any test
// runs: built on first use, its minutes of compiling on a small machine fell inside
// parallel tests' time limits.
func buildRaceBinary() {
	raceBuild.once.Do(func() {
		path := filepath.Join(buildDir, "stockctl-race")
		build := exec.Command(goCommand, "build", "-race", "-ldflags", "-X main.version="+testVersion, "-o", path, ".")
		build.Env = append(os.Environ(), "CGO_ENABLED=1")
		out, err := build.CombinedOutput()
		if err != nil {
			raceBuild.err = fmt.Errorf("building stockctl with -race (needs cgo and a C compiler): %v\n%s", err, out)
			return
		}
		raceBuild.path = path
	})
}

// raceBinary returns stockctl built with -race; it fails the test if that was impossible
// (the race detector needs cgo, hence a C compiler), rather than skipping the race
// detector silently.
func raceBinary(t testing.TB) string {
	t.Helper()
	buildRaceBinary()
	if raceBuild.err != nil {
		t.Fatal(raceBuild.err)
	}
	return raceBuild.path
}

// errDataRace is what a process's output holding a race report gives.
var errDataRace = errors.New("the race detector reported a data race")

// raceReported returns an error quoting the race report in output, if any.
func raceReported(output string) error {
	i := strings.Index(output, raceReport)
	if i < 0 {
		return nil
	}
	return fmt.Errorf("%w:\n%s", errDataRace, output[i:])
}
