package main_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestImportFIFOWithoutWriterInterrupted: `import` of a named pipe that no program
// writes blocks in open(2); Ctrl-C or SIGTERM must still end it with exit 130.
// Embedded broker only: the import is blocked opening its file, before it reaches
// any broker.
func TestImportFIFOWithoutWriterInterrupted(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			fifo := filepath.Join(t.TempDir(), "ops.csv")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				skipOrFailInCI(t, "mkfifo: %v", err)
			}
			cmd := exec.Command(binary, "--data-dir", t.TempDir(), "import", fifo)
			cmd.Env = append(cleanEnv(), embeddedEnv...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan struct{})
			go func() { cmd.Wait(); close(exited) }()
			t.Cleanup(func() { cmd.Process.Kill(); <-exited })
			await(t, 30*time.Second, "import waits for a writer on the FIFO", func() bool {
				return blockedIn(cmd.Process.Pid, "wait_for_partner", "fifo")
			})
			cmd.Process.Signal(sig)
			select {
			case <-exited:
			case <-time.After(30 * time.Second):
				t.Fatalf("import of a FIFO with no writer still running 30 s after %v", sig)
			}
			if code := cmd.ProcessState.ExitCode(); code != 130 || !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("want exit 130 saying interrupted, got %d: %s", code, stderr.String())
			}
			if _, err := os.Stat(fifo); err != nil {
				t.Errorf("the FIFO should be left alone: %v", err)
			}
		})
	}
}
