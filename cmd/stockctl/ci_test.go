package main_test

import (
	"fmt"
	"os"
	"testing"
)

// skipOrFailInCI skips a test that lacks a tool, saying why, except in CI
// (CI=true): .ci/run installs every tool the tests use, so there the
// lack fails the test instead, and CI cannot go green without it having run (as
// testbrowser.Chromium, TestKcatInterop and TestSASLPlain do).
func skipOrFailInCI(t *testing.T, format string, args ...any) {
	t.Helper()
	why := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI (CI=true) has every tool .ci/run installs", why)
	}
	t.Skip(why)
}
