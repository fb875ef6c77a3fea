package reports

import (
	_ "embed"
	"encoding/base64"
	"html"
	"html/template"
)

var (
	//go:embed page.html
	pageHTML string
	//go:embed body.html
	bodyHTML string
	//go:embed style.css
	styleCSS string
)

// Stylesheet returns the CSS the report's views are styled with, for a page that embeds
// them (see Dashboard).
func Stylesheet() template.CSS { return template.CSS(styleCSS) }

// pageTemplate escapes everything it prints: product IDs, notes and operators are user
// input and must show as text.
var pageTemplate = template.Must(template.Must(template.New("page").Funcs(template.FuncMap{
	"chart":      chartHTML,
	"stylesheet": Stylesheet,
	"minus":      func(a, b int) int { return a - b },
}).Parse(pageHTML)).Parse(bodyHTML))

// chartHTML shows a chart: inline SVG when only SVG was rendered (a live page), else the
// PNG as a data URI, so that a written page opens from file:// with no other file. The
// SVG's text is escaped when it is drawn (see escapedSVG).
func chartHTML(img image, alt string) template.HTML {
	label := html.EscapeString(alt)
	if img.PNG == nil && img.Narrow != nil {
		// Both drawings, one shown by style.css's media query: the other is display:
		// none, which also takes it out of the accessibility tree, so a screen reader
		// meets each chart once.
		return template.HTML(`<div class="chart chart-narrow" role="img" aria-label="` + label + `">` + string(img.Narrow) + `</div>` +
			`<div class="chart chart-wide" role="img" aria-label="` + label + `">` + string(img.SVG) + `</div>`)
	}
	if img.PNG == nil && img.SVG != nil {
		return template.HTML(`<div class="chart" role="img" aria-label="` + label + `">` + string(img.SVG) + `</div>`)
	}
	return template.HTML(`<img src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(img.PNG) +
		`" alt="` + html.EscapeString(alt) + `">`)
}
