package main_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestServeGzipsPages: pages, fragments and assets are gzipped for a browser that takes
// gzip (the dashboard's fragment is about 900 KB of SVG, fetched again on every change),
// and the API is not: its downloads are files, its event stream flushes each event.
func TestServeGzipsPages(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P1", "10", "--date", "2024-05-01")
	mustRun(t, dir, "sell", "P1", "4", "--date", "2024-05-02")
	s := startServe(t, dir, nil)
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	get := func(path, encoding string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", s.url+path, nil)
		if encoding != "" {
			req.Header.Set("Accept-Encoding", encoding)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, body
	}
	for _, tc := range []struct{ path, want string }{
		{"/", "Stock dashboard"},
		{"/fragments/dashboard", "<svg"},
		{"/products", "P1"},
		{"/assets/style.css", ".cards"},
		{"/nothing", "No page at /nothing"},
	} {
		res, zipped := get(tc.path, "gzip, deflate, br")
		if res.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("GET %s with gzip accepted: Content-Encoding %q", tc.path, res.Header.Get("Content-Encoding"))
			continue
		}
		zr, err := gzip.NewReader(strings.NewReader(string(zipped)))
		if err != nil {
			t.Fatalf("GET %s: %v", tc.path, err)
		}
		body, err := io.ReadAll(zr)
		if err != nil || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s unzipped: %v, lacks %q", tc.path, err, tc.want)
		}
		if _, plain := get(tc.path, ""); !strings.Contains(string(plain), tc.want) {
			t.Errorf("GET %s without gzip lacks %q", tc.path, tc.want)
		}
		if tc.path == "/fragments/dashboard" && len(zipped)*4 > len(body) {
			t.Errorf("the dashboard's fragment: %d bytes gzipped of %d", len(zipped), len(body))
		}
	}
	for _, path := range []string{"/api/operations?format=csv", "/api/stock"} {
		if res, _ := get(path, "gzip"); res.Header.Get("Content-Encoding") != "" {
			t.Errorf("GET %s: Content-Encoding %q, want none", path, res.Header.Get("Content-Encoding"))
		}
	}
}
