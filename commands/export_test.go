package commands

import "testing"

// SetImportChunk makes imports append n events at a time until the test ends.
func SetImportChunk(tb testing.TB, n int) {
	old := importChunk
	importChunk = n
	tb.Cleanup(func() { importChunk = old })
}
