package eventlog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/IBM/sarama"
	"github.com/stockctl/stockctl/domain"
)

// Fetch sizes: a response holds at most fetchMaxBytes, at most partitionMaxBytes of one
// partition (Kafka always returns at least one whole batch, so larger records still pass).
const (
	fetchMaxBytes     = 4 << 20
	partitionMaxBytes = 2 << 20
	fetchRetries      = 5
)

// Read reads every partition p from offset from[p] up to, not including, until[p], and
// calls fn with batches of records in offset order within each partition. Fetching runs
// in the background while fn works on the previous batch.
//
// watermill-kafka's subscriber can start a partition only at the oldest or newest offset,
// and Sarama's partition consumer waits in 100 ms steps to gather subscriptions, which
// would add a third of a second to every command. The projection knows exactly which
// offsets it needs, so this issues Fetch requests with Sarama's broker client directly.
func (l *Log) Read(ctx context.Context, from, until map[int32]int64, fn func([]domain.Record) error) error {
	return l.readRaw(ctx, from, until, func(raw []rawRecord) error {
		batch := make([]domain.Record, len(raw))
		for i := range raw {
			batch[i] = raw[i].Record
		}
		return fn(batch)
	})
}

// rawRecord is a record with its headers, which the projection does not need but a copy
// of the log must keep.
type rawRecord struct {
	domain.Record
	headers []*sarama.RecordHeader
}

func (l *Log) readRaw(ctx context.Context, from, until map[int32]int64, fn func([]rawRecord) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []rawRecord, 1)
	errc := make(chan error, 1)
	go func() {
		defer close(batches)
		errc <- l.fetchAll(ctx, from, until, batches)
	}()
	for b := range batches {
		if err := fn(b); err != nil {
			cancel()
			for range batches {
			}
			return err
		}
	}
	if err := <-errc; err != nil {
		return err
	}
	return ctx.Err()
}

// fetchAll fetches until every partition has reached its end, one request per leader
// per round covering all of that leader's unfinished partitions.
func (l *Log) fetchAll(ctx context.Context, from, until map[int32]int64, out chan<- []rawRecord) error {
	next := make(map[int32]int64)
	// expect is the offset of the next record each partition should give: a topic that
	// never compacts has one at every offset.
	expect := make(map[int32]int64)
	for p, end := range until {
		if from[p] < end {
			next[p], expect[p] = from[p], from[p]
		}
	}
	failures := 0
	var deadline time.Time
	isolation := sarama.ReadCommitted
	for len(next) > 0 {
		if err := ctx.Err(); err != nil {
			return nil
		}
		progressed, err := l.fetchRound(ctx, isolation, next, expect, until, out)
		if isolation == sarama.ReadUncommitted {
			isolation = sarama.ReadCommitted // one round past the obstacle, no more
		} else if errors.Is(err, errNoProgress) {
			// A damaged segment (a batch whose base offset moved past the end) stops a
			// read_committed fetch of the embedded broker there: one round read
			// uncommitted gives the records after it, and their gap. Such a round cannot
			// tell an aborted transaction from a committed one: decodeBlock reports its
			// transactional batches as missing rather than read them as events.
			isolation = sarama.ReadUncommitted
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, errTimeout) {
				// A broker that did not answer within the timeout is not asked again.
				return err
			}
			if failures == 0 {
				// A leader change is waited out for Config.Timeout from the first
				// failure, as a high watermark's is; other errors get fetchRetries tries.
				deadline = time.Now().Add(l.cfg.Timeout)
			}
			failures++
			wait := leaderBackoff(failures - 1)
			switch {
			case errors.Is(err, errFatalFetch):
				return fmt.Errorf("%w: read %s: %v", ErrUnavailable, l.cfg.Topic, err)
			case l.retryable(err) && time.Now().Add(wait).After(deadline):
				return fmt.Errorf("%w: read %s: no leader answered within %s (see --timeout); last error: %v",
					ErrUnavailable, l.cfg.Topic, l.cfg.Timeout, err)
			case !l.retryable(err) && failures > fetchRetries:
				return fmt.Errorf("%w: read %s: %v", ErrUnavailable, l.cfg.Topic, err)
			}
			// A leader moved or a connection dropped: learn the new layout and retry.
			if err := l.bounded(ctx, "metadata of "+l.cfg.Topic, func(context.Context) error {
				return l.client.RefreshMetadata(l.cfg.Topic)
			}); errors.Is(err, errTimeout) {
				return err
			}
			if !sleep(ctx, wait) {
				return nil
			}
			continue
		}
		if progressed {
			failures = 0
		}
	}
	return nil
}

var (
	errFatalFetch = errors.New("cannot continue")
	errNoProgress = errors.New("no progress: the broker returned no records below the high watermark")
)

func (l *Log) fetchRound(ctx context.Context, isolation sarama.IsolationLevel, next, expect, until map[int32]int64, out chan<- []rawRecord) (bool, error) {
	byLeader := make(map[*sarama.Broker][]int32)
	// Leader refreshes metadata when it has no leader cached, which can block.
	err := l.bounded(ctx, "leaders of "+l.cfg.Topic, func(context.Context) error {
		for p := range next {
			b, err := l.client.Leader(l.cfg.Topic, p)
			if err != nil {
				return fmt.Errorf("leader of partition %d: %w", p, err)
			}
			byLeader[b] = append(byLeader[b], p)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	progressed := false
	round := l.round.Add(1)
	for broker, parts := range byLeader {
		// Start each round at another partition, so that one whose data fills every
		// response does not hold the others back.
		sort.Slice(parts, func(i, j int) bool { return parts[i] < parts[j] })
		k := int(round % uint64(len(parts)))
		parts = append(parts[k:], parts[:k]...)
		// Records of an aborted transaction, or of one still open, are not events: read
		// committed (see fetchAll), and drop the aborted batches the response lists
		// (decodeBlock).
		req := &sarama.FetchRequest{
			Version:      12, // Kafka 2.7+, matching the client's configured protocol version
			MaxWaitTime:  500,
			MinBytes:     1,
			MaxBytes:     fetchMaxBytes,
			Isolation:    isolation,
			SessionID:    0,
			SessionEpoch: -1, // no fetch session: each request stands alone
		}
		for _, p := range parts {
			req.AddBlock(l.cfg.Topic, p, next[p], partitionMaxBytes, -1)
		}
		var resp *sarama.FetchResponse
		err := l.bounded(ctx, "read "+l.cfg.Topic, func(context.Context) error {
			var err error
			resp, err = broker.Fetch(req)
			return err
		})
		if err != nil {
			if !errors.Is(err, errTimeout) && lostConnection(err) {
				// Sarama does not redial a broker whose connection broke: closed, it is
				// opened anew by the next round's Leader (as GetOffset does).
				_ = broker.Close()
			}
			return progressed, err
		}
		for _, p := range parts {
			block := resp.GetBlock(l.cfg.Topic, p)
			if block == nil {
				continue // the response filled up before this partition: next round
			}
			switch {
			case errors.Is(block.Err, sarama.ErrNoError):
			case errors.Is(block.Err, sarama.ErrOffsetOutOfRange):
				return progressed, fmt.Errorf("%w: partition %d has no offset %d (%s): "+
					"events were deleted from the topic; check its retention and rebuild with stockctl replay",
					errFatalFetch, p, next[p], l.logStart(ctx, p, block.LogStartOffset))
			default:
				return progressed, fmt.Errorf("partition %d: %w", p, block.Err)
			}
			e := expect[p]
			records, last := decodeBlock(p, block, next[p], until[p], &e, isolation == sarama.ReadUncommitted)
			expect[p] = e
			if last > next[p] {
				progressed = true
				next[p] = last
			}
			if next[p] >= until[p] {
				delete(next, p)
				if e < until[p] {
					// The log ended, or jumped past the end, before giving these offsets.
					records = append(records, gap(p, e, until[p]-1, domain.GapMissing))
				}
			} else if lso := block.LastStableOffset; lso >= 0 && lso < until[p] && lso < block.HighWaterMarkOffset && next[p] >= lso {
				// A transaction is open at next[p]: nothing from its first record on is
				// committed yet. A later read gives what follows once it ends.
				delete(next, p)
				progressed = true
			}
			if len(records) > 0 {
				select {
				case out <- records:
				case <-ctx.Done():
					return progressed, nil
				}
			}
		}
	}
	if !progressed {
		return false, errNoProgress
	}
	return true, nil
}

// decodeBlock returns the records of one partition's fetch response in [from, until) and
// the offset to fetch next. expect is the offset the next record should have: where the
// records skip offsets or go back, a gap is reported in their place (see
// domain.Record.Gap), as a damaged segment does (kfake serves a batch whose base
// offset, which its CRC does not cover, was changed, at that other offset).
//
// uncommitted says the fetch was read_uncommitted, whose response lists no aborted
// transactions: a transactional batch there may be aborted, so its offsets are reported
// missing instead of read.
func decodeBlock(p int32, block *sarama.FetchResponseBlock, from, until int64, expect *int64, uncommitted bool) ([]rawRecord, int64) {
	next := from
	var out []rawRecord
	// A transactional batch of a producer is aborted from the first offset of one of its
	// aborted transactions that the response lists, up to the marker ending it.
	aborted := slices.Clone(block.AbortedTransactions)
	sort.Slice(aborted, func(i, j int) bool { return aborted[i].FirstOffset < aborted[j].FirstOffset })
	aborting := make(map[int64]bool)
	for _, rs := range block.RecordsSet {
		b := rs.RecordBatch
		if b == nil {
			continue // the pre-0.11 message format: no client of Kafka 4 writes it
		}
		for len(aborted) > 0 && aborted[0].FirstOffset <= b.FirstOffset+int64(b.LastOffsetDelta) {
			aborting[aborted[0].ProducerID] = true
			aborted = aborted[1:]
		}
		unsure := uncommitted && b.IsTransactional && !b.Control
		skip := b.Control || unsure || (b.IsTransactional && aborting[b.ProducerID])
		if b.Control {
			delete(aborting, b.ProducerID)
		}
		if last := b.FirstOffset + int64(b.LastOffsetDelta); skip && b.FirstOffset < until && last >= *expect {
			// A transaction marker, or an aborted batch, takes offsets without giving a
			// record; offsets missing before it are a gap of their own.
			if b.FirstOffset > *expect {
				out = append(out, gap(p, *expect, b.FirstOffset-1, domain.GapMissing))
			}
			if unsure {
				out = append(out, gap(p, max(b.FirstOffset, *expect), min(last, until-1), domain.GapMissing))
			}
			*expect = last + 1
		}
		for _, r := range b.Records {
			o := b.FirstOffset + r.OffsetDelta
			if o < from || o >= until || skip {
				continue
			}
			switch {
			case o < *expect:
				out = append(out, gap(p, o, o, domain.GapOutOfOrder))
				continue
			case o > *expect:
				out = append(out, gap(p, *expect, o-1, domain.GapMissing))
			}
			*expect = o + 1
			out = append(out, rawRecord{
				Record: domain.Record{
					Position: domain.Position{Partition: p, Offset: o},
					Key:      r.Key,
					Value:    r.Value,
				},
				headers: r.Headers,
			})
		}
		if b.PartialTrailingRecord {
			// Continue from the first record not received whole.
			if n := len(out); n > 0 {
				next = max(next, out[n-1].Offset+1)
			}
			break
		}
		next = max(next, b.FirstOffset+int64(b.LastOffsetDelta)+1)
	}
	return out, next
}

// logStart is where partition p starts, as a fetch answered (Kafka answers -1 with
// OFFSET_OUT_OF_RANGE; kfake the offset) or as the broker lists it, for a message.
func (l *Log) logStart(ctx context.Context, p int32, answered int64) string {
	if answered < 0 {
		// A call given up on may still write its result: it writes to a channel.
		got := make(chan int64, 1)
		if l.bounded(ctx, "log start of "+l.cfg.Topic, func(context.Context) error {
			n, err := l.client.GetOffset(l.cfg.Topic, p, sarama.OffsetOldest)
			got <- n
			return err
		}) == nil {
			answered = <-got
		}
	}
	if answered < 0 {
		return "the log starts later"
	}
	return fmt.Sprintf("the log starts at %d", answered)
}

func gap(p int32, first, last int64, kind string) rawRecord {
	return rawRecord{Record: domain.Record{Position: domain.Position{Partition: p, Offset: first}, Gap: kind, GapLast: last}}
}
