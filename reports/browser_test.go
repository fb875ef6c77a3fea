package reports_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/internal/testbrowser"
	"github.com/stockctl/stockctl/reports"
)

func headless(t *testing.T, bin string, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000"}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, errOut.String())
	}
	return out.String(), errOut.String()
}

// TestReportInABrowser opens index.html from file:// in headless Chromium: every chart
// image must load and the page must log no error. A screenshot is kept in the test's
// temp dir (and in $STOCKCTL_SCREENSHOT_DIR when set).
func TestReportInABrowser(t *testing.T) {
	bin := testbrowser.Chromium(t)
	_, res := render(t, ledger(t, sample...), reports.Filter{})
	url := "file://" + res.Index

	dom, logs := headless(t, bin, "--dump-dom", url)
	m := regexp.MustCompile(`data-images-loaded="(\d+)/(\d+)"`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the page's load check did not run; DOM:\n%.500s\nlog:\n%s", dom, logs)
	}
	if m[1] != m[2] || m[2] == "0" {
		t.Fatalf("%s of %s chart images loaded", m[1], m[2])
	}
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Uncaught") || strings.Contains(line, "Failed to load") {
			t.Errorf("the page logged: %s", line)
		}
	}

	shot := filepath.Join(t.TempDir(), "report.png")
	headless(t, bin, "--window-size=1100,2600", "--hide-scrollbars", "--screenshot="+shot, url)
	info, err := os.Stat(shot)
	if err != nil || info.Size() < 10_000 {
		t.Fatalf("screenshot %s: %v (%d bytes)", shot, err, sizeOf(info))
	}
	if dir := os.Getenv("STOCKCTL_SCREENSHOT_DIR"); dir != "" {
		data, _ := os.ReadFile(shot)
		os.WriteFile(filepath.Join(dir, "report.png"), data, 0o644)
	}
	t.Logf("%s of %s images loaded; screenshot %s", m[1], m[2], shot)
}

func sizeOf(info os.FileInfo) int64 {
	if info == nil {
		return 0
	}
	return info.Size()
}
