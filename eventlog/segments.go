package eventlog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ErrDamagedLog means a segment of the embedded log holds a damaged record batch with
// intact records after it.
var ErrDamagedLog = errors.New("the embedded log is damaged")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// checkSegments looks for damage in the embedded log under dir before kfake loads it.
// kfake cuts a segment at the first batch whose CRC fails and drops everything after it,
// which is right for a write torn by a crash (the last batch of the partition) but
// destroys intact, acknowledged records when the damage is in the middle: stockctl
// refuses instead, naming the file, so that nothing is lost without a person deciding.
func checkSegments(dir string) error {
	parts, err := filepath.Glob(filepath.Join(dir, "partitions", "*"))
	if err != nil {
		return nil
	}
	for _, part := range parts {
		segs, _ := filepath.Glob(filepath.Join(part, "*.dat"))
		sort.Slice(segs, func(i, j int) bool { return segBase(segs[i]) < segBase(segs[j]) })
		for i, seg := range segs {
			raw, err := os.ReadFile(seg)
			if err != nil {
				continue // kfake reports what it cannot read
			}
			bad, base, next, ok := firstBadBatch(raw)
			if ok {
				continue
			}
			lastSegment := i == len(segs)-1
			if lastSegment && !intactAfter(raw, bad, next) {
				continue // a torn last write: kfake drops it, and it was never acknowledged
			}
			return fmt.Errorf("%w: %s: the record batch at byte %d (offset %d) fails its checksum, with intact records after it; "+
				"the broker would cut the %d bytes from there out of the log. Restore %s from a backup; or, to go on with "+
				"what is readable and lose the rest of this segment, run `truncate -s %d %s` and then `stockctl replay`, which "+
				"says what the read model would lose", ErrDamagedLog, seg, bad, base, len(raw)-bad, dir, bad, seg)
		}
	}
	return nil
}

// firstBadBatch walks the batches of a segment. It returns ok when all are intact, else
// the byte position and claimed base offset of the first damaged one and where the next
// batch would start by its length field.
func firstBadBatch(raw []byte) (pos int, base int64, next int, ok bool) {
	for pos+12 <= len(raw) {
		length := int(binary.BigEndian.Uint32(raw[pos+8 : pos+12]))
		end := pos + 12 + length
		if length < 21-12 || end > len(raw) ||
			binary.BigEndian.Uint32(raw[pos+17:pos+21]) != crc32.Checksum(raw[pos+21:end], castagnoli) {
			return pos, int64(binary.BigEndian.Uint64(raw[pos : pos+8])), end, false
		}
		pos = end
	}
	return pos, 0, pos, pos == len(raw)
}

// intactAfter reports whether a whole, valid batch starts at next, or anywhere after
// from when a damaged length field misplaced next.
func intactAfter(raw []byte, from, next int) bool {
	if validBatchAt(raw, next) {
		return true
	}
	for p := from + 1; p+21 <= len(raw); p++ {
		if raw[p+16] == 2 && validBatchAt(raw, p) { // magic 2: the record batch format
			return true
		}
	}
	return false
}

func validBatchAt(raw []byte, pos int) bool {
	if pos < 0 || pos+21 > len(raw) {
		return false
	}
	length := int(binary.BigEndian.Uint32(raw[pos+8 : pos+12]))
	end := pos + 12 + length
	return length >= 21-12 && end <= len(raw) &&
		binary.BigEndian.Uint32(raw[pos+17:pos+21]) == crc32.Checksum(raw[pos+21:end], castagnoli)
}

func segBase(path string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSuffix(filepath.Base(path), ".dat"), 10, 64)
	return n
}
