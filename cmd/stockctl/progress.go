package main

import (
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"

	"github.com/stockctl/stockctl/internal/termsafe"
)

// progressMin is the smallest amount of work that gets a progress bar.
const progressMin = 5000

// progress reports events done of a total on a terminal. It draws nothing when stderr
// is not a terminal, when asked to be quiet, or for small jobs.
type progress struct {
	bar *progressbar.ProgressBar
}

func newProgress(w io.Writer, quiet bool, total int64, what string) *progress {
	// The bar is ours and draws with carriage returns: it goes to the terminal itself.
	w = termsafe.Raw(w)
	f, ok := w.(*os.File)
	if quiet || total < progressMin || !ok || !isatty.IsTerminal(f.Fd()) {
		return &progress{}
	}
	return &progress{bar: progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("events"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
	)}
}

func (p *progress) add(n int) {
	if p.bar != nil {
		p.bar.Add64(int64(n))
	}
}

func (p *progress) done() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
