package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/notify"
	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/readmodel"
	"github.com/stockctl/stockctl/web"
)

// shutdownGrace is how long requests in flight may take to finish after a signal.
const shutdownGrace = 10 * time.Second

// minTokenLength keeps a guessable token from guarding a server other hosts can reach.
const minTokenLength = 16

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "serve a live dashboard, an entry form and a JSON API over HTTP",
		Description: "Follows the log like project --follow and serves, at --listen:\n" +
			"  /                     the dashboard: the report's views, filtered by date, product and\n" +
			"                        location (?location=north), updated within a second of any new event, whoever wrote it\n" +
			"  /products             every product: search, sort by stock, movement or last date, pages\n" +
			"  /operations           the ledger: filter by date, product and type, sort, pages, download\n" +
			"  /operations/new       the entry form (also on each /products/ID page)\n" +
			"  /api/stock, /api/products/ID/history, POST /api/operations, /api/events (SSE),\n" +
			"  POST /api/operations/EVENT_ID/void and /correct, POST /api/counts, POST /api/adjustments\n" +
			"  GET /api/operations?format=csv|json|jsonl&from&to&product&type&sort (a download)\n" +
			"Operations go through the same rules as stockctl sell and restock, repairs (a Void\n" +
			"button on each operation of a product page, its Count and Adjust forms) as void,\n" +
			"correct, count and adjust. It listens on\n" +
			"loopback unless told otherwise; any other address needs --token, which every request\n" +
			"must then carry (Authorization: Bearer TOKEN, or ?token=TOKEN once in a browser).\n" +
			"Ctrl-C or SIGTERM stops it, with every committed batch intact.\n" +
			notifyHelp + "\n" +
			"Example: stockctl serve --listen 127.0.0.1:8501 --notify-url https://hooks.example.com/stock",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "listen", Usage: "address to listen on, HOST:PORT", Value: "127.0.0.1:8501"},
			&cli.StringFlag{Name: "token", Usage: fmt.Sprintf("access token (at least %d characters), required when --listen is not loopback", minTokenLength), EnvVars: []string{"STOCKCTL_TOKEN"}},
			&cli.BoolFlag{Name: "secure-cookie", Usage: "mark the login cookie Secure, so browsers send it over HTTPS only: give it when a TLS proxy serves this server (set by itself only for a TLS connection, which serve does not take)"},
			&cli.StringFlag{Name: "low", Usage: "stock at or below which a product counts as nearly out", Value: "5"},
			&cli.StringFlag{Name: "operator", Usage: "who web operations are recorded by when the form leaves it empty", Value: "web"},
			&cli.DurationFlag{Name: "poll", Usage: "how often to look for new events", Value: 100 * time.Millisecond},
			quietFlag(),
		}, notifyFlags()...),
		OnUsageError: usageError,
		Action:       serve,
	}
}

// serve checks its flags, builds the server on the ledger, and runs it until a signal.
func serve(c *cli.Context) error {
	flags, err := serveFlagsOf(c)
	if err != nil {
		return err
	}
	s := &server{flags: flags}
	defer s.close()
	if err := s.build(c); err != nil {
		return err
	}
	return s.run(c)
}

// serveFlags are serve's flags, checked.
type serveFlags struct {
	listen, token, operator string
	loopback, secureCookie  bool
	low                     domain.Quantity
	poll                    time.Duration
	notify                  notifyConfig
}

func serveFlagsOf(c *cli.Context) (serveFlags, error) {
	var f serveFlags
	if c.NArg() > 0 {
		return f, usagef("serve takes no arguments")
	}
	f.listen, f.token = c.String("listen"), c.String("token")
	host, _, err := net.SplitHostPort(f.listen)
	if err != nil {
		return f, usagef("--listen %q: give HOST:PORT, e.g. 127.0.0.1:8501", f.listen)
	}
	f.loopback = web.IsLoopback(host)
	switch {
	case !f.loopback && f.token == "":
		return f, usagef("--listen %s can be reached from other machines: give --token (or STOCKCTL_TOKEN) too", f.listen)
	case f.token != "" && len(f.token) < minTokenLength:
		return f, usagef("--token is %d characters: give at least %d", len(f.token), minTokenLength)
	}
	if err := commands.CheckText(f.token, 200); err != nil {
		return f, usagef("--token %s", commands.TextMessage(err))
	}
	f.poll = c.Duration("poll")
	if f.poll < time.Millisecond || f.poll > time.Minute {
		return f, usagef("--poll %s: give 1ms to 1m", f.poll)
	}
	f.low, err = domain.ParseQuantity(c.String("low"))
	if err != nil && c.String("low") != "0" {
		return f, fmt.Errorf("serve: --low: %w", err)
	}
	f.operator = c.String("operator")
	if err := commands.CheckText(f.operator, commands.MaxOperatorLength); err != nil || strings.TrimSpace(f.operator) == "" {
		return f, usagef("--operator must be 1 to %d printable characters", commands.MaxOperatorLength)
	}
	f.secureCookie = c.Bool("secure-cookie")
	f.notify, err = notifyConfigOf(c)
	return f, err
}

// server is what serve runs: the ledger, the listener, the follower and the HTTP server
// over them. close releases what build opened, in the reverse order.
type server struct {
	flags    serveFlags
	e        *env
	ln       net.Listener
	reader   *readmodel.DB
	errorLog *log.Logger
	hub      *web.Hub
	f        *follower
	notifier *notify.Sender // nil without --notify-url
	http     *http.Server
	// Requests get a context of their own, cancelled only if they outlast the shutdown's
	// grace period; inflight counts them, so nothing is closed under one.
	cancelRequests context.CancelFunc
	inflight       sync.WaitGroup
}

// build opens the ledger, listens, catches up, and wires the web to the read model and
// to the command handlers.
func (s *server) build(c *cli.Context) error {
	e, err := openEnvServing(c, true)
	if err != nil {
		return err
	}
	s.e = e
	ln, err := net.Listen("tcp", s.flags.listen)
	if err != nil {
		return fmt.Errorf("serve: %w; choose another address with --listen", err)
	}
	s.ln = ln
	ctx := c.Context
	if err := s.e.CatchUp(ctx); err != nil {
		return err
	}
	s.e.quiet = true

	// Pages read through a pool of their own, beside the writer the projection uses.
	reader, err := readmodel.OpenReader(ctx, s.e.db.Path(), 4)
	if err != nil {
		return err
	}
	s.reader = reader
	s.errorLog = log.New(c.App.ErrWriter, "stockctl serve: ", log.LstdFlags)
	s.hub = web.NewHub()
	s.f = &follower{e: s.e, reader: s.reader, hub: s.hub, poll: s.flags.poll, log: s.errorLog, changed: s.wakeNotifier}
	if err := s.startNotifier(c); err != nil {
		return err
	}
	requestCtx, cancelRequests := context.WithCancel(context.WithoutCancel(ctx))
	s.cancelRequests = cancelRequests
	// Repairs read their target from the projection's own file, as sales read the stock.
	repairs := commands.NewRepairHandler(s.f, s.f, s.e.db, s.e.db, uuid.NewString)
	handler := web.New(web.Config{Store: webStore{s.reader}, Ledger: commands.NewOperations(s.f, s.f, s.e.db, uuid.NewString), Repairs: repairs, Hub: s.hub,
		Token: s.flags.token, LoopbackOnly: s.flags.loopback && s.flags.token == "", SecureCookie: s.flags.secureCookie,
		LowCents: s.flags.low.Cents(), Operator: s.flags.operator, ErrorLog: s.errorLog}).Handler()
	s.http = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.inflight.Add(1)
			defer s.inflight.Done()
			handler.ServeHTTP(w, r)
		}),
		BaseContext:       func(net.Listener) context.Context { return requestCtx },
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second, // the event stream sets its own per write
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          s.errorLog,
	}
	return nil
}

// run serves and follows until a signal or a failure, then shuts down in order.
func (s *server) run(c *cli.Context) error {
	ctx := c.Context
	if err := s.f.start(ctx); err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- s.http.Serve(s.ln) }()
	fmt.Fprintf(c.App.Writer, "stockctl serve: listening on http://%s/ (Ctrl-C to stop)\n", s.ln.Addr())

	followed := make(chan error, 1)
	// The follower outlives the signal: requests in flight may still catch up through it.
	followCtx, stopFollowing := context.WithCancel(context.WithoutCancel(ctx))
	defer stopFollowing()
	go func() { followed <- s.f.run(followCtx) }()
	// The notifier stops with the follower; an alert it was sending is sent on the next start.
	notifyCtx, stopNotifying := context.WithCancel(context.WithoutCancel(ctx))
	defer stopNotifying()
	notifierDone := s.runNotifier(notifyCtx)

	var failed error
	followerDone := false
	select {
	case <-ctx.Done():
	case err := <-served:
		failed = fmt.Errorf("serve: %w", err)
	case err := <-followed:
		failed, followerDone = err, true
	}
	// Stop taking requests, end the event streams, let requests in flight finish, then
	// stop following: every batch is committed whole or not at all.
	s.hub.Close()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := s.http.Shutdown(shutdownCtx); err != nil {
		// Requests still running after the grace period (a sale waiting for an
		// unreachable Kafka) are cancelled; what they committed stays committed.
		s.cancelRequests()
		s.http.Close()
	}
	s.inflight.Wait()
	stopFollowing()
	stopNotifying()
	notifierDone()
	if !followerDone {
		if err := <-followed; err != nil && failed == nil {
			failed = err
		}
	}
	if failed == nil && !c.Bool("quiet") {
		fmt.Fprintln(c.App.Writer, "stockctl serve: stopped; the read model is intact")
	}
	return failed
}

// close releases what build opened.
func (s *server) close() {
	if s.cancelRequests != nil {
		s.cancelRequests()
	}
	if s.reader != nil {
		s.reader.Close()
	}
	if s.ln != nil {
		s.ln.Close()
	}
	if s.e != nil {
		s.e.Close()
	}
}

// follower keeps the read model up with the log, through a projections.Runner, and tells
// the hub what changed. It is also the projection the server's command handlers catch up
// through: the runner serialises catch-ups, so one runs at a time in this process.
type follower struct {
	e      *env
	reader *readmodel.DB
	hub    *web.Hub
	poll   time.Duration
	log    *log.Logger
	logMu  sync.RWMutex
	mark   readmodel.Mark
	runner *projections.Runner
	// changed is told, without waiting, that the read model may hold new rows.
	changed func()
}

// Append implements commands.EventLog on the follower's current connection to the log,
// which a reconnect replaces.
func (f *follower) Append(ctx context.Context, events ...domain.Event) ([]domain.Position, error) {
	// Held for the whole append (bounded by --timeout): a reconnect must not close the
	// connection under a Publish in flight.
	f.logMu.RLock()
	defer f.logMu.RUnlock()
	return f.e.log.Append(ctx, events...)
}

// CatchUp implements commands.Projection.
func (f *follower) CatchUp(ctx context.Context) error {
	return f.runner.CatchUp(ctx)
}

// start takes the model's current state as the point changes are told from, and makes
// the runner that catches up every poll, waiting out outages and telling the hub of them.
func (f *follower) start(ctx context.Context) error {
	f.runner = f.e.newRunner(f.e.ledger, "catching up", f.status)
	f.runner.Poll, f.runner.EveryPoll = f.poll, true
	f.runner.Reconnect = func(ctx context.Context, down time.Duration) func() { return f.e.reconnect(ctx, down, &f.logMu) }
	report := f.runner.Report
	f.runner.Report = func(r projections.Report) {
		report(r)
		if r.Kind == projections.Finished && r.Stats.Read > 0 {
			f.changed() // a request's catch-up: tell now, not at the next poll
		}
	}
	_, mark, _, err := f.reader.ChangesSince(ctx, readmodel.Mark{}, 0)
	f.mark = mark
	f.hub.Publish(mark.Version(), nil, false)
	return err
}

// status logs an outage's beginning and end and shows it on the dashboard.
func (f *follower) status(r projections.Report) {
	msg := outageMessage(r)
	if msg == "" {
		return
	}
	f.log.Print(msg)
	switch {
	case r.Kind == projections.Resumed:
		f.hub.SetStatus("live")
	case r.Busy:
		f.hub.SetStatus("read model locked by another program")
	default:
		f.hub.SetStatus("broker unavailable")
	}
}

// run follows until ctx ends, in two loops. One catches the model up with the log; the
// other reads what changed from the read model itself and tells the hub, so that an
// operation another process projected into the same file is seen as well as one this
// process applied, and is seen even while a catch-up here waits for that process's
// write lock.
func (f *follower) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	published := make(chan error, 1)
	go func() {
		published <- f.publish(ctx)
		cancel()
	}()
	err := f.runner.Follow(ctx)
	cancel()
	if perr := <-published; err == nil {
		err = perr
	}
	return err
}

// publish tells the hub of every change to the read model, checking every poll.
func (f *follower) publish(ctx context.Context) error {
	t := time.NewTicker(f.poll)
	defer t.Stop()
	for {
		changes, next, more, err := f.reader.ChangesSince(ctx, f.mark, 100)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			return err
		case next.Version() != f.mark.Version():
			f.hub.Publish(next.Version(), webOperations(changes), more)
			f.mark = next
			f.changed()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
