package reports

import (
	"context"
	"fmt"
	"io"
)

// Dashboard writes the report's views for opt.Filter as an HTML fragment, with every
// chart as inline SVG and nothing to load, for a live page to embed and replace as the
// ledger moves. Style it with Stylesheet.
func Dashboard(ctx context.Context, store Store, opt Options, w io.Writer) error {
	p, err := build(ctx, store, opt, formats{svg: true, both: true})
	if err != nil {
		return err
	}
	if err := pageTemplate.ExecuteTemplate(w, "body", p); err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	return nil
}
