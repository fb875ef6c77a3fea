package main_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// alertReceiver is a local HTTP receiver of serve's alerts, in the test's process.
type alertReceiver struct {
	t   *testing.T
	url string
	mu  sync.Mutex
	// tries counts the requests per alert ID; taken holds the alerts answered 200, in order.
	tries map[string]int
	taken []receivedAlert
	// failFirst answers 500 to each alert's first attempt; refuse, 503 to every attempt.
	failFirst, refuse bool
	// hang, while open, keeps every request waiting; inFlight counts those waiting.
	hang     chan struct{}
	inFlight int
}

// receivedAlert is the part of an alert the tests read.
type receivedAlert struct {
	ID       string  `json:"id"`
	Kind     string  `json:"kind"`
	Product  string  `json:"product"`
	Location *string `json:"location"`
	Stock    string  `json:"stock"`
	Min      *string `json:"min"`
	Text     string  `json:"text"`
}

func newAlertReceiver(t *testing.T) *alertReceiver {
	rc := &alertReceiver{t: t, tries: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var a receivedAlert
		if err := json.Unmarshal(body, &a); err != nil || a.ID == "" || r.Method != http.MethodPost {
			t.Errorf("not an alert: %s %q", r.Method, body)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		rc.tries[a.ID]++
		try, hang := rc.tries[a.ID], rc.hang
		rc.inFlight++
		rc.mu.Unlock()
		if hang != nil {
			select {
			case <-hang:
			case <-r.Context().Done():
			}
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.inFlight--
		if r.Context().Err() != nil {
			return
		}
		if rc.failFirst && try == 1 || rc.refuse {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		rc.taken = append(rc.taken, a)
	}))
	t.Cleanup(srv.Close)
	rc.url = srv.URL
	return rc
}

// setRefuse makes the receiver refuse every attempt (503), or take them again.
func (rc *alertReceiver) setRefuse(refuse bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.refuse = refuse
}

// awaitAttempt waits until the receiver has been sent an alert it has not taken, and
// returns its ID.
func (rc *alertReceiver) awaitAttempt(s *server) string {
	rc.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		rc.mu.Lock()
		for id := range rc.tries {
			if !slices.ContainsFunc(rc.taken, func(a receivedAlert) bool { return a.ID == id }) {
				rc.mu.Unlock()
				return id
			}
		}
		rc.mu.Unlock()
		if time.Now().After(deadline) {
			rc.t.Fatalf("no new alert attempted within 60s\nserve:\n%s", s.output())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (rc *alertReceiver) alerts() []receivedAlert {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]receivedAlert(nil), rc.taken...)
}

// awaitAlerts waits until n alerts are taken and returns them.
func (rc *alertReceiver) awaitAlerts(s *server, n int) []receivedAlert {
	rc.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for len(rc.alerts()) < n {
		if time.Now().After(deadline) {
			rc.t.Fatalf("%d alerts taken within 60s, want %d: %v\nserve:\n%s", len(rc.alerts()), n, rc.alerts(), s.output())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return rc.alerts()
}

func (a receivedAlert) String() string {
	return fmt.Sprintf("%s %s %s at %s", a.ID, a.Product, a.Kind, a.Stock)
}

// describeAlerts is "PRODUCT KIND STOCK" for each alert, and fails on a repeated ID.
func describeAlerts(t *testing.T, alerts []receivedAlert) []string {
	t.Helper()
	seen := map[string]bool{}
	var out []string
	for _, a := range alerts {
		if seen[a.ID] {
			t.Fatalf("alert %s taken twice: %v", a.ID, alerts)
		}
		seen[a.ID] = true
		out = append(out, a.Product+" "+a.Kind+" "+a.Stock)
	}
	return out
}

// TestServeNotifiesOncePerCrossing: through the real serve on the embedded broker, a
// receiver sees one alert per crossing of a minimum or of zero, not one per sale below
// it, each delivered once although its first attempt failed (500); nothing crossed before
// notifications were turned on is sent. An alert still refused when serve stops is sent
// after a replay and a restart, and nothing taken before is sent again: delivery is in log
// order, so a repeat would arrive before the next new alert.
func TestServeNotifiesOncePerCrossing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "100")
	mustRun(t, dir, "restock", "OLD", "5")
	mustRun(t, dir, "sell", "OLD", "5") // crossed to zero before notifications: history
	mustRun(t, dir, "threshold", "set", "P1", "--min", "20")
	rc := newAlertReceiver(t)
	rc.failFirst = true
	args := []string{"--notify-url", rc.url + "/hook", "--notify-retry", "5ms", "--notify-retry-max", "20ms"}
	s := startServe(t, dir, nil, args...)
	if !strings.Contains(s.output(), "sending alerts to http://127.0.0.1:") {
		t.Fatalf("serve does not say where alerts go:\n%s", s.output())
	}
	for _, op := range []string{"sale 70", "sale 15", "sale 5", "sale 10", "restock 50", "sale 35"} {
		kind, qty, _ := strings.Cut(op, " ")
		decodeOperation(t, s.post(fmt.Sprintf(`{"product":"P1","type":%q,"quantity":%q}`, kind, qty)))
	}
	// 100 → 30 → 15 (below 20) → 10 (still below: nothing) → 0 → 50 (re-armed) → 15.
	want := []string{"P1 below_min 15.00", "P1 zero 0.00", "P1 below_min 15.00"}
	if got := describeAlerts(t, rc.awaitAlerts(s, 3)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("alerts %v, want %v", got, want)
	}
	if !strings.Contains(s.output(), "attempt 1: the receiver answered 500 Internal Server Error; retrying in") {
		t.Errorf("serve did not log the failed attempt:\n%s", s.output())
	}
	// The receiver refuses; a sale by another process crosses; serve stops with it unsent.
	rc.setRefuse(true)
	mustRun(t, dir, "sell", "P1", "15")
	pending := rc.awaitAttempt(s)
	s.interrupt()

	mustRun(t, dir, "replay")
	rc.setRefuse(false)
	s = startServe(t, dir, nil, args...)
	want = append(want, "P1 zero 0.00")
	got := rc.awaitAlerts(s, 4)
	if fmt.Sprint(describeAlerts(t, got)) != fmt.Sprint(want) || got[3].ID != pending {
		t.Fatalf("after a replay, alerts %v, want %v, the last %s", got, want, pending)
	}
	decodeOperation(t, s.post(`{"product":"P1","type":"restock","quantity":"30"}`))
	decodeOperation(t, s.post(`{"product":"P1","type":"sale","quantity":"12"}`))
	want = append(want, "P1 below_min 18.00")
	if got := describeAlerts(t, rc.awaitAlerts(s, 5)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after a replay, alerts %v, want %v", got, want)
	}
	s.interrupt()

	s = startServe(t, dir, nil, args...)
	decodeOperation(t, s.post(`{"product":"P1","type":"sale","quantity":"18"}`))
	want = append(want, "P1 zero 0.00")
	if got := describeAlerts(t, rc.awaitAlerts(s, 6)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after a restart, alerts %v, want %v", got, want)
	}
	s.interrupt()
	if got := rc.alerts(); slices.ContainsFunc(got, func(a receivedAlert) bool { return a.Product == "OLD" }) {
		t.Fatalf("the history was sent: %v", got)
	}
}

// TestServeRecordsWhileTheReceiverHangs: a receiver that never answers holds the
// notifier, not the recording. With the first alert's request provably still waiting,
// 199 more operations through the API (99 more crossings) all complete, about as fast as
// in a run whose receiver answers at once; once the receiver answers, every alert is
// delivered, once, in order.
func TestServeRecordsWhileTheReceiverHangs(t *testing.T) {
	t.Parallel()
	record := func(hang bool) (time.Duration, []receivedAlert) {
		dir := t.TempDir()
		mustRun(t, dir, "restock", "P1", "600")
		mustRun(t, dir, "threshold", "set", "P1", "--min", "500")
		rc := newAlertReceiver(t)
		if hang {
			rc.hang = make(chan struct{})
		}
		s := startServe(t, dir, nil, "--notify-url", rc.url, "--notify-timeout", "5m", "--notify-retry", "5ms")
		post := func(kind string) {
			decodeOperation(t, s.post(fmt.Sprintf(`{"product":"P1","type":%q,"quantity":"150"}`, kind)))
		}
		post("sale") // 600 → 450: the first crossing
		deadline := time.Now().Add(60 * time.Second)
		for hang && rc.waiting() == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("the first alert did not reach the hanging receiver within 60s\n%s", s.output())
			}
			time.Sleep(5 * time.Millisecond)
		}
		start := time.Now()
		for i := range 199 { // restock, sale, …: each sale crosses again
			post(map[bool]string{true: "restock", false: "sale"}[i%2 == 0])
		}
		took := time.Since(start)
		if hang {
			rc.mu.Lock()
			waiting, requests := rc.inFlight, 0
			for _, n := range rc.tries {
				requests += n
			}
			rc.mu.Unlock()
			if waiting != 1 || requests != 1 || len(rc.alerts()) != 0 {
				t.Fatalf("while the receiver hung: %d requests waiting, %d received, %d alerts taken; want 1, 1, 0",
					waiting, requests, len(rc.alerts()))
			}
			close(rc.hang)
		}
		alerts := rc.awaitAlerts(s, 100)
		s.interrupt()
		return took, alerts
	}
	answered, want := record(false)
	hung, got := record(true)
	if len(got) != 100 || fmt.Sprint(describeAlerts(t, got)) != fmt.Sprint(describeAlerts(t, want)) {
		t.Fatalf("alerts after the receiver answered: %v\nwant %v", got, want)
	}
	t.Logf("199 operations through the API: %s with a receiver that answers, %s with one that hangs (%.2f×)",
		answered.Round(time.Millisecond), hung.Round(time.Millisecond), hung.Seconds()/answered.Seconds())
	// Generous: the machine is shared; a recording that waited for the receiver would
	// take 5 minutes (its timeout) per crossing.
	if hung > 3*answered+2*time.Second {
		t.Fatalf("199 operations took %s while the receiver hung, %s while it answered", hung, answered)
	}
}

// waiting returns how many requests the receiver holds.
func (rc *alertReceiver) waiting() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.inFlight
}
