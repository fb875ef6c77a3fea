package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
)

// helpCommand is `stockctl help [COMMAND [SUBCOMMAND]]`, the same as --help. It replaces
// urfave/cli's own, whose unknown topics exit 3 without a suggestion.
func helpCommand() *cli.Command {
	return &cli.Command{
		Name:      "help",
		Usage:     "show the commands, or one command's arguments, flags and example",
		ArgsUsage: "[COMMAND [SUBCOMMAND]]",
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return cli.ShowAppHelp(c.Lineage()[1])
			}
			path := []string{c.App.Name}
			commands := c.App.Commands
			var cmd *cli.Command
			for _, name := range c.Args().Slice() {
				if cmd = findCommand(commands, name); cmd == nil {
					return unknownCommand(strings.Join(path, " "), name, commands)
				}
				path = append(path, cmd.Name)
				commands = cmd.Subcommands
			}
			if cmd.HelpName == "" {
				cmd.HelpName = strings.Join(path, " ")
			}
			template := cli.CommandHelpTemplate
			if len(cmd.Subcommands) > 0 {
				template = cli.SubcommandHelpTemplate
			}
			cli.HelpPrinter(c.App.Writer, template, cmd)
			return nil
		},
	}
}

func findCommand(commands []*cli.Command, name string) *cli.Command {
	for _, cmd := range commands {
		if cmd.HasName(name) {
			return cmd
		}
	}
	return nil
}

// unknownCommand is the usage error for a command name that does not exist, with the
// closest names when there are any.
func unknownCommand(parent, name string, commands []*cli.Command) error {
	var names []string
	for _, cmd := range commands {
		if !cmd.Hidden {
			names = append(names, cmd.Names()...)
		}
	}
	if close := suggest(name, names); len(close) > 0 {
		return usagef("unknown command %q; did you mean %s?", name, strings.Join(close, " or "))
	}
	return usagef("unknown command %q; see %s --help", name, parent)
}

// flagSuggestion completes the parser's "flag provided but not defined" with the flag
// that was probably meant, or says that a global flag belongs before the command.
func flagSuggestion(c *cli.Context, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: ")
	if !ok {
		return ""
	}
	name = strings.TrimLeft(name, "-")
	var names []string
	for _, f := range c.Command.Flags {
		names = append(names, f.Names()...)
	}
	if close := suggest(name, names); len(close) > 0 {
		for i, n := range close {
			close[i] = dashes(n)
		}
		return "did you mean " + strings.Join(close, " or ") + "?"
	}
	if !c.Command.HasName(c.App.Name) && lookup(c.App.Flags, name) != nil {
		return fmt.Sprintf("%s is a global flag: give it before the command, e.g. stockctl %s VALUE %s", dashes(name), dashes(name), c.Command.Name)
	}
	return ""
}

func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// suggest returns the names closest to a mistyped word: those it begins (from three
// letters on), or those within one edit (two for words over four letters) of it.
func suggest(word string, names []string) []string {
	word = strings.ToLower(word)
	limit := 1
	if len(word) > 4 {
		limit = 2
	}
	best := limit + 1
	var out []string
	for _, n := range names {
		d := editDistance(word, n)
		if len(word) >= 3 && strings.HasPrefix(n, word) {
			d = min(d, 1)
		}
		switch {
		case d < best:
			best, out = d, []string{n}
		case d == best && d <= limit:
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// editDistance counts the insertions, deletions, substitutions and transpositions of
// adjacent letters that turn a into b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
