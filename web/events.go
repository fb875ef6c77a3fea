package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Hub passes changes of the read model to every event-stream client. Whoever follows
// the log calls Publish; a client too slow to keep up is disconnected and reconnects
// (EventSource does so by itself), refreshing what it shows.
type Hub struct {
	mu      sync.Mutex
	subs    map[chan message]struct{}
	version int64
	status  string
	closed  bool
}

// message is one server-sent event.
type message struct {
	event string
	data  []byte
}

// subscriberBuffer is how many events a client may lag behind before it is dropped;
// maxBatchEvents is the most operations one batch sends one by one.
const (
	subscriberBuffer = 256
	maxBatchEvents   = 100
)

// NewHub returns a Hub with no subscribers.
func NewHub() *Hub { return &Hub{subs: make(map[chan message]struct{}), status: "live"} }

// Change is what clients are told after a batch of operations: the model's version (it
// grows with every record applied) and how many operations there were.
type Change struct {
	Version    int64 `json:"version"`
	Operations int   `json:"operations"`
	// More says the batch held more operations than were sent one by one.
	More bool `json:"more,omitempty"`
}

// Publish sends each operation as an "operation" event, then one "change" event. Of a
// large batch, the first maxBatchEvents operations are sent and More is set: clients
// fetch what they show again either way.
func (h *Hub) Publish(version int64, ops []AppliedOperation, more bool) {
	if len(ops) > maxBatchEvents {
		ops, more = ops[:maxBatchEvents], true
	}
	msgs := make([]message, 0, len(ops)+1)
	for _, op := range ops {
		msgs = append(msgs, message{"operation", mustJSON(op)})
	}
	msgs = append(msgs, message{"change", mustJSON(Change{Version: version, Operations: len(ops), More: more})})
	h.mu.Lock()
	defer h.mu.Unlock()
	h.version = version
	for ch := range h.subs {
		if len(ch)+len(msgs) > cap(ch) {
			// Too far behind: dropped, it reconnects and fetches its page again.
			close(ch)
			delete(h.subs, ch)
			continue
		}
		for _, m := range msgs {
			ch <- m
		}
	}
}

// Version returns the version of the last change published.
func (h *Hub) Version() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.version
}

// SetStatus tells clients whether the log can be reached: "live", or why not.
func (h *Hub) SetStatus(status string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if status == h.status {
		return
	}
	h.status = status
	m := message{"status", mustJSON(map[string]string{"status": status})}
	for ch := range h.subs {
		select {
		case ch <- m:
		default:
			// Too far behind to be told: dropped, it reconnects and is told in hello.
			close(ch)
			delete(h.subs, ch)
		}
	}
}

// Close ends every subscription, as the server shuts down.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for ch := range h.subs {
		close(ch)
		delete(h.subs, ch)
	}
}

// subscribe returns a channel of events, closed when the hub drops or closes it, the
// current version and status, and a function to unsubscribe.
func (h *Hub) subscribe() (<-chan message, int64, string, func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ch := make(chan message, subscriberBuffer)
	if h.closed {
		close(ch)
		return ch, h.version, h.status, func() {}
	}
	h.subs[ch] = struct{}{}
	return ch, h.version, h.status, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.subs[ch]; ok {
			delete(h.subs, ch)
			close(ch)
		}
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Event-stream timing.
const (
	heartbeat  = 15 * time.Second // a comment line keeps proxies from closing an idle stream
	retryDelay = 1000             // ms a browser waits before reconnecting
)

// apiEvents answers GET /api/events with a server-sent event stream: "hello" with the
// current version, then "operation" for each new operation and "change" after each
// batch, whoever wrote them, and "status" when the log becomes unreachable or is back.
func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	events, version, status, unsubscribe := s.cfg.Hub.subscribe()
	defer unsubscribe()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(m message) bool {
		// The server's write timeout suits pages, not a stream: each write gets its own.
		rc.SetWriteDeadline(time.Now().Add(2 * heartbeat))
		if m.event == "" {
			fmt.Fprintf(w, ": %s\n\n", m.data)
		} else {
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", m.event, m.data)
		}
		return rc.Flush() == nil
	}
	fmt.Fprintf(w, "retry: %d\n", retryDelay)
	if !send(message{"hello", mustJSON(map[string]any{"version": version, "status": status})}) {
		return
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case m, ok := <-events:
			if !ok {
				return
			}
			if !send(m) {
				return
			}
		case <-tick.C:
			if !send(message{data: []byte("ping")}) {
				return
			}
		}
	}
}
