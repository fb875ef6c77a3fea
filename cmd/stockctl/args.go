package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// interspersed rewrites args so that a subcommand's flags may follow its arguments, as
// in `stockctl sell P1 3 --date 2024-05-02`: urfave/cli stops reading flags at the first
// argument. The subcommand's flags are moved before its arguments and a "--" is put
// between them, so that an argument such as "-1" reaches the command as an argument
// (and is refused as a negative quantity) instead of being taken for a flag.
func interspersed(app *cli.App, args []string) ([]string, error) {
	if len(args) < 2 {
		return args, nil
	}
	out := []string{args[0]}
	i := 1
	// Global flags, up to the subcommand's name.
	for i < len(args) {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") || a == "-" {
			break
		}
		out = append(out, a)
		i++
		if takesValue(app.Flags, a) && i < len(args) {
			out = append(out, args[i])
			i++
		}
	}
	if i >= len(args) || args[i] == "--" {
		return append(out, args[i:]...), nil
	}
	cmd := app.Command(args[i])
	out = append(out, args[i])
	i++
	// A command of subcommands (stockctl location add …): down to the one named.
	for cmd != nil && len(cmd.Subcommands) > 0 && i < len(args) && !strings.HasPrefix(args[i], "-") {
		cmd = cmd.Command(args[i])
		out = append(out, args[i])
		i++
	}
	if cmd == nil || len(cmd.Subcommands) > 0 {
		return append(out, args[i:]...), nil
	}
	var flags, positional []string
	for i < len(args) {
		a := args[i]
		i++
		if a == "--" {
			positional = append(positional, args[i:]...)
			break
		}
		if isHelp(a) {
			return append(out, a), nil
		}
		if !looksLikeFlag(a) {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		if takesValue(cmd.Flags, a) {
			if i == len(args) {
				return nil, usagef("flag needs an argument: %s; see stockctl %s --help", a, cmd.Name)
			}
			flags = append(flags, args[i])
			i++
		}
	}
	out = append(out, flags...)
	if len(positional) > 0 {
		out = append(out, "--")
		out = append(out, positional...)
	}
	return out, nil
}

func flagName(a string) (name string, hasValue bool) {
	name = strings.TrimLeft(a, "-")
	name, _, hasValue = strings.Cut(name, "=")
	return name, hasValue
}

func isHelp(a string) bool { return a == "-h" || a == "--help" }

// looksLikeFlag reports whether a is written as a flag ("-x", "--name", "--name=value")
// rather than an argument such as a negative number ("-1", "-.5"); unknown flags are left
// for the parser to refuse by name.
func looksLikeFlag(a string) bool {
	if strings.HasPrefix(a, "--") {
		return len(a) > 2
	}
	if len(a) < 2 || a[0] != '-' {
		return false
	}
	c := a[1]
	return c != '.' && (c < '0' || c > '9')
}

func lookup(flags []cli.Flag, a string) cli.Flag {
	name, _ := flagName(a)
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

// takesValue reports whether a names a flag that reads the next word as its value.
func takesValue(flags []cli.Flag, a string) bool {
	if _, hasValue := flagName(a); hasValue {
		return false
	}
	f := lookup(flags, a)
	if f == nil {
		return false
	}
	if _, ok := f.(*cli.BoolFlag); ok {
		return false
	}
	return true
}
