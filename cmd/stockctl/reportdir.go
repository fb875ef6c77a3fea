package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/stockctl/stockctl/reports"
)

// reportManifest lists, inside a report directory, the files the report wrote: the
// next report into that directory replaces exactly those.
const reportManifest = ".stockctl-report"

// reportFileName matches the files of reports written before the manifest existed.
var reportFileName = regexp.MustCompile(`^(index\.html|(stock-[0-9]+|current-stock|quantities-by-product|operations-per-product|units-per-period)\.(png|svg))$`)

// checkReportDir refuses an --out that is a file, or a directory holding anything but
// an earlier report: replacing it would delete files a user put there.
func checkReportDir(out string) error {
	fi, err := os.Stat(out)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("report: --out %s: %w", out, err)
	}
	if !fi.IsDir() {
		return usagef("report: --out %s is a file: give a directory for the report (it is created if missing)", out)
	}
	foreign, err := foreignFiles(out)
	if err != nil {
		return fmt.Errorf("report: --out %s: %w", out, err)
	}
	if len(foreign) > 0 {
		if len(foreign) > 3 {
			foreign = append(foreign[:3], "…")
		}
		return usagef("report: --out %s holds files that are not a stockctl report's (%s): give a new or empty directory, or one an earlier report wrote",
			out, strings.Join(foreign, ", "))
	}
	return nil
}

// foreignFiles lists what dir holds beyond an earlier report's files.
func foreignFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	ours := func(name string) bool { return reportFileName.MatchString(name) }
	if b, err := os.ReadFile(filepath.Join(dir, reportManifest)); err == nil {
		listed := map[string]bool{reportManifest: true}
		for _, name := range strings.Split(string(b), "\n") {
			listed[name] = true
		}
		ours = func(name string) bool { return listed[name] }
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var foreign []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !ours(e.Name()) {
			foreign = append(foreign, e.Name())
		}
	}
	sort.Strings(foreign)
	return foreign, nil
}

// writeReport renders into a new directory beside out and then puts it in out's
// place, so that out holds exactly the new report's files: charts an earlier report drew
// for other products or formats do not linger. Call checkReportDir first.
func writeReport(ctx context.Context, store reports.Store, opt reports.Options) (reports.Result, error) {
	out, target := opt.Out, filepath.Clean(opt.Out)
	if r, err := filepath.EvalSymlinks(target); err == nil {
		target = r // replace the directory a link points to, not the link
	}
	parent, base := filepath.Split(target)
	if parent == "" {
		parent = "."
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return reports.Result{}, fmt.Errorf("report: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".new-")
	if err != nil {
		return reports.Result{}, fmt.Errorf("report: %w", err)
	}
	defer os.RemoveAll(tmp) // left only on failure: renamed away on success
	if err := os.Chmod(tmp, 0o755); err != nil {
		return reports.Result{}, fmt.Errorf("report: %w", err)
	}
	opt.Out = tmp
	res, err := reports.Render(ctx, store, opt)
	if err != nil {
		return reports.Result{}, err
	}
	names := make([]string, len(res.Files))
	for i, f := range res.Files {
		names[i] = filepath.Base(f)
		res.Files[i] = filepath.Join(out, names[i])
	}
	if res.Index != "" {
		res.Index = filepath.Join(out, filepath.Base(res.Index))
	}
	manifest := strings.Join(names, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(tmp, reportManifest), []byte(manifest), 0o644); err != nil {
		return reports.Result{}, fmt.Errorf("report: %w", err)
	}
	if err := replaceDir(tmp, target); err != nil {
		return reports.Result{}, fmt.Errorf("report: %w", err)
	}
	return res, nil
}

// replaceDir puts directory src at dst, removing the earlier report there. An empty dst
// is replaced in one rename; a full one is first moved aside, checked again (something
// may have been added since checkReportDir), then removed.
func replaceDir(src, dst string) error {
	err := os.Rename(src, dst)
	if err == nil || errors.Is(err, os.ErrNotExist) {
		return err
	}
	if _, statErr := os.Stat(dst); statErr != nil {
		return err
	}
	old := src + ".old"
	if err := os.Rename(dst, old); err != nil {
		return err
	}
	if foreign, err := foreignFiles(old); err != nil || len(foreign) > 0 {
		os.Rename(old, dst)
		if err == nil {
			err = fmt.Errorf("%s changed while the report was written: it now holds %s; nothing was replaced", dst, strings.Join(foreign, ", "))
		}
		return err
	}
	if err := os.Rename(src, dst); err != nil {
		os.Rename(old, dst)
		return err
	}
	return os.RemoveAll(old)
}
