package projections

import "hash/maphash"

// bloom is a fixed-size Bloom filter of command IDs. An exclusive ledger asks it before
// asking the store whether a command was accepted: almost every command is new, and a
// "no" from the filter is certain. Its size does not grow with the log.
type bloom struct {
	bits []uint64
	seed maphash.Seed
}

const (
	bloomBits   = 1 << 26 // 8 MiB: under 1% false positives up to about 7 million commands
	bloomHashes = 5
)

func newBloom() *bloom {
	return &bloom{bits: make([]uint64, bloomBits/64), seed: maphash.MakeSeed()}
}

func (b *bloom) positions(s string) (h1, h2 uint64) {
	h := maphash.String(b.seed, s)
	return h, h>>32 | h<<32 | 1
}

func (b *bloom) add(s string) {
	h1, h2 := b.positions(s)
	for i := range uint64(bloomHashes) {
		bit := (h1 + i*h2) % bloomBits
		b.bits[bit/64] |= 1 << (bit % 64)
	}
}

func (b *bloom) mayContain(s string) bool {
	h1, h2 := b.positions(s)
	for i := range uint64(bloomHashes) {
		bit := (h1 + i*h2) % bloomBits
		if b.bits[bit/64]&(1<<(bit%64)) == 0 {
			return false
		}
	}
	return true
}
