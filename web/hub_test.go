package web

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestHubDeliversInOrderAndDropsTheSlow: every subscriber gets every batch in order;
// one that stops reading is dropped (its channel closed) instead of blocking the others.
func TestHubDeliversInOrderAndDropsTheSlow(t *testing.T) {
	h := NewHub()
	fast, _, _, unsubscribe := h.subscribe()
	defer unsubscribe()
	slow, _, _, _ := h.subscribe()
	const batches = subscriberBuffer // two messages each: more than a buffer holds
	var wg sync.WaitGroup
	wg.Add(1)
	got := 0
	go func() {
		defer wg.Done()
		for m := range fast {
			if m.event == "change" {
				if want := fmt.Sprintf(`{"version":%d,"operations":1}`, got+1); string(m.data) != want {
					t.Errorf("change %d: %s, want %s", got, m.data, want)
				}
				got++
				if got == batches {
					return
				}
			}
		}
	}()
	for i := 1; i <= batches; i++ {
		h.Publish(int64(i), []AppliedOperation{{Product: "P1"}}, false)
	}
	wg.Wait()
	n := 0
	for range slow {
		n++
	}
	if n == 0 || n > subscriberBuffer {
		t.Fatalf("the slow subscriber got %d messages before it was dropped", n)
	}
	h.Close()
	if _, ok := <-fast; ok {
		t.Fatal("Close left a subscription open")
	}
	late, _, _, _ := h.subscribe()
	if _, ok := <-late; ok {
		t.Fatal("a subscription after Close is open")
	}
}

// TestProductLocksSerialiseOneProduct: holders of one product's lock never overlap;
// the map of locks is empty once everyone is done.
func TestProductLocksSerialiseOneProduct(t *testing.T) {
	var l productLocks
	var wg sync.WaitGroup
	inside := map[string]int{}
	var mu sync.Mutex
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := fmt.Sprint("P", i%3)
			unlock := l.lock(p)
			mu.Lock()
			inside[p]++
			if inside[p] != 1 {
				t.Errorf("%d holders of %s at once", inside[p], p)
			}
			mu.Unlock()
			mu.Lock()
			inside[p]--
			mu.Unlock()
			unlock()
		}()
	}
	wg.Wait()
	if len(l.locks) != 0 {
		t.Fatalf("%d locks left", len(l.locks))
	}
}

// TestHubConcurrentUse: publishing while clients subscribe, unsubscribe, read the
// version and are told the status. Meant for -race (make test runs web with it): the hub's
// lock is what orders these goroutines, and without it the race detector reports the
// subscribers' map and the version; the version must end at the last batch published.
func TestHubConcurrentUse(t *testing.T) {
	h := NewHub()
	const batches = 300
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; i <= batches; i++ {
			h.Publish(int64(i), []AppliedOperation{{Product: "P1"}}, false)
		}
	}()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				ch, version, _, unsubscribe := h.subscribe()
				select {
				case m, ok := <-ch:
					if ok && m.event != "operation" && m.event != "change" && m.event != "status" {
						t.Errorf("unexpected event %q", m.event)
					}
				default:
				}
				if v := h.Version(); v < version {
					t.Errorf("version went back from %d to %d", version, v)
				}
				unsubscribe()
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 100 {
			h.SetStatus([]string{"live", "log unreachable"}[i%2])
		}
	}()
	wg.Wait()
	if v := h.Version(); v != batches {
		t.Fatalf("version %d after %d batches", v, batches)
	}
	h.Close()
}

// TestProductLockExcludesASecondHolder: while one request holds a product's lock, a
// second request for that product waits, and gets it once the first lets go; another
// product is not held up. The second holder is given 200 ms to get in wrongly once it is
// known to be waiting for the lock; without the lock it gets in at once, every time.
func TestProductLockExcludesASecondHolder(t *testing.T) {
	var l productLocks
	var held atomic.Bool
	held.Store(true)
	unlockFirst := l.lock("P")
	second := make(chan bool, 1) // whether the first still held the lock when the second got it
	go func() {
		unlock := l.lock("P")
		stillHeld := held.Load()
		unlock()
		second <- stillHeld
	}()
	// The second has registered for P's lock (it is at or past the point of waiting), or
	// already got it.
	waiting := func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return len(second) > 0 || l.locks["P"] != nil && l.locks["P"].users == 2
	}
	for deadline := time.Now().Add(10 * time.Second); !waiting(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the second holder did not ask for the lock within 10s")
		}
	}
	select {
	case <-second:
		t.Fatal("a second holder got product P's lock while the first held it")
	case <-time.After(200 * time.Millisecond):
	}
	other := make(chan struct{})
	go func() { l.lock("Q")(); close(other) }()
	select {
	case <-other:
	case <-time.After(10 * time.Second):
		t.Fatal("product Q's lock waited for product P's")
	}
	held.Store(false)
	unlockFirst()
	select {
	case stillHeld := <-second:
		if stillHeld {
			t.Fatal("the second holder got the lock before the first let it go")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the second holder did not get the lock within 10s of its release")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.locks) != 0 {
		t.Fatalf("%d locks left", len(l.locks))
	}
}
