package web

import (
	"embed"
	"io"
	"net/http"

	"github.com/stockctl/stockctl/reports"
)

//go:embed assets/app.js assets/web.css assets/lists.css
var assetFiles embed.FS

// asset answers GET /assets/{name}: the page script and the stylesheet, from the binary.
func (s *Server) asset(w http.ResponseWriter, r *http.Request) {
	switch r.PathValue("name") {
	case "app.js":
		js, _ := assetFiles.ReadFile("assets/app.js")
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(js)
	case "style.css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		// The report's styles first: the dashboard shows the report's views.
		io.WriteString(w, string(reports.Stylesheet())+"\n")
		for _, name := range []string{"assets/web.css", "assets/lists.css"} {
			css, _ := assetFiles.ReadFile(name)
			w.Write(css)
		}
	default:
		s.errorPage(w, r, http.StatusNotFound, "No asset "+r.PathValue("name")+".")
	}
}
