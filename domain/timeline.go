package domain

import (
	"sort"
	"time"
)

// DateBalance is one business date of a product's balances: what its operations dated
// exactly Date moved, and the balance they leave, in hundredths. Balances are signed: a
// read model built before the date-order rule may hold a history that went negative.
type DateBalance struct {
	Date BusinessDate
	// End is the balance once every operation dated at or before Date is applied.
	End int64
	// Net is the movement of the operations dated exactly Date.
	Net int64
	// Low and High are the lowest and highest balance after any operation dated Date,
	// in log order among them.
	Low, High int64
}

// Span is what deciding an operation dated Date needs of its product's balances: the
// balance at that date and the extremes after it. The rule checks an operation against
// At and, when Later, against every later-dated balance, which it shifts.
type Span struct {
	Date BusinessDate
	// At is the balance once every operation dated at or before Date is applied.
	At int64
	// Net is the movement of the operations dated exactly Date so far.
	Net int64
	// Later is true when an operation is dated after Date; then Low and High are the
	// lowest and highest balance after any of them, first reached on LowDate and
	// HighDate, and Next is the earliest of their dates.
	Later             bool
	Low, High         int64
	LowDate, HighDate BusinessDate
	Next              BusinessDate
}

// Timeline holds a product's balances by business date, for deciding operations dated
// before the product's latest one without reading its history again. Dates are kept in
// chunks of at most 2×chunkSize, each with a pending shift and the lowest and highest
// balance in it: inserting an operation dated d shifts every later date by its quantity,
// which costs O(chunkSize) inside d's chunk and O(1) per later chunk, and a Span reads
// the same. An operation dated at or after the latest date costs O(1).
type Timeline struct {
	chunks []*chunk
}

const chunkSize = 64

// tick is one date of a Timeline: its date in seconds and its balances, which, like the
// chunk's low and high, exclude the chunk's pending shift.
type tick struct {
	at                  int64
	end, net, low, high int64
}

type chunk struct {
	ticks []tick
	shift int64
	// low and high are the lowest and highest of the ticks' low and high, first reached
	// at ticks lowAt and highAt.
	low, high     int64
	lowAt, highAt int
}

func seconds(d BusinessDate) int64 { return d.t.Unix() }

func dateOf(s int64) BusinessDate { return BusinessDate{t: time.Unix(s, 0).UTC()} }

// NewTimeline returns the timeline of the given dates, which must be in date order.
func NewTimeline(dates []DateBalance) *Timeline {
	t := &Timeline{}
	for start := 0; start < len(dates); start += chunkSize {
		c := &chunk{}
		for _, d := range dates[start:min(start+chunkSize, len(dates))] {
			c.ticks = append(c.ticks, tick{at: seconds(d.Date), end: d.End, net: d.Net, low: d.Low, high: d.High})
		}
		c.recount()
		t.chunks = append(t.chunks, c)
	}
	return t
}

// Len returns how many dates the timeline holds.
func (t *Timeline) Len() int {
	n := 0
	for _, c := range t.chunks {
		n += len(c.ticks)
	}
	return n
}

// Dates returns every date's balances, in date order.
func (t *Timeline) Dates() []DateBalance {
	out := make([]DateBalance, 0, t.Len())
	t.Each(func(d DateBalance) { out = append(out, d) })
	return out
}

// Each calls fn with every date's balances, in date order.
func (t *Timeline) Each(fn func(DateBalance)) {
	for _, c := range t.chunks {
		for _, k := range c.ticks {
			fn(DateBalance{Date: dateOf(k.at), End: k.end + c.shift, Net: k.net, Low: k.low + c.shift, High: k.high + c.shift})
		}
	}
}

// locate returns the chunk and tick of the latest date at or before at, with ci -1 when
// every date is later.
func (t *Timeline) locate(at int64) (ci, ki int) {
	// Most operations come at or after the latest date (a replay in date order): no
	// search, and no touching of the other chunks' memory.
	if n := len(t.chunks); n > 0 {
		last := t.chunks[n-1].ticks
		if len(last) > 0 && last[len(last)-1].at <= at {
			return n - 1, len(last) - 1
		}
	}
	ci = sort.Search(len(t.chunks), func(i int) bool { return t.chunks[i].ticks[0].at > at }) - 1
	if ci < 0 {
		return -1, -1
	}
	ticks := t.chunks[ci].ticks
	ki = sort.Search(len(ticks), func(i int) bool { return ticks[i].at > at }) - 1
	return ci, ki
}

// Span returns the balances around date d.
func (t *Timeline) Span(d BusinessDate) Span {
	at := seconds(d)
	s := Span{Date: d}
	ci, ki := t.locate(at)
	if ci >= 0 {
		c := t.chunks[ci]
		k := c.ticks[ki]
		s.At = k.end + c.shift
		if k.at == at {
			s.Net = k.net
		}
	}
	// The later dates: the rest of d's chunk, then whole chunks.
	first := ci
	if first < 0 {
		first = 0
		ki = -1
	}
	for i := first; i < len(t.chunks); i++ {
		c := t.chunks[i]
		from := 0
		if i == ci {
			from = ki + 1
		}
		if from >= len(c.ticks) {
			continue
		}
		var lo, hi int64
		var loAt, hiAt int
		if from == 0 {
			lo, hi, loAt, hiAt = c.low, c.high, c.lowAt, c.highAt
		} else {
			lo, hi, loAt, hiAt = c.extremes(from)
		}
		lo, hi = lo+c.shift, hi+c.shift
		if !s.Later {
			s.Later = true
			s.Next = dateOf(c.ticks[from].at)
			s.Low, s.High = lo, hi
			s.LowDate, s.HighDate = dateOf(c.ticks[loAt].at), dateOf(c.ticks[hiAt].at)
			continue
		}
		if lo < s.Low {
			s.Low, s.LowDate = lo, dateOf(c.ticks[loAt].at)
		}
		if hi > s.High {
			s.High, s.HighDate = hi, dateOf(c.ticks[hiAt].at)
		}
	}
	return s
}

// Change is what Add did, for Revert to undo. prior holds the tick's balances with its
// chunk's shift added: chunks split and shift between an Add and its Revert.
type Change struct {
	at, delta int64
	created   bool
	prior     tick
}

// Revert undoes c, the last Add not yet reverted: a batch of operations that does not
// commit takes its changes back, latest first.
func (t *Timeline) Revert(c Change) {
	ci, ki := t.locate(c.at)
	ch := t.chunks[ci]
	if c.created {
		ch.ticks = append(ch.ticks[:ki], ch.ticks[ki+1:]...)
		ki--
	} else {
		k := c.prior
		k.end, k.low, k.high = k.end-ch.shift, k.low-ch.shift, k.high-ch.shift
		ch.ticks[ki] = k
	}
	if len(ch.ticks) == 0 {
		t.chunks = append(t.chunks[:ci], t.chunks[ci+1:]...)
		for _, later := range t.chunks[ci:] {
			later.shift -= c.delta
		}
		return
	}
	t.shiftAfter(ci, ki, -c.delta)
	ch.recount()
}

// Add records an accepted operation dated d that moves the balance by delta: after every
// operation already dated d (the log's order breaks ties), and before every later date.
func (t *Timeline) Add(d BusinessDate, delta int64) Change {
	at := seconds(d)
	ci, ki := t.locate(at)
	if ci >= 0 && t.chunks[ci].ticks[ki].at == at {
		c := t.chunks[ci]
		k := &c.ticks[ki]
		change := Change{at: at, delta: delta, prior: *k}
		change.prior.end, change.prior.low, change.prior.high = k.end+c.shift, k.low+c.shift, k.high+c.shift
		k.end += delta
		k.net += delta
		k.low, k.high = min(k.low, k.end), max(k.high, k.end)
		t.shiftAfter(ci, ki, delta)
		return change
	}
	var before int64
	if ci >= 0 {
		before = t.chunks[ci].ticks[ki].end + t.chunks[ci].shift
	}
	end := before + delta
	if ci < 0 {
		// Earlier than every date: it opens the first chunk.
		if len(t.chunks) == 0 {
			t.chunks = []*chunk{{}}
		}
		ci, ki = 0, -1
	}
	c := t.chunks[ci]
	if ci == len(t.chunks)-1 && ki+1 == len(c.ticks) && len(c.ticks) >= 2*chunkSize {
		// Appended after the latest date, to a full last chunk: a new chunk, and the
		// full one keeps exactly its ticks, so that a history entered in date order
		// costs its dates and no spare capacity (a million dates: 48 MB, not twice it).
		c.ticks = append([]tick(nil), c.ticks...)
		c = &chunk{shift: c.shift}
		t.chunks = append(t.chunks, c)
		ci, ki = ci+1, -1
	}
	v := end - c.shift
	c.ticks = append(c.ticks, tick{})
	copy(c.ticks[ki+2:], c.ticks[ki+1:])
	c.ticks[ki+1] = tick{at: at, end: v, net: delta, low: v, high: v}
	t.shiftAfter(ci, ki+1, delta)
	if len(c.ticks) > 2*chunkSize {
		t.split(ci)
	}
	return Change{at: at, delta: delta, created: true}
}

// shiftAfter moves every date after tick ki of chunk ci by delta and recounts chunk ci.
func (t *Timeline) shiftAfter(ci, ki int, delta int64) {
	c := t.chunks[ci]
	if ki == len(c.ticks)-1 && ci == len(t.chunks)-1 {
		// The common case, an operation dated at or after the latest date: nothing
		// follows it, and the chunk's extremes only need the new tick.
		k := c.ticks[ki]
		if len(c.ticks) == 1 || k.low < c.low {
			c.low, c.lowAt = k.low, ki
		}
		if len(c.ticks) == 1 || k.high > c.high {
			c.high, c.highAt = k.high, ki
		}
		return
	}
	for i := ki + 1; i < len(c.ticks); i++ {
		k := &c.ticks[i]
		k.end += delta
		k.low += delta
		k.high += delta
	}
	c.recount()
	for _, later := range t.chunks[ci+1:] {
		later.shift += delta
	}
}

func (t *Timeline) split(ci int) {
	c := t.chunks[ci]
	half := len(c.ticks) / 2
	right := &chunk{ticks: append([]tick(nil), c.ticks[half:]...), shift: c.shift}
	c.ticks = c.ticks[:half:half]
	c.recount()
	right.recount()
	t.chunks = append(t.chunks, nil)
	copy(t.chunks[ci+2:], t.chunks[ci+1:])
	t.chunks[ci+1] = right
}

// recount computes the chunk's extremes from its ticks.
func (c *chunk) recount() {
	c.low, c.high, c.lowAt, c.highAt = c.extremes(0)
}

// extremes returns the lowest and highest balance of ticks from on, and where each is
// first reached.
func (c *chunk) extremes(from int) (lo, hi int64, loAt, hiAt int) {
	lo, hi, loAt, hiAt = c.ticks[from].low, c.ticks[from].high, from, from
	for i := from + 1; i < len(c.ticks); i++ {
		if k := c.ticks[i]; k.low < lo {
			lo, loAt = k.low, i
		}
		if k := c.ticks[i]; k.high > hi {
			hi, hiAt = k.high, i
		}
	}
	return lo, hi, loAt, hiAt
}
