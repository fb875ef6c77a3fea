package web

import (
	"compress/gzip"
	"net/http"
	"strings"
	"sync"
)

// compress gzips the pages, fragments and assets for a browser that takes gzip. The
// dashboard's fragment is about 900 KB of inline SVG, drawn for two widths, and the live
// page fetches it again on every change; SVG and HTML shrink about tenfold. The API is
// left as it is: its event stream must flush each event, and its downloads are files a
// client may want byte for byte.
func compress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding")
		if strings.HasPrefix(r.URL.Path, "/api/") || r.Method == http.MethodHead || !acceptsGzip(r) {
			next.ServeHTTP(w, r)
			return
		}
		gw := &gzipWriter{ResponseWriter: w}
		defer gw.close()
		next.ServeHTTP(gw, r)
	})
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.ReplaceAll(strings.TrimSpace(params), " ", "") != "q=0" {
			return true
		}
	}
	return false
}

var gzipWriters = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed); return w }}

// gzipWriter compresses a response whose type is text, decided when its header is
// written; a redirect, an empty 204 or anything else passes through.
type gzipWriter struct {
	http.ResponseWriter
	gz      *gzip.Writer
	decided bool
}

func (g *gzipWriter) WriteHeader(status int) {
	if !g.decided {
		g.decided = true
		h := g.Header()
		if status == http.StatusOK || status >= 400 {
			if ct := h.Get("Content-Type"); strings.HasPrefix(ct, "text/") && h.Get("Content-Encoding") == "" {
				h.Del("Content-Length")
				h.Set("Content-Encoding", "gzip")
				g.gz = gzipWriters.Get().(*gzip.Writer)
				g.gz.Reset(g.ResponseWriter)
			}
		}
	}
	g.ResponseWriter.WriteHeader(status)
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	if !g.decided {
		if g.Header().Get("Content-Type") == "" {
			g.Header().Set("Content-Type", http.DetectContentType(b))
		}
		g.WriteHeader(http.StatusOK)
	}
	if g.gz != nil {
		return g.gz.Write(b)
	}
	return g.ResponseWriter.Write(b)
}

func (g *gzipWriter) close() {
	if g.gz != nil {
		g.gz.Close()
		gzipWriters.Put(g.gz)
	}
}

// Unwrap lets http.ResponseController reach the connection beneath.
func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }
