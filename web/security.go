package web

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// tokenCookie keeps the access token in a browser that logged in with ?token=.
const tokenCookie = "stockctl_token"

// authenticate lets a request through when it carries the token (if one is set) and,
// when the server is loopback-only, names a loopback host.
func (s *Server) authenticate(next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(s.cfg.Token))
	matches := func(got string) bool {
		// Hashes first, so the comparison takes the same time whatever the lengths.
		h := sha256.Sum256([]byte(got))
		return subtle.ConstantTimeCompare(h[:], want[:]) == 1
	}
	cookie := cookieValue(s.cfg.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.LoopbackOnly && !IsLoopback(r.Host) {
			s.refuse(w, r, http.StatusForbidden, "forbidden_host",
				fmt.Sprintf("this server answers only to localhost, not to Host %q; to serve other hosts, start it with --listen and --token", r.Host))
			return
		}
		if s.cfg.Token == "" {
			next.ServeHTTP(w, r)
			return
		}
		if q := r.URL.Query().Get("token"); q != "" && r.Method == http.MethodGet && matches(q) {
			s.login(w, r, cookie)
			return
		}
		ok := false
		if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
			ok = matches(strings.TrimPrefix(a, "Bearer "))
		} else if c, err := r.Cookie(tokenCookie); err == nil {
			ok = subtle.ConstantTimeCompare([]byte(c.Value), []byte(cookie)) == 1
		}
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="stockctl"`)
			s.refuse(w, r, http.StatusUnauthorized, "unauthorized",
				"a valid token is required: send Authorization: Bearer TOKEN, or open the page once with ?token=TOKEN")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// login answers a browser's first visit with ?token=: it keeps a value derived from the
// token in a cookie (cookies cannot hold every character a token may have) and sends the
// browser on to the same address without the token, so that it is not bookmarked or
// shown.
//
// The cookie is SameSite=Strict, so that no other site can make a browser send it. A
// browser does not send a Strict cookie on a request that another site started, even at
// the end of a redirect, so a 303 answer to a link followed from elsewhere (a mail, a
// chat) would land on a 401. The login answers instead with a page that moves on by
// itself (meta refresh): that navigation starts on this site, and carries the cookie.
func (s *Server) login(w http.ResponseWriter, r *http.Request, cookie string) {
	http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: cookie, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || s.cfg.SecureCookie})
	v := r.URL.Query()
	v.Del("token")
	var b bytes.Buffer
	if err := loginPage.Execute(&b, localPath(r.URL)+query(v)); err != nil {
		panic(err) // the template only takes a string
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0; url={{.}}">
<title>stockctl: logged in</title></head>
<body><p>Logged in. <a href="{{.}}">Continue</a>.</p></body></html>
`))

// localPath returns u's path as an address on this server, each segment escaped again
// from what it decodes to. A browser reads "/\\host", "/\thost" (it drops the tab) and
// "//host" as another host: empty, "." and ".." segments are resolved here, so that the
// path never starts with "//", and "\\", tabs, CR and LF stay escaped.
func localPath(u *url.URL) string {
	var out []string
	for _, seg := range strings.Split(u.EscapedPath(), "/") {
		if d, err := url.PathUnescape(seg); err == nil {
			seg = d
		}
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, url.PathEscape(seg))
		}
	}
	p := "/" + strings.Join(out, "/")
	if len(out) > 0 && strings.HasSuffix(u.Path, "/") {
		p += "/"
	}
	return p
}

// cookieValue is what the login cookie holds for a token: a hash of it, in characters
// any cookie can carry.
func cookieValue(token string) string {
	h := sha256.Sum256([]byte("stockctl cookie\x00" + token))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// IsLoopback reports whether host, with or without a port (a Host header or a listen
// address), names this machine's loopback interface.
func IsLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// refuse answers a refused request in the shape its route uses: JSON under /api/, a page
// elsewhere.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	if isAPI(r) {
		writeError(w, status, apiError{Code: code, Message: msg})
		return
	}
	s.errorPage(w, r, status, msg)
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// limitBody caps every request body.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		next.ServeHTTP(w, r)
	})
}

// securityHeaders forbid what the pages never need: scripts other than the embedded
// one, framing, sniffing, and sending the address (which may hold a token) elsewhere.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// go-chart's SVG carries style attributes: styles may be inline, scripts not.
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "+
			"img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// recoverPanics turns a handler's panic into a 500 and a log line instead of a dropped
// connection.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.cfg.ErrorLog.Printf("web: %s %s: panic: %v", r.Method, r.URL.Path, v)
				s.refuse(w, r, http.StatusInternalServerError, "internal", "internal error; see the server's log")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// formToken signs a form's nonce: a form posted back must carry a nonce and token this
// server made. The nonce is also the operation's idempotency key, so a form submitted
// twice records once.
func (s *Server) formToken(nonce string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("form\x00" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) checkFormToken(nonce, token string) bool {
	want := s.formToken(nonce)
	return nonce != "" && hmac.Equal([]byte(token), []byte(want))
}

// newNonce returns 128 random bits as text.
func newNonce() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// query re-encodes values for a link.
func query(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}
