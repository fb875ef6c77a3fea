package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/notify"
	"github.com/stockctl/stockctl/readmodel"
)

// notifyPoll is how often the notifier looks for crossings when nothing woke it: a
// change written by another process into the same read model is seen by serve's
// follower, which wakes it, so this is only the fallback.
const notifyPoll = time.Second

// notifyFlags are serve's flags for alerts (issue 20; README, "serve --notify-url").
func notifyFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "notify-url", Usage: "POST a JSON alert to this http:// or https:// URL each time a product's stock " +
			"falls to or below its minimum (stockctl threshold) or to zero: once per crossing, retried until the receiver answers 2xx, " +
			"never sent twice across restarts and replays; no other address is called (redirects are not followed)"},
		&cli.DurationFlag{Name: "notify-timeout", Usage: "how long one alert's request may take before it is retried", Value: 10 * time.Second},
		&cli.DurationFlag{Name: "notify-retry", Usage: "the wait before retrying a failed alert, doubled after each failure", Value: time.Second},
		&cli.DurationFlag{Name: "notify-retry-max", Usage: "the longest wait between two attempts at one alert", Value: 5 * time.Minute},
	}
}

// notifyConfig is what serve's notify flags asked for; url is nil without --notify-url.
type notifyConfig struct {
	url                    *url.URL
	timeout, retry, maxRet time.Duration
}

func notifyConfigOf(c *cli.Context) (notifyConfig, error) {
	var n notifyConfig
	raw := c.String("notify-url")
	if !c.IsSet("notify-url") {
		for _, f := range []string{"notify-timeout", "notify-retry", "notify-retry-max"} {
			if c.IsSet(f) {
				return n, usagef("--%s has nothing to time without --notify-url", f)
			}
		}
		return n, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return n, usagef("--notify-url %q: give an absolute http:// or https:// URL, e.g. https://hooks.example.com/stock", raw)
	}
	n.url = u
	n.timeout, n.retry, n.maxRet = c.Duration("notify-timeout"), c.Duration("notify-retry"), c.Duration("notify-retry-max")
	switch {
	case n.timeout < time.Millisecond || n.timeout > 10*time.Minute:
		return n, usagef("--notify-timeout %s: give 1ms to 10m", n.timeout)
	case n.retry < time.Millisecond || n.retry > time.Hour:
		return n, usagef("--notify-retry %s: give 1ms to 1h", n.retry)
	case n.maxRet < n.retry || n.maxRet > 24*time.Hour:
		return n, usagef("--notify-retry-max %s: give from --notify-retry (%s) to 24h", n.maxRet, n.retry)
	}
	return n, nil
}

// notifyStore reads crossings through the server's pool of readers and advances the
// watermarks through the projection's writer.
type notifyStore struct{ read, write *readmodel.DB }

func (s notifyStore) PendingCrossings(ctx context.Context, limit int) ([]notify.Crossing, error) {
	return s.read.PendingCrossings(ctx, limit)
}

func (s notifyStore) MarkNotified(ctx context.Context, partition int32, next int64) error {
	return s.write.MarkNotified(ctx, partition, next)
}

// startNotifier, with --notify-url, makes the sender of alerts and says where they go;
// on its first start in this read model, crossings already projected are not sent.
func (s *server) startNotifier(c *cli.Context) error {
	n := s.flags.notify
	if n.url == nil {
		return nil
	}
	first, err := s.e.db.StartNotified(c.Context)
	if err != nil {
		return err
	}
	s.notifier = notify.NewSender(notifyStore{read: s.reader, write: s.e.db}, notify.Config{
		URL: n.url, Timeout: n.timeout, Retry: n.retry, RetryMax: n.maxRet, Poll: notifyPoll, Logf: s.errorLog.Printf})
	since := "alerts not yet delivered are sent first"
	if first {
		since = "the first time: crossings from now on, not the history"
	}
	// Scheme and host only: a webhook's path often holds its secret.
	fmt.Fprintf(c.App.Writer, "stockctl serve: sending alerts to %s://%s/… (%s)\n", n.url.Scheme, n.url.Host, since)
	return nil
}

// runNotifier runs the sender until ctx ends; the returned function waits for it.
func (s *server) runNotifier(ctx context.Context) (wait func()) {
	if s.notifier == nil {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.notifier.Run(ctx)
	}()
	return func() { <-done }
}

// wakeNotifier tells the sender that crossings may have been projected.
func (s *server) wakeNotifier() {
	if s.notifier != nil {
		s.notifier.Wake()
	}
}

// notifyHelp is the part of serve's description about alerts.
var notifyHelp = strings.Join([]string{
	"With --notify-url it POSTs a JSON alert (the README shows one) each time a stock falls to",
	"or below its minimum or to zero; the recording of operations never waits for it.",
}, "\n")
