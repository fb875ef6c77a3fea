package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/eventlog"
)

func logCommand() *cli.Command {
	return &cli.Command{
		Name:  "log",
		Usage: "work with the event log itself",
		Subcommands: []*cli.Command{
			logCopyCommand(),
		},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return unknownCommand("stockctl log", c.Args().First(), c.Command.Subcommands)
			}
			return cli.ShowSubcommandHelp(c)
		},
	}
}

func logCopyCommand() *cli.Command {
	return &cli.Command{
		Name:  "copy",
		Usage: "copy the log (by default the embedded one) to a Kafka cluster",
		Description: "Copies every record of the topic to the same topic name (or --to-topic) on the\n" +
			"cluster named by --to-brokers, partition by partition and in order, so every product\n" +
			"keeps its partition and the order of its events; the target topic is created with\n" +
			"the source's partition count if it does not exist. Running it again after a partial\n" +
			"copy sends only what is missing: nothing is duplicated or lost. Afterwards, point\n" +
			"stockctl at the cluster with --brokers and run `stockctl replay`.\n" +
			"Example: stockctl log copy --to-brokers kafka1:9092,kafka2:9092 --to-replication-factor 3",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "to-brokers", Usage: "bootstrap servers of the target cluster, HOST:PORT[,HOST:PORT...]", Required: true},
			&cli.StringFlag{Name: "to-topic", Usage: "target topic (default: the source topic's name)"},
			&cli.IntFlag{Name: "to-replication-factor", Usage: "replicas per partition if the target topic is created", Value: 1},
			&cli.BoolFlag{Name: "to-tls", Usage: "connect to the target over TLS", EnvVars: []string{"STOCKCTL_TO_TLS"}},
			&cli.StringFlag{Name: "to-tls-ca", Usage: "PEM file of the target's CA (implies --to-tls)", EnvVars: []string{"STOCKCTL_TO_TLS_CA"}},
			&cli.StringFlag{Name: "to-sasl-mechanism", Usage: "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 for the target", EnvVars: []string{"STOCKCTL_TO_SASL_MECHANISM"}},
			&cli.StringFlag{Name: "to-sasl-user", Usage: "SASL user for the target", EnvVars: []string{"STOCKCTL_TO_SASL_USER"}},
			&cli.StringFlag{Name: "to-sasl-password", Usage: "SASL password for the target (prefer the environment variable)", EnvVars: []string{"STOCKCTL_TO_SASL_PASSWORD"}},
			quietFlag(),
		},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("log copy takes no arguments")
			}
			targets := splitBrokers(c.String("to-brokers"))
			if len(targets) == 0 {
				return usagef("--to-brokers is empty: give HOST:PORT of the target cluster")
			}
			if c.IsSet("to-topic") {
				if err := checkTopic("--to-topic", c.String("to-topic")); err != nil {
					return err
				}
			}
			rf := c.Int("to-replication-factor")
			if rf < 1 || rf > 7 {
				return usagef("--to-replication-factor %d: give 1 to 7", rf)
			}
			src, err := openLog(c, false)
			if err != nil {
				return err
			}
			defer src.Close()
			topic := c.String("to-topic")
			if topic == "" {
				topic = src.log.Topic()
			}
			dst, err := eventlog.Connect(c.Context, eventlog.Config{
				Brokers:           targets,
				Topic:             topic,
				Partitions:        src.log.Partitions(),
				ReplicationFactor: int16(rf),
				Security: eventlog.Security{
					TLS:           c.Bool("to-tls"),
					CAFile:        c.String("to-tls-ca"),
					SASLMechanism: strings.ToUpper(c.String("to-sasl-mechanism")),
					User:          c.String("to-sasl-user"),
					Password:      c.String("to-sasl-password"),
				},
			})
			if err != nil {
				return fmt.Errorf("log copy: target: %w", err)
			}
			defer dst.Close()
			for _, w := range dst.Warnings() {
				fmt.Fprintln(c.App.ErrWriter, "warning: target: "+w)
			}
			end, err := src.log.HighWatermarks(c.Context)
			if err != nil {
				return err
			}
			var total int64
			for _, n := range end {
				total += n
			}
			bar := newProgress(c.App.ErrWriter, c.Bool("quiet"), total, "copying")
			var shown int64
			stats, err := src.log.CopyTo(c.Context, dst, func(done int64) {
				bar.add(int(done - shown))
				shown = done
			})
			bar.done()
			if err != nil {
				return fmt.Errorf("log copy: %w", err)
			}
			if !c.Bool("quiet") {
				fmt.Fprintf(c.App.Writer, "copied %d records to topic %s on %s (%d were there already); the target holds all %d records of %s\n",
					stats.Copied, topic, strings.Join(targets, ","), stats.Present, total, src.log.Topic())
			}
			return nil
		},
	}
}
