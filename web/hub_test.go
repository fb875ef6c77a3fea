package web

import (
	"fmt"
	"sync"
	"testing"
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
