package reports

import (
	_ "embed"
	"html/template"
)

//go:embed page.html
var pageHTML string

// pageTemplate escapes everything it prints: product IDs, notes and operators are user
// input and must show as text.
var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"uri":   dataURI,
	"units": func(cents int64) string { return unitsText(cents) },
	"minus": func(a, b int) int { return a - b },
}).Parse(pageHTML))
