package notify_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/notify"
	"github.com/stockctl/stockctl/readmodel"
)

// receiver is a local HTTP receiver of alerts. answer decides each request's status from
// the alert's ID and how many times that ID came before; it may block.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	tries  map[string]int
	taken  []notify.Alert // the alerts answered 2xx, in order
	answer func(r *http.Request, id string, try int) int
}

func newReceiver(t *testing.T, answer func(r *http.Request, id string, try int) int) *receiver {
	rc := &receiver{tries: map[string]int{}, answer: answer}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var a notify.Alert
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &a) != nil || a.ID == "" {
			t.Errorf("not an alert: %s %s %q", r.Method, r.Header.Get("Content-Type"), body)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		rc.tries[a.ID]++
		try := rc.tries[a.ID]
		rc.mu.Unlock()
		status := http.StatusOK
		if rc.answer != nil {
			status = rc.answer(r, a.ID, try)
		}
		if status/100 == 2 {
			rc.mu.Lock()
			rc.taken = append(rc.taken, a)
			rc.mu.Unlock()
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) takenIDs() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var ids []string
	for _, a := range rc.taken {
		ids = append(ids, a.ID)
	}
	return ids
}

func (rc *receiver) triesOf(id string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.tries[id]
}

// waitFor polls cond until it holds, failing after a generous limit with what.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 20s: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// model is a read model bound to a 2-partition log, with the notifier started on it.
// Crossings are written as the projection writes them (crossing).
func model(t *testing.T) *readmodel.DB {
	t.Helper()
	db := testfix.MustOpenDB(t)
	if err := db.BindLog(context.Background(), "stock.events", 2); err != nil {
		t.Fatal(err)
	}
	if _, err := db.StartNotified(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// crossing writes a crossing row of product P1 at partition part, offset off into db's
// file, as the projection does in its batch's transaction.
func crossing(t *testing.T, db *readmodel.DB, part int32, off int64, location, kind string) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+db.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	min := any(1000)
	if kind == "zero" {
		min = nil
	}
	_, err = raw.Exec(`INSERT INTO crossings (partition, "offset", location, product_id, kind, stock_cents, min_cents,
		event_id, event_type, business_date, recorded_at) VALUES (?, ?, ?, 'P1', ?, ?, ?, ?, 'StockSold', '2024-03-01', '2024-03-01T12:00:00Z')`,
		part, off, location, kind, map[string]int{"zero": 0, "below_min": 750}[kind], min, fmt.Sprintf("ev-%d-%d", part, off))
	if err != nil {
		t.Fatal(err)
	}
}

// sender runs a sender of db's crossings to rc until the test ends, with a fast back-off.
func sender(t *testing.T, db *readmodel.DB, to string, log *logLines) *notify.Sender {
	t.Helper()
	u, err := url.Parse(to)
	if err != nil {
		t.Fatal(err)
	}
	s := notify.NewSender(db, notify.Config{URL: u, Timeout: 5 * time.Second, Retry: time.Millisecond, RetryMax: 4 * time.Millisecond,
		Poll: time.Hour, Logf: log.logf})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

// logLines keeps what a sender logged.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func notified(t *testing.T, db *readmodel.DB) map[int32]int64 {
	t.Helper()
	m, err := db.Notified(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSenderDeliversEachCrossingOnce: every crossing is POSTed once, in log order, with
// the documented body; the watermarks move past each event once all its crossings are
// taken; a sender started again on the same model (a restart) sends only what is new.
func TestSenderDeliversEachCrossingOnce(t *testing.T) {
	db := model(t)
	rc := newReceiver(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	u, _ := url.Parse(rc.srv.URL + "/hook?k=1")
	first := notify.NewSender(db, notify.Config{URL: u, Timeout: 5 * time.Second, Retry: time.Millisecond, RetryMax: time.Millisecond, Poll: time.Hour})
	done := make(chan struct{})
	go func() { first.Run(ctx); close(done) }()
	crossing(t, db, 1, 4, "", "below_min")
	crossing(t, db, 0, 2, "north", "below_min")
	crossing(t, db, 0, 2, "", "zero")
	first.Wake()
	want := []string{"0/2", "0/2/north", "1/4"}
	waitFor(t, "three alerts taken", func() bool { return len(rc.takenIDs()) == 3 })
	if got := rc.takenIDs(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("alerts taken in the order %v, want %v", got, want)
	}
	waitFor(t, "watermarks past the three events", func() bool { return maps.Equal(notified(t, db), map[int32]int64{0: 3, 1: 5}) })
	cancel()
	<-done

	rc.mu.Lock()
	north, total := rc.taken[1], rc.taken[0]
	rc.mu.Unlock()
	b, _ := json.Marshal(north)
	const wantNorth = `{"id":"0/2/north","kind":"below_min","product":"P1","location":"north","stock":"7.50","min":"10.00",` +
		`"event":{"id":"ev-0-2","type":"StockSold"},"business_date":"2024-03-01","recorded_at":"2024-03-01T12:00:00Z",` +
		`"text":"P1 is down to 7.50 in north, at or below its minimum of 10.00"}`
	if string(b) != wantNorth {
		t.Errorf("alert body\n%s\nwant\n%s", b, wantNorth)
	}
	if total.Location != nil || total.Min != nil || total.Text != "P1 is out of stock" {
		t.Errorf("a zero crossing of the total: location %v, min %v, text %q; want null, null, \"P1 is out of stock\"", total.Location, total.Min, total.Text)
	}

	// Restarted: a new crossing is sent, and nothing before it again.
	s := sender(t, db, rc.srv.URL, &logLines{})
	crossing(t, db, 1, 9, "", "below_min")
	s.Wake()
	waitFor(t, "the alert of the crossing after the restart", func() bool { return len(rc.takenIDs()) == 4 })
	if got := rc.takenIDs(); fmt.Sprint(got) != fmt.Sprint(append(want, "1/9")) {
		t.Fatalf("after a restart, alerts taken %v, want %v", got, append(want, "1/9"))
	}
}

// TestSenderRetriesUntilTaken: a receiver that fails (500, then 503, then a 429 and a
// 408) gets the alert again after a back-off until it takes it, once; the next alert waits
// behind it, so the order holds.
func TestSenderRetriesUntilTaken(t *testing.T) {
	db := model(t)
	failures := []int{500, 503, 429, 408}
	rc := newReceiver(t, func(_ *http.Request, id string, try int) int {
		if id == "0/1" && try <= len(failures) {
			return failures[try-1]
		}
		return 200
	})
	log := &logLines{}
	s := sender(t, db, rc.srv.URL, log)
	crossing(t, db, 0, 1, "", "below_min")
	crossing(t, db, 0, 2, "", "zero")
	s.Wake()
	waitFor(t, "both alerts taken", func() bool { return len(rc.takenIDs()) == 2 })
	if got := rc.takenIDs(); fmt.Sprint(got) != "[0/1 0/2]" {
		t.Fatalf("taken %v, want [0/1 0/2]", got)
	}
	if n := rc.triesOf("0/1"); n != 5 {
		t.Errorf("alert 0/1 was POSTed %d times, want 5 (4 failures, then taken)", n)
	}
	if !strings.Contains(log.String(), "alert 0/1 (P1 below_min) delivered at attempt 5") {
		t.Errorf("log lacks the delivery after retries:\n%s", log)
	}
	// The back-off doubles from Retry (1ms) and stops at RetryMax (4ms), less up to a
	// quarter of jitter; the log rounds to the millisecond.
	waits := regexp.MustCompile(`retrying in (\S+)`).FindAllStringSubmatch(log.String(), -1)
	want := [][]string{{"1ms"}, {"2ms"}, {"3ms", "4ms"}, {"3ms", "4ms"}}
	if len(waits) != len(want) {
		t.Fatalf("%d retries logged, want %d:\n%s", len(waits), len(want), log)
	}
	for i, w := range waits {
		if !slices.Contains(want[i], w[1]) {
			t.Errorf("retry %d waited %s, want one of %v:\n%s", i+1, w[1], want[i], log)
		}
	}
}

// TestSenderGivesUpOnARefusal: a 4xx other than 408 and 429 cannot change by retrying:
// the alert is given up (logged once), the sender moves on, and the watermark passes it.
func TestSenderGivesUpOnARefusal(t *testing.T) {
	db := model(t)
	rc := newReceiver(t, func(_ *http.Request, id string, _ int) int {
		if id == "1/3" {
			return http.StatusUnprocessableEntity
		}
		return 200
	})
	log := &logLines{}
	s := sender(t, db, rc.srv.URL, log)
	crossing(t, db, 1, 3, "", "below_min")
	crossing(t, db, 1, 6, "", "zero")
	s.Wake()
	waitFor(t, "the alert after the refused one", func() bool { return len(rc.takenIDs()) == 1 })
	waitFor(t, "the watermark past both", func() bool { return notified(t, db)[1] == 7 })
	if n := rc.triesOf("1/3"); n != 1 {
		t.Errorf("a refused alert was POSTed %d times, want 1", n)
	}
	if !strings.Contains(log.String(), "alert 1/3 (P1 below_min): the receiver answered 422 Unprocessable Entity, which retrying cannot change") {
		t.Errorf("log lacks the refusal:\n%s", log)
	}
}

// TestSenderCallsOnlyTheURLGiven: a receiver answering with a redirect is not followed:
// the address it names is never called, and the alert is given up.
func TestSenderCallsOnlyTheURLGiven(t *testing.T) {
	db := model(t)
	other := newReceiver(t, nil)
	var mu sync.Mutex
	hits := 0
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		http.Redirect(w, r, other.srv.URL+"/elsewhere", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirecting.Close)
	log := &logLines{}
	s := sender(t, db, redirecting.URL, log)
	crossing(t, db, 0, 5, "", "zero")
	s.Wake()
	waitFor(t, "the watermark past the redirected alert", func() bool { return notified(t, db)[0] == 6 })
	mu.Lock()
	defer mu.Unlock()
	if n := other.triesOf("0/5"); n != 0 || hits != 1 {
		t.Fatalf("the redirect's target was called %d times, the URL given %d; want 0 and 1", n, hits)
	}
	if !strings.Contains(log.String(), "307 Temporary Redirect, which retrying cannot change") {
		t.Errorf("log lacks the redirect:\n%s", log)
	}
}

// TestSenderWaitsOutAHangingReceiver: a receiver that never answers gets the alert again
// after each per-request timeout; nothing is marked sent meanwhile; once it answers, the
// alert is taken once.
func TestSenderWaitsOutAHangingReceiver(t *testing.T) {
	db := model(t)
	release := make(chan struct{})
	rc := newReceiver(t, func(r *http.Request, _ string, _ int) int {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		if r.Context().Err() != nil {
			return 499 // the sender gave up waiting: never read, the connection is gone
		}
		return 200
	})
	u, _ := url.Parse(rc.srv.URL)
	log := &logLines{}
	s := notify.NewSender(db, notify.Config{URL: u, Timeout: 20 * time.Millisecond, Retry: time.Millisecond, RetryMax: 2 * time.Millisecond,
		Poll: time.Hour, Logf: log.logf})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	crossing(t, db, 0, 8, "", "zero")
	s.Wake()
	waitFor(t, "three attempts at the hanging receiver", func() bool { return rc.triesOf("0/8") >= 3 })
	if n := notified(t, db)[0]; n != 0 {
		t.Fatalf("the watermark moved to %d while the receiver hung", n)
	}
	if !strings.Contains(log.String(), "no answer within 20ms") {
		t.Errorf("log lacks the timeout:\n%s", log)
	}
	close(release)
	waitFor(t, "the alert taken once the receiver answers", func() bool { return notified(t, db)[0] == 9 })
	// An attempt that hung may have reached the receiver as well (delivery is at least
	// once; receivers drop repeats by ID), but the sender stops at the first it sees taken.
	if got := rc.takenIDs(); len(got) == 0 || got[0] != "0/8" {
		t.Fatalf("taken %v, want the alert 0/8", got)
	}
	if n := strings.Count(log.String(), "alert 0/8 (P1 zero) delivered at attempt"); n != 1 {
		t.Fatalf("the sender saw the alert delivered %d times, want 1:\n%s", n, log)
	}
}

// TestSenderKeepsAnEventsCrossingsTogether: the watermark is per event, so an event whose
// crossings straddle the end of a batch (the sender reads 100 at a time) is sent from the
// next batch whole: each of its crossings once, none skipped.
func TestSenderKeepsAnEventsCrossingsTogether(t *testing.T) {
	db := model(t)
	rc := newReceiver(t, nil)
	var want []string
	for off := int64(0); off < 99; off++ {
		crossing(t, db, 0, off, "", "below_min")
		want = append(want, fmt.Sprintf("0/%d", off))
	}
	for _, loc := range []string{"", "east", "north"} { // rows 100 to 102: one event
		crossing(t, db, 0, 99, loc, "below_min")
		want = append(want, strings.TrimSuffix("0/99/"+loc, "/"))
	}
	s := sender(t, db, rc.srv.URL, &logLines{})
	s.Wake()
	waitFor(t, "the watermark past every event", func() bool { return notified(t, db)[0] == 100 })
	if got := rc.takenIDs(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("taken %d alerts, want %d: the last ones %v", len(got), len(want), got[max(0, len(got)-4):])
	}
}
