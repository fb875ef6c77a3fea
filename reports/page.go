package reports

import (
	_ "embed"
	"encoding/base64"
	"html"
	"html/template"
	"regexp"
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
	"plus":       func(a, b int) int { return a + b },
	"heading":    heading,
}).Parse(pageHTML)).Parse(bodyHTML))

// isoDay is a date as a heading writes it.
var isoDay = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)

// heading escapes a page's title and keeps each of its dates on one line: a phone's
// browser breaks "2024-03-31" at a hyphen, and "2024-" over "03-31" reads as two things.
func heading(title string) template.HTML {
	return template.HTML(isoDay.ReplaceAllStringFunc(html.EscapeString(title), func(d string) string {
		return `<span class="day">` + d + `</span>`
	}))
}

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
