// Package web serves stockctl over HTTP: a live dashboard, an entry form, product pages
// and a JSON API. Pages read the read model through Store; operations go through Ledger,
// the same command handlers as `stockctl sell` and `restock`, so the web applies the same
// validation and the same rule and says the same things. Nothing here knows Kafka:
// cmd/stockctl wires the package to the log and the read model.
package web

import (
	"context"
	"crypto/rand"
	"log"
	"net/http"
	"sync"
	"time"

	"github.com/stockctl/stockctl/asof"
	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/reports"
)

// Store is what the pages and the API read.
type Store interface {
	reports.Store
	StockLevels(ctx context.Context, products ...string) ([]StockLevel, error)
	// The stock at a past moment, on either clock.
	StockAt(ctx context.Context, m asof.Moment, products ...string) ([]LevelAt, error)
	History(ctx context.Context, product string) ([]HistoryEntry, error)
	// Target is the operation whose full event ID is id as a void sees it, nil when none.
	Target(ctx context.Context, id string) (*domain.Target, error)
	CommandOutcome(ctx context.Context, commandID string) (domain.Outcome, error)

	// The product page's history, latest business date first, one page at a time.
	HistoryPage(ctx context.Context, product string, skip, n int) ([]HistoryEntry, int, error)
	// The products and operations lists and the operations download (listrows.go).
	listStore
	// The declared locations (locations_api.go).
	locationStore
	// What needs attention (issue 20): the dashboard's panel, the product page's
	// threshold, forecast and chart.
	reports.AttentionReader
}

// Ledger records operations through the command handlers; commands.Operations is one.
type Ledger interface {
	Record(ctx context.Context, kind domain.EventType, op commands.Operation) (commands.Result, error)
}

// Config is what a Server needs.
type Config struct {
	Store  Store
	Ledger Ledger
	// Repairs records voids, corrections, counts and adjustments; nil answers them 503.
	Repairs Repairer
	// Hub tells event-stream clients about changes; whoever follows the log publishes.
	Hub *Hub
	// Token, when set, is required on every request: as a bearer token, or once as
	// ?token= in a browser, which then keeps it in a cookie.
	Token string
	// LoopbackOnly refuses requests whose Host is not a loopback name: with no token,
	// it keeps a web page on another site from reading the dashboard through DNS
	// rebinding.
	LoopbackOnly bool
	// SecureCookie marks the login cookie Secure even on plain HTTP: the server is
	// behind a TLS proxy, and the browser must send the cookie over HTTPS only.
	SecureCookie bool
	// LowCents is the stock at or below which a product counts as nearly out.
	LowCents int64
	// Operator is who web operations are recorded by when the form leaves it empty.
	Operator string
	// ErrorLog receives errors no client can act on (a failed render, a broken feed).
	ErrorLog *log.Logger
	Now      func() time.Time
}

// Limits.
const (
	maxBody       = 64 << 10 // bytes of a request body
	dashboardRows = 100      // operations listed on the dashboard
)

// Server is the HTTP interface. Its zero value is not usable; see New.
type Server struct {
	cfg    Config
	secret []byte // signs form tokens; new each start, so a form outlives no restart
	locks  productLocks
}

// New returns a Server; it panics on a missing dependency.
func New(cfg Config) *Server {
	if cfg.Store == nil || cfg.Ledger == nil || cfg.Hub == nil {
		panic("web: nil dependency")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ErrorLog == nil {
		cfg.ErrorLog = log.Default()
	}
	if cfg.Operator == "" {
		cfg.Operator = "web"
	}
	s := &Server{cfg: cfg, secret: make([]byte, 32)}
	rand.Read(s.secret)
	return s
}

// Handler returns the routes behind the security checks every request passes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.dashboardPage)
	mux.HandleFunc("GET /fragments/dashboard", s.dashboardFragment)
	mux.HandleFunc("GET /products/{id}", s.productPage)
	mux.HandleFunc("GET /products/{$}", s.productPage) // ?id=, for "." and ".."
	mux.HandleFunc("GET /fragments/products/{id}", s.productFragment)
	mux.HandleFunc("GET /fragments/products/{$}", s.productFragment)
	mux.HandleFunc("GET /products", s.productsPage)
	mux.HandleFunc("GET /operations", s.operationsPage)
	mux.HandleFunc("GET /operations/new", s.newOperationPage)
	mux.HandleFunc("POST /operations", s.submitOperation)
	mux.HandleFunc("GET /operations/{event_id}/void", s.voidPage)
	mux.HandleFunc("POST /operations/{event_id}/void", s.submitVoid)
	mux.HandleFunc("POST /counts", s.submitCount)
	mux.HandleFunc("POST /adjustments", s.submitAdjust)
	mux.HandleFunc("GET /transfers/new", s.newTransferPage)
	mux.HandleFunc("POST /transfers", s.submitTransfer)
	mux.HandleFunc("GET /assets/{name}", s.asset)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })

	mux.Handle("/api/stock", apiMethod("GET", s.apiStock))
	mux.Handle("/api/products/{id}/history", apiMethod("GET", s.apiHistory))
	mux.Handle("/api/products/history", apiMethod("GET", s.apiHistory))
	mux.Handle("/api/operations", apiMethods(map[string]http.HandlerFunc{"GET": s.apiOperations, "POST": s.apiRecord}))
	mux.Handle("/api/events", apiMethod("GET", s.apiEvents))
	mux.Handle("/api/operations/{event_id}/void", apiMethod("POST", s.apiVoid))
	mux.Handle("/api/operations/{event_id}/correct", apiMethod("POST", s.apiCorrect))
	mux.Handle("/api/counts", apiMethod("POST", s.apiCount))
	mux.Handle("/api/adjustments", apiMethod("POST", s.apiAdjust))
	mux.Handle("/api/locations", apiMethod("GET", s.apiLocations))
	mux.Handle("/api/transfers", apiMethod("POST", s.apiTransfer))
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, apiError{Code: "not_found", Message: "no such API route: " + r.URL.Path})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.errorPage(w, r, http.StatusNotFound, "No page at "+r.URL.Path+".")
	})

	var h http.Handler = mux
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.refuse(w, r, http.StatusForbidden, "cross_origin", "cross-site requests that change the ledger are refused")
	}))
	h = cop.Handler(h)
	h = s.authenticate(h)
	h = limitBody(h)
	h = securityHeaders(h)
	h = compress(h)
	return s.recoverPanics(h)
}

// productLocks serialises the operations of one product within this process: requests
// racing on a product would otherwise append, lose the race in the log and retry, which
// is correct but wasteful. Writers in other processes are still decided by the log.
type productLocks struct {
	mu    sync.Mutex
	locks map[string]*productLock
}

type productLock struct {
	sync.Mutex
	users int
}

func (l *productLocks) lock(product string) func() {
	l.mu.Lock()
	if l.locks == nil {
		l.locks = make(map[string]*productLock)
	}
	pl := l.locks[product]
	if pl == nil {
		pl = &productLock{}
		l.locks[product] = pl
	}
	pl.users++
	l.mu.Unlock()
	pl.Lock()
	return func() {
		pl.Unlock()
		l.mu.Lock()
		if pl.users--; pl.users == 0 {
			delete(l.locks, product)
		}
		l.mu.Unlock()
	}
}
