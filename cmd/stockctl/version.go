package main

import (
	"runtime/debug"
	"strings"
)

// version, when set at build time with -ldflags "-X main.version=...", is what
// --version prints; otherwise the version comes from the build information.
var version string

// appVersion is the version --version prints.
func appVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	return versionFrom(info)
}

// versionFrom reads the version Go recorded in the binary: the module's version when
// built with `go install module@version`, a pseudo-version (time and commit) from a
// `go build` in a git checkout, else the commit from the VCS settings. `go run`, and
// builds with -buildvcs=false or from a git worktree, record none of these.
func versionFrom(info *debug.BuildInfo) string {
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	v := info.Main.Version
	if v != "" && v != "(devel)" {
		return v
	}
	rev := settings["vcs.revision"]
	if rev == "" {
		return "dev (built without version control information; make build records the commit)"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	var b strings.Builder
	b.WriteString("dev-" + rev)
	if settings["vcs.modified"] == "true" {
		b.WriteString("+dirty")
	}
	if t := settings["vcs.time"]; t != "" {
		b.WriteString(" (" + t + ")")
	}
	return b.String()
}
