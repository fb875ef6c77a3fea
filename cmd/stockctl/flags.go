package main

import (
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/eventlog"
)

func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{
			Name:    "data-dir",
			Usage:   "directory holding the read model and the embedded broker's log",
			EnvVars: []string{"STOCKCTL_DATA_DIR"},
			Value:   defaultDataDir(),
		},
		&cli.StringFlag{
			Name:  "db",
			Usage: "read model file (default DATA_DIR/operations.db)",
		},
		&cli.StringFlag{
			Name:    "brokers",
			Usage:   "comma-separated Kafka bootstrap servers HOST:PORT; empty runs the embedded broker",
			EnvVars: []string{"STOCKCTL_BROKERS"},
		},
		&cli.StringFlag{
			Name:    "topic",
			Usage:   "Kafka topic of stock events",
			EnvVars: []string{"STOCKCTL_TOPIC"},
			Value:   eventlog.DefaultTopic,
		},
		&cli.DurationFlag{
			Name:    "timeout",
			Usage:   "how long to wait for Kafka to answer a request (connect, append, read) before giving up",
			EnvVars: []string{"STOCKCTL_TIMEOUT"},
			Value:   eventlog.DefaultTimeout,
		},
		&cli.StringFlag{
			Name:   "cpuprofile",
			Usage:  "write a CPU profile of the command to this file, for go tool pprof",
			Hidden: true,
		},
		&cli.IntFlag{
			Name:  "partitions",
			Usage: "partitions of the topic when stockctl creates it",
			Value: 3,
		},
		&cli.IntFlag{
			Name:  "replication-factor",
			Usage: "replicas of each partition when stockctl creates the topic (3 in production; min.insync.replicas is then 2)",
			Value: 1,
		},
		&cli.BoolFlag{
			Name:    "tls",
			Usage:   "connect to Kafka over TLS, checking the brokers' certificates against the system's roots",
			EnvVars: []string{"STOCKCTL_TLS"},
		},
		&cli.StringFlag{
			Name:    "tls-ca",
			Usage:   "PEM file of the CA that signs the brokers' certificates (implies --tls)",
			EnvVars: []string{"STOCKCTL_TLS_CA"},
		},
		&cli.StringFlag{
			Name:    "sasl-mechanism",
			Usage:   "SASL authentication: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
			EnvVars: []string{"STOCKCTL_SASL_MECHANISM"},
		},
		&cli.StringFlag{
			Name:    "sasl-user",
			Usage:   "SASL user name",
			EnvVars: []string{"STOCKCTL_SASL_USER"},
		},
		&cli.StringFlag{
			Name:    "sasl-password",
			Usage:   "SASL password; prefer the environment variable, which other users cannot see in the process list",
			EnvVars: []string{"STOCKCTL_SASL_PASSWORD"},
		},
	}
}

// defaultDataDir follows the XDG base directory rules: $XDG_DATA_HOME/stockctl, or
// ~/.local/share/stockctl.
func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "stockctl")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "stockctl")
	}
	return "stockctl-data"
}
