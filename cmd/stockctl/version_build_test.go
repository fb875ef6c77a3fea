package main_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVersionOfABuildFromGit builds stockctl without -X main.version in a git checkout
// of this source, the way a user would: `go build` reports the commit as a Go
// pseudo-version (+dirty with uncommitted changes), and `go run` says it has none.
func TestVersionOfABuildFromGit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds stockctl twice more")
	}
	gitTool, err := exec.LookPath("git")
	if err != nil {
		skipOrFailInCI(t, "needs git")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	src := t.TempDir()
	copyModule(t, filepath.Join("..", ".."), src)
	// GIT_DIR and GIT_WORK_TREE keep every git command on the copy, whatever is around it.
	env := append(os.Environ(), "GIT_DIR="+filepath.Join(src, ".git"), "GIT_WORK_TREE="+src,
		"GIT_AUTHOR_DATE=2024-05-01T12:00:00Z", "GIT_COMMITTER_DATE=2024-05-01T12:00:00Z",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "GOFLAGS=-buildvcs=auto")
	do := func(tool string, args ...string) string {
		t.Helper()
		cmd := exec.Command(tool, args...)
		cmd.Dir, cmd.Env = src, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %q: %v\n%s", tool, args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	do(gitTool, "init", "-q")
	if dir := do(gitTool, "rev-parse", "--absolute-git-dir"); dir != filepath.Join(src, ".git") {
		t.Fatalf("git would work on %s, not on the copy in %s", dir, src)
	}
	do(gitTool, "add", "-A")
	do(gitTool, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "test")
	commit := do(gitTool, "rev-parse", "HEAD")[:12]

	bin := filepath.Join(t.TempDir(), "stockctl")
	do(goTool, "build", "-o", bin, "./cmd/stockctl")
	want := "stockctl version v0.0.0-20240501120000-" + commit
	if got := do(bin, "--version"); got != want {
		t.Errorf("go build: got %q, want %q", got, want)
	}
	if err := os.WriteFile(filepath.Join(src, "README.md"), []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	do(goTool, "build", "-o", bin, "./cmd/stockctl")
	if got := do(bin, "--version"); got != want+"+dirty" {
		t.Errorf("go build with a change: got %q, want %q", got, want+"+dirty")
	}
	want = "stockctl version dev (built without version control information; make build records the commit)"
	if got := do(goTool, "run", "./cmd/stockctl", "--version"); got != want {
		t.Errorf("go run: got %q, want %q", got, want)
	}
}

// copyModule copies the module's files, without hidden ones such as .git (a file in a
// git worktree, naming the repository it belongs to).
func copyModule(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		hidden := rel != "." && strings.HasPrefix(d.Name(), ".")
		if d.IsDir() {
			if hidden || rel == "bin" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		if hidden || !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
