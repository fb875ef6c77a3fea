package main

import (
	"fmt"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/eventlog"
)

func brokerCommand() *cli.Command {
	return &cli.Command{
		Name:  "broker",
		Usage: "serve the data directory's embedded log to other processes until interrupted",
		Description: "Runs the embedded Kafka-protocol broker on a TCP address and writes that address\n" +
			"to DATA_DIR/broker.addr, so other stockctl commands on the same data directory\n" +
			"connect to it instead of waiting for the log's lock. Any Kafka client can use it too:\n" +
			"  kcat -C -b 127.0.0.1:9092 -t stock.events -e\n" +
			"Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "listen", Usage: "address to serve on, HOST:PORT", Value: "127.0.0.1:9092"},
		},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("broker takes no arguments")
			}
			if c.String("brokers") != "" {
				return usagef("broker serves the embedded log; it cannot be combined with --brokers")
			}
			fresh, err := checkDataDir(c)
			if err != nil {
				return err
			}
			dataDir := c.String("data-dir")
			b, err := eventlog.StartEmbedded(dataDir, c.String("listen"), true)
			if err != nil {
				return fmt.Errorf("broker: %w", err)
			}
			defer b.Close()
			// Create the topic now, so that clients other than stockctl can read it at once.
			cfg, err := logConfig(c)
			if err != nil {
				return err
			}
			cfg.Brokers = []string{b.Addr()}
			log, err := eventlog.Connect(c.Context, cfg)
			if err != nil {
				return fmt.Errorf("broker: %w", err)
			}
			log.Close()
			noteNewLedger(c, fresh)
			fmt.Fprintf(c.App.ErrWriter, "stockctl broker: serving %s on %s (topic %s); Ctrl-C to stop\n",
				filepath.Join(dataDir, "log"), b.Addr(), c.String("topic"))
			<-c.Context.Done()
			fmt.Fprintln(c.App.ErrWriter, "stockctl broker: stopping")
			return nil
		},
	}
}
