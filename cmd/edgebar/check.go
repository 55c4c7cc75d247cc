package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/edgebar/edgebar/edge/config"
)

// cmdCheck validates a config file and prints each problem as
// "FILE: field.path: message".
func cmdCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, "usage: edgebar check [FILE]") }
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return 2
	}
	path := fs.Arg(0)
	if path == "" {
		found, err := config.Find(".")
		if err != nil {
			fmt.Fprintln(stderr, "edgebar:", err)
			return 1
		}
		if found == "" {
			fmt.Fprintln(stdout, "no config file: the built-in default is used; ok")
			return 0
		}
		path = found
	}
	if _, err := config.Load(path); err != nil {
		for _, e := range problems(err) {
			fmt.Fprintf(stderr, "%s: %v\n", path, e)
		}
		return 1
	}
	fmt.Fprintf(stdout, "%s: ok\n", path)
	return 0
}

// problems splits a joined error into its parts.
func problems(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, problems(e)...)
		}
		return out
	}
	if err == nil {
		return nil
	}
	var fe *config.FieldError
	if errors.As(err, &fe) {
		return []error{fe}
	}
	return []error{err}
}
