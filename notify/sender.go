package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Store is what the sender reads and advances: the read model's crossings and its
// notified watermarks.
type Store interface {
	// PendingCrossings returns up to limit crossings at or past their partition's
	// watermark, in (partition, offset, location) order.
	PendingCrossings(ctx context.Context, limit int) ([]Crossing, error)
	// MarkNotified records that every crossing of partition below next is done.
	MarkNotified(ctx context.Context, partition int32, next int64) error
}

// Config is how a Sender sends.
type Config struct {
	// URL is the one address alerts go to. Redirects are not followed: nothing else is
	// ever called.
	URL *url.URL
	// Timeout bounds each request.
	Timeout time.Duration
	// Retry is the wait after a first failed attempt; it doubles after each failure up to
	// RetryMax, less a random part of up to a quarter (so many servers restarted together
	// do not retry in step).
	Retry, RetryMax time.Duration
	// Poll is how often the sender looks for crossings when nothing woke it.
	Poll time.Duration
	// Logf, when set, is told of failed attempts, alerts given up on and read model errors.
	Logf func(format string, args ...any)
	// Transport, when set, replaces the default HTTP transport (tests).
	Transport http.RoundTripper
}

// Sender POSTs the read model's pending crossings to one URL, one at a time in log order.
// It runs in a goroutine of its own: nothing it waits for (the receiver, back-off) holds
// anything the projection or a request needs; it writes only its watermarks.
type Sender struct {
	store  Store
	cfg    Config
	client *http.Client
	wake   chan struct{}
}

// batch is how many crossings are read at a time.
const batch = 100

// NewSender returns a sender of store's crossings. It panics on a nil store or URL.
func NewSender(store Store, cfg Config) *Sender {
	if store == nil || cfg.URL == nil {
		panic("notify: NewSender needs a store and a URL")
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	client := &http.Client{
		Transport: cfg.Transport,
		// A redirect would call an address the operator did not give.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Sender{store: store, cfg: cfg, client: client, wake: make(chan struct{}, 1)}
}

// Wake tells the sender new crossings may have been recorded. It never blocks.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run sends until ctx ends, then returns. A read model error is logged and retried at
// the next poll: the notifier never stops the server it runs in.
func (s *Sender) Run(ctx context.Context) {
	tick := time.NewTicker(s.cfg.Poll)
	defer tick.Stop()
	failing := ""
	for {
		sent, err := s.round(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && err.Error() != failing:
			failing = err.Error()
			s.cfg.Logf("notify: %v; trying again every %s", err, s.cfg.Poll)
		case err == nil && failing != "":
			failing = ""
			s.cfg.Logf("notify: the read model answers again")
		}
		if sent && err == nil {
			continue // more may be waiting behind a full batch
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-tick.C:
		}
	}
}

// round delivers one batch of pending crossings and reports whether it had any.
func (s *Sender) round(ctx context.Context) (bool, error) {
	pending, err := s.store.PendingCrossings(ctx, batch)
	if err != nil || len(pending) == 0 {
		return false, err
	}
	if len(pending) == batch {
		// The last event's crossings may go on in the next batch: leave them all for it,
		// since a watermark is per event, not per crossing.
		last := pending[len(pending)-1]
		cut := len(pending)
		for cut > 0 && pending[cut-1].Partition == last.Partition && pending[cut-1].Offset == last.Offset {
			cut--
		}
		if cut > 0 {
			pending = pending[:cut]
		}
	}
	for i, c := range pending {
		if err := s.deliver(ctx, c); err != nil {
			return true, err
		}
		if i+1 < len(pending) && pending[i+1].Partition == c.Partition && pending[i+1].Offset == c.Offset {
			continue
		}
		// Every crossing of this event is delivered (or given up on).
		if err := s.store.MarkNotified(ctx, c.Partition, c.Offset+1); err != nil {
			return true, err
		}
	}
	return true, nil
}

// deliver POSTs c's alert until the receiver takes it (2xx) or refuses it for good (a
// 4xx other than 408 and 429, or a redirect); it returns only ctx's error.
func (s *Sender) deliver(ctx context.Context, c Crossing) error {
	body, err := json.Marshal(AlertOf(c))
	if err != nil {
		return err
	}
	what := fmt.Sprintf("alert %s (%s %s)", c.ID(), c.Product, c.Kind)
	wait := s.cfg.Retry
	for attempt := 1; ; attempt++ {
		status, after, err := s.post(ctx, c.ID(), body)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		switch {
		case err == nil && status/100 == 2:
			if attempt > 1 {
				s.cfg.Logf("notify: %s delivered at attempt %d", what, attempt)
			}
			return nil
		case err == nil && permanent(status):
			s.cfg.Logf("notify: %s: the receiver answered %d %s, which retrying cannot change: given up, it will not be sent again",
				what, status, http.StatusText(status))
			return nil
		}
		why := fmt.Sprintf("the receiver answered %d %s", status, http.StatusText(status))
		if err != nil {
			why = err.Error()
		}
		pause := jitter(wait)
		if after > pause {
			pause = min(after, s.cfg.RetryMax)
		}
		s.cfg.Logf("notify: %s, attempt %d: %s; retrying in %s", what, attempt, why, pause.Round(time.Millisecond))
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, s.cfg.RetryMax)
	}
}

// post sends one attempt and returns the status and the Retry-After the receiver asked
// for, if any.
func (s *Sender) post(ctx context.Context, id string, body []byte) (int, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URL.String(), bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "stockctl")
	req.Header.Set("Idempotency-Key", id)
	res, err := s.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // its message repeats the URL, which may hold a secret
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %s", s.cfg.Timeout)
		}
		return 0, 0, err
	}
	defer res.Body.Close()
	// Read a little so the connection can be reused; the answer is not used.
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	var after time.Duration
	if secs, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && secs > 0 {
		after = time.Duration(secs) * time.Second
	}
	return res.StatusCode, after, nil
}

// permanent reports whether a status says the same alert will never be taken: a client
// error other than a timeout (408) or a rate limit (429), or a redirect, not followed.
func permanent(status int) bool {
	return status/100 == 3 || status/100 == 4 && status != http.StatusRequestTimeout && status != http.StatusTooManyRequests
}

// jitter returns d less a random part of up to a quarter of it.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d - rand.N(d/4+1)
}
