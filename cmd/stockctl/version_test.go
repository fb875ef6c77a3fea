package main

import (
	"runtime/debug"
	"testing"
)

// TestVersionFromBuildInfo: without -X main.version, --version shows what Go recorded:
// a release, the pseudo-version of a go build in a git checkout, or the commit alone.
func TestVersionFromBuildInfo(t *testing.T) {
	vcs := func(rev, time, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev},
			{Key: "vcs.time", Value: time}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "ce36cf4a00e799e9436b973d9c41a0129bbf5c60"
	for _, tc := range []struct {
		name     string
		version  string
		settings []debug.BuildSetting
		want     string
	}{
		{"go install module@version", "v1.4.0", nil, "v1.4.0"},
		{"go build in a git checkout", "v0.0.0-20261127115651-ce36cf4a00e7", vcs(rev, "2026-11-27T11:56:51Z", "false"),
			"v0.0.0-20261127115651-ce36cf4a00e7"},
		{"go build with uncommitted changes", "v0.0.0-20261127115651-ce36cf4a00e7+dirty", vcs(rev, "2026-11-27T11:56:51Z", "true"),
			"v0.0.0-20261127115651-ce36cf4a00e7+dirty"},
		{"VCS settings without a module version", "(devel)", vcs(rev, "2026-11-27T11:56:51Z", "true"),
			"dev-ce36cf4a00e7+dirty (2026-11-27T11:56:51Z)"},
		{"go run, or -buildvcs=false", "(devel)", nil, "dev (built without version control information; make build records the commit)"},
	} {
		info := &debug.BuildInfo{Main: debug.Module{Path: "github.com/stockctl/stockctl", Version: tc.version}, Settings: tc.settings}
		if got := versionFrom(info); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
