// Command edgebar is the edgebar node: a WAMP router (and, later, the node
// controller, hardware bridge and OTA agent) in one static binary.
//
//	edgebar start [--config FILE] [--cbdir DIR] [--log-level LEVEL]
//	edgebar check [FILE]
//	edgebar version
//	edgebar help
//
// This package is the composition root: flags and wiring, nothing else.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is set at link time: -ldflags "-X main.version=v1.2.3". Empty: the
// module version from the build info, else "devel".
var version string

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches a subcommand and returns the exit code: 0 success, 1
// failure, 2 usage error. ctx ends the start command (SIGINT, SIGTERM).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "start":
		return cmdStart(ctx, args[1:], stdout, stderr)
	case "check":
		return cmdCheck(args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "edgebar", versionString())
		return 0
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "edgebar: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `edgebar is a WAMP router for small devices.

Usage:
  edgebar start [--config FILE] [--cbdir DIR] [--log-level LEVEL]
        run the node from FILE, DIR/config.{yaml,yml,json}, ./.edgebar/config.*
        or ./.crossbar/config.*, else the built-in default
        (ws://127.0.0.1:8080/ws and rawsocket 127.0.0.1:8081, realm realm1)
  edgebar check [FILE]
        validate a config file (default: the one start would use) and print
        every problem with its field path
  edgebar version
        print the version
  edgebar help
        print this help
`)
}

func versionString() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return "devel-" + rev
}
