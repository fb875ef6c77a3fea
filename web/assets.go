package web

import (
	"embed"
	"net/http"
)

//go:embed assets/app.js assets/web.css
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
		css, _ := assetFiles.ReadFile("assets/web.css")
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write([]byte(string(reportsStylesheet()) + "\n" + string(css)))
	default:
		s.errorPage(w, r, http.StatusNotFound, "No asset "+r.PathValue("name")+".")
	}
}
