package main_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReportOutDirectory: --out naming a file is a usage error (exit 2); a report
// written over an earlier one leaves exactly the new report's files, and a folder
// holding anything else is refused with nothing written or removed.
func TestReportOutDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, p := range []string{"P1", "P2", "P3"} {
		mustRun(t, dir, "restock", "--date", "2024-05-01", p, "10")
	}
	base := t.TempDir()
	file := filepath.Join(base, "report.html")
	if err := os.WriteFile(file, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, "report", "--out", file)
	if want := "stockctl: report: --out " + file + " is a file: give a directory"; r.code != 2 || !strings.HasPrefix(r.stderr, want) {
		t.Errorf("want exit 2 and %q, got %v", want, r)
	}
	if b, _ := os.ReadFile(file); string(b) != "mine" {
		t.Errorf("the file was changed: %q", b)
	}

	out := filepath.Join(base, "stock-report")
	mustRun(t, dir, "report", "--out", out, "--product", "P1", "--product", "P2", "--product", "P3")
	three := listDir(t, out)
	if !slices.Contains(three, "stock-03.png") || !slices.Contains(three, "stock-03.svg") {
		t.Fatalf("a report of three products: %v", three)
	}
	r = mustRun(t, dir, "report", "--out", out, "--product", "P1", "--format", "html")
	one := listDir(t, out)
	// The page has its charts inline: HTML alone is one file.
	want := []string{".stockctl-report", "index.html"}
	if !slices.Equal(one, want) {
		t.Errorf("after a second report of one product in HTML only: %v, want %v\n%v", one, want, r)
	}
	if got := listDir(t, base); !slices.Equal(got, []string{"report.html", "stock-report"}) {
		t.Errorf("the report left files beside its directory: %v", got)
	}

	// A folder holding a file of the user's: refused whether or not a report is there.
	mine := filepath.Join(out, "notes.txt")
	if err := os.WriteFile(mine, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	documents := filepath.Join(base, "documents")
	if err := os.Mkdir(documents, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(documents, "stock-01.png"), []byte("my picture"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(documents, "letter.odt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, folder := range []struct{ path, names string }{{out, "notes.txt"}, {documents, "letter.odt"}} {
		before := listDir(t, folder.path)
		r := run(t, dir, "report", "--out", folder.path)
		want := "stockctl: report: --out " + folder.path + " holds files that are not a stockctl report's (" + folder.names + ")"
		if r.code != 2 || !strings.HasPrefix(r.stderr, want) {
			t.Errorf("want exit 2 and %q, got %v", want, r)
		}
		if got := listDir(t, folder.path); !slices.Equal(got, before) {
			t.Errorf("a refused report changed %s: %v, was %v", folder.path, got, before)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(documents, "stock-01.png")); string(b) != "my picture" {
		t.Errorf("the user's picture was replaced")
	}

	// A report written before reports listed their files is recognised by its names.
	if err := os.Remove(mine); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(out, ".stockctl-report")); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, "report", "--out", out, "--product", "P2", "--format", "svg")
	if got := listDir(t, out); !slices.Contains(got, "stock-01.svg") || slices.Contains(got, "index.html") || slices.Contains(got, "stock-01.png") {
		t.Errorf("an SVG-only report over an old one: %v", got)
	}
}
