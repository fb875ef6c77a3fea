package productid_test

import (
	"fmt"
	"testing"

	"github.com/stockctl/stockctl/productid"
)

// BenchmarkNewIndex measures what a restock creating a product spends on the look-alike
// check beyond reading the IDs: indexing every known product, then one lookup.
func BenchmarkNewIndex(b *testing.B) {
	for _, n := range []int{1_500, 100_000} {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("SKU-%06d Café", i)
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				x := productid.NewIndex(ids)
				if _, ok := x.LookAlike("sku 000042 café"); !ok {
					b.Fatal("no look-alike found")
				}
			}
		})
	}
}
