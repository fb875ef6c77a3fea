// Package testbrowser finds the headless Chromium that the real-browser tests drive.
package testbrowser

import (
	"os"
	"os/exec"
	"testing"
)

// Chromium returns the path of a headless-capable Chromium. Without one it fails the
// test in CI, where .ci/run installs it, and skips it elsewhere.
func Chromium(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatal("Chromium is not installed; .ci/run installs Debian's chromium package")
	}
	tb.Skip("needs Chromium (apt-get install chromium) for the real-browser test")
	return ""
}
