package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/stockctl/stockctl/productid"
)

// matchingProducts returns the stored IDs (ids, sorted) that typed names, as people type
// IDs: itself when stored; else those equal to it ignoring case; else those equal under
// productid.Fold, which also ignores spaces and dashes (the look-alikes a restock refuses
// to create). One match is the product meant; several are a question for the user.
func matchingProducts(ids []string, typed string) []string {
	if _, found := slices.BinarySearch(ids, typed); found {
		return []string{typed}
	}
	for _, same := range []func(a, b string) bool{strings.EqualFold, func(a, b string) bool { return productid.Fold(a) == productid.Fold(b) }} {
		var match []string
		for _, id := range ids {
			if same(id, typed) {
				match = append(match, id)
			}
		}
		if len(match) > 0 {
			return match
		}
	}
	return nil
}

// ambiguous says that typed names several products.
func ambiguous(typed string, match []string) string {
	return fmt.Sprintf("product %q matches %s and %s: give one of them", typed, strings.Join(match[:len(match)-1], ", "), match[len(match)-1])
}

// resolveProduct returns the stored product typed names and every stored product it
// could mean (see matchingProducts); id is typed itself unless exactly one matches.
func (s *Server) resolveProduct(r *http.Request, typed string) (id string, match []string, err error) {
	ids, err := s.cfg.Store.ProductIDs(r.Context())
	if err != nil {
		return typed, nil, err
	}
	match = matchingProducts(ids, typed)
	if len(match) == 1 {
		return match[0], match, nil
	}
	return typed, match, nil
}
