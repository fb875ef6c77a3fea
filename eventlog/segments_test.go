package eventlog

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// batch is a minimal record batch as kfake stores it: base offset, length, leader
// epoch, magic 2, CRC-32C of the rest.
func batch(base int64, body string) []byte {
	rest := append(make([]byte, 40), body...)
	b := make([]byte, 21, 21+len(rest))
	binary.BigEndian.PutUint64(b[0:], uint64(base))
	binary.BigEndian.PutUint32(b[8:], uint32(9+len(rest)))
	b[16] = 2
	binary.BigEndian.PutUint32(b[17:], crc32.Checksum(rest, castagnoli))
	return append(b, rest...)
}

// A batch damaged with intact ones after it is refused before kfake would cut them off;
// a torn last write, which kfake drops as crash recovery, is not.
func TestCheckSegments(t *testing.T) {
	three := func() [][]byte { return [][]byte{batch(0, "a"), batch(1, "b"), batch(2, "c")} }
	for _, tc := range []struct {
		name   string
		damage func([][]byte) [][]byte
		want   string // "" when the log may load
	}{
		{"intact", func(b [][]byte) [][]byte { return b }, ""},
		{"torn last batch", func(b [][]byte) [][]byte { b[2] = b[2][:30]; return b }, ""},
		{"last batch garbled", func(b [][]byte) [][]byte { b[2][50] ^= 1; return b }, ""},
		{"middle batch garbled", func(b [][]byte) [][]byte { b[1][50] ^= 1; return b }, "(offset 1) fails its checksum"},
		{"middle batch length garbled", func(b [][]byte) [][]byte { b[1][10] ^= 1; return b }, "(offset 1) fails its checksum"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			part := filepath.Join(dir, "partitions", "stock.events-0")
			os.MkdirAll(part, 0o755)
			var raw []byte
			for _, b := range tc.damage(three()) {
				raw = append(raw, b...)
			}
			os.WriteFile(filepath.Join(part, "0.dat"), raw, 0o644)
			err := checkSegments(dir)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("want the log to load, got %v", err)
			case tc.want != "" && (!errors.Is(err, ErrDamagedLog) || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("want ErrDamagedLog with %q, got %v", tc.want, err)
			}
		})
	}
}
