package main_test

import (
	"os"
	"strings"
	"testing"
)

// TestServeNotifyFlagsAreChecked: a --notify-url that is not an absolute http(s) URL, or
// a notify flag without it, is refused (exit 2) before anything is written.
func TestServeNotifyFlagsAreChecked(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--notify-url", "ftp://example.com/x"}, `--notify-url "ftp://example.com/x": give an absolute http:// or https:// URL`},
		{[]string{"--notify-url", "hooks.example.com/stock"}, `give an absolute http:// or https:// URL`},
		{[]string{"--notify-url", "https:///stock"}, `give an absolute http:// or https:// URL`},
		{[]string{"--notify-url", ""}, `give an absolute http:// or https:// URL`},
		{[]string{"--notify-timeout", "1s"}, "--notify-timeout has nothing to time without --notify-url"},
		{[]string{"--notify-url", "http://127.0.0.1:9/", "--notify-timeout", "0s"}, "--notify-timeout 0s: give 1ms to 10m"},
		{[]string{"--notify-url", "http://127.0.0.1:9/", "--notify-retry", "2s", "--notify-retry-max", "1s"}, "--notify-retry-max 1s: give from --notify-retry (2s) to 24h"},
	} {
		dir := t.TempDir() + "/data"
		r := run(t, dir, append([]string{"serve", "--listen", "127.0.0.1:0"}, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("serve %q: want exit 2 saying %q, got %v", tc.args, tc.want, r)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("serve %q created the data directory (%v)", tc.args, err)
		}
	}
}
