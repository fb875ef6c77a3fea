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
			"  /                     the dashboard: the report's views, filtered by date and product,\n" +
			"                        updated within a second of any new event, whoever wrote it\n" +
			"  /operations/new       the entry form (also on each /products/ID page)\n" +
			"  /api/stock, /api/products/ID/history, POST /api/operations, /api/events (SSE)\n" +
			"Operations go through the same rules as stockctl sell and restock. It listens on\n" +
			"loopback unless told otherwise; any other address needs --token, which every request\n" +
			"must then carry (Authorization: Bearer TOKEN, or ?token=TOKEN once in a browser).\n" +
			"Ctrl-C or SIGTERM stops it, with every committed batch intact.\n" +
			"Example: stockctl serve --listen 127.0.0.1:8501",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "listen", Usage: "address to listen on, HOST:PORT", Value: "127.0.0.1:8501"},
			&cli.StringFlag{Name: "token", Usage: fmt.Sprintf("access token (at least %d characters), required when --listen is not loopback", minTokenLength), EnvVars: []string{"STOCKCTL_TOKEN"}},
			&cli.BoolFlag{Name: "secure-cookie", Usage: "mark the login cookie Secure, so browsers send it over HTTPS only: give it when a TLS proxy serves this server (set by itself only for a TLS connection, which serve does not take)"},
			&cli.StringFlag{Name: "low", Usage: "stock at or below which a product counts as nearly out", Value: "5"},
			&cli.StringFlag{Name: "operator", Usage: "who web operations are recorded by when the form leaves it empty", Value: "web"},
			&cli.DurationFlag{Name: "poll", Usage: "how often to look for new events", Value: 100 * time.Millisecond},
			quietFlag(),
		},
		OnUsageError: usageError,
		Action:       serve,
	}
}

func serve(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("serve takes no arguments")
	}
	listen, token := c.String("listen"), c.String("token")
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return usagef("--listen %q: give HOST:PORT, e.g. 127.0.0.1:8501", listen)
	}
	loopback := web.IsLoopback(host)
	switch {
	case !loopback && token == "":
		return usagef("--listen %s can be reached from other machines: give --token (or STOCKCTL_TOKEN) too", listen)
	case token != "" && len(token) < minTokenLength:
		return usagef("--token is %d characters: give at least %d", len(token), minTokenLength)
	}
	if err := commands.CheckText(token, 200); err != nil {
		return usagef("--token %s", commands.TextMessage(err))
	}
	poll := c.Duration("poll")
	if poll < time.Millisecond || poll > time.Minute {
		return usagef("--poll %s: give 1ms to 1m", poll)
	}
	low, err := domain.ParseQuantity(c.String("low"))
	if err != nil && c.String("low") != "0" {
		return fmt.Errorf("serve: --low: %w", err)
	}
	if err := commands.CheckText(c.String("operator"), commands.MaxOperatorLength); err != nil || strings.TrimSpace(c.String("operator")) == "" {
		return usagef("--operator must be 1 to %d printable characters", commands.MaxOperatorLength)
	}

	e, err := openEnvServing(c, true)
	if err != nil {
		return err
	}
	defer e.Close()
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("serve: %w; choose another address with --listen", err)
	}
	defer ln.Close()
	ctx := c.Context
	if err := e.CatchUp(ctx); err != nil {
		return err
	}
	e.quiet = true

	// Pages read through a pool of their own, beside the writer the projection uses.
	reader, err := readmodel.OpenReader(ctx, e.db.Path(), 4)
	if err != nil {
		return err
	}
	defer reader.Close()
	errorLog := log.New(c.App.ErrWriter, "stockctl serve: ", log.LstdFlags)
	hub := web.NewHub()
	f := &follower{e: e, reader: reader, hub: hub, poll: poll, log: errorLog}
	handlers := webLedger{
		sell:    commands.NewSellHandler(f, f, e.db, uuid.NewString),
		restock: commands.NewRestockHandler(f, f, e.db, uuid.NewString),
	}
	// Requests get a context of their own, cancelled only if they outlast the shutdown's
	// grace period; inflight counts them, so nothing is closed under one.
	requestCtx, cancelRequests := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRequests()
	var inflight sync.WaitGroup
	handler := web.New(web.Config{Store: webStore{reader}, Ledger: handlers, Hub: hub, Token: token, LoopbackOnly: loopback && token == "",
		SecureCookie: c.Bool("secure-cookie"), LowCents: low.Cents(), Operator: c.String("operator"), ErrorLog: errorLog}).Handler()
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			inflight.Add(1)
			defer inflight.Done()
			handler.ServeHTTP(w, r)
		}),
		BaseContext:       func(net.Listener) context.Context { return requestCtx },
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second, // the event stream sets its own per write
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          errorLog,
	}
	if err := f.start(ctx); err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(c.App.Writer, "stockctl serve: listening on http://%s/ (Ctrl-C to stop)\n", ln.Addr())

	followed := make(chan error, 1)
	// The follower outlives the signal: requests in flight may still catch up through it.
	followCtx, stopFollowing := context.WithCancel(context.WithoutCancel(ctx))
	defer stopFollowing()
	go func() { followed <- f.run(followCtx) }()

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
	hub.Close()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		// Requests still running after the grace period (a sale waiting for an
		// unreachable Kafka) are cancelled; what they committed stays committed.
		cancelRequests()
		srv.Close()
	}
	inflight.Wait()
	stopFollowing()
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
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// webLedger is the web's view of the command handlers.
type webLedger struct {
	sell    commands.SellHandler
	restock commands.RestockHandler
}

func (l webLedger) Sell(ctx context.Context, op commands.Operation) (commands.Result, error) {
	return l.sell.Handle(ctx, commands.Sell(op))
}

func (l webLedger) Restock(ctx context.Context, op commands.Operation) (commands.Result, error) {
	return l.restock.Handle(ctx, commands.Restock(op))
}
