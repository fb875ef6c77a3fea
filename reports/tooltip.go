package reports

import (
	"bytes"
	"fmt"
	"html"
	"strings"

	"github.com/wcharczuk/go-chart/v2"
)

// overlay is what a chart adds on top of go-chart's SVG: hover values and links. go-chart
// writes no <title> nor <a>, so they are laid over the drawing as invisible areas, spliced
// in before </svg>. A PNG has neither.
type overlay struct{ b strings.Builder }

// tip lays an invisible area over box that shows title on hover and, with href, follows
// it on a click.
func (o *overlay) tip(box chart.Box, title, href string) {
	if box.Width() <= 0 || box.Height() <= 0 {
		return
	}
	if href != "" {
		fmt.Fprintf(&o.b, `<a href="%s">`, html.EscapeString(href))
	}
	fmt.Fprintf(&o.b, `<rect class="tip" x="%d" y="%d" width="%d" height="%d" fill="#000" fill-opacity="0"><title>%s</title></rect>`,
		box.Left, box.Top, box.Width(), box.Height(), html.EscapeString(title))
	if href != "" {
		o.b.WriteString(`</a>`)
	}
}

// link writes label as a link at (x, y), the baseline's left end, in go-chart's font, for
// a product ID a live view lets one follow; title shows the full ID when label is cut.
func (o *overlay) link(label, title, href string, x, y int, size float64) {
	fmt.Fprintf(&o.b, `<a href="%s"><text x="%d" y="%d" style="font-family:'Roboto Medium',sans-serif;font-size:%.1fpx;fill:#1a5fb4;text-decoration:underline">%s<title>%s</title></text></a>`,
		html.EscapeString(href), x, y, size, html.EscapeString(label), html.EscapeString(title))
}

// save writes what r drew to b with the overlay spliced in: the last step of a chart
// drawn with go-chart's renderer primitives.
func (o *overlay) save(r chart.Renderer, b *bytes.Buffer) error {
	var tmp bytes.Buffer
	if err := r.Save(&tmp); err != nil {
		return err
	}
	b.Write(o.splice(tmp.Bytes()))
	return nil
}

// splice puts the overlay in svg, before its closing tag.
func (o *overlay) splice(svg []byte) []byte {
	if svg == nil || o.b.Len() == 0 {
		return svg
	}
	i := bytes.LastIndex(svg, []byte("</svg>"))
	if i < 0 {
		return svg
	}
	out := make([]byte, 0, len(svg)+o.b.Len()+32)
	out = append(out, svg[:i]...)
	out = append(out, `<g class="overlay">`...)
	out = append(out, o.b.String()...)
	out = append(out, `</g>`...)
	return append(out, svg[i:]...)
}

// canvasOf is a go-chart element that records where the plot was drawn, for the overlay
// to put its areas over the points.
func canvasOf(box *chart.Box) chart.Renderable {
	return func(_ chart.Renderer, canvas chart.Box, _ chart.Style) { *box = canvas }
}

// at maps a value to a pixel along a range of domain pixels, as go-chart does.
func at(v, lo, hi float64, domain int) int {
	if hi == lo {
		return 0
	}
	return int((v - lo) / (hi - lo) * float64(domain))
}
