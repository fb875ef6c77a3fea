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
