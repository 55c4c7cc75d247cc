package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/edgebar/edgebar/edge/config"
	"github.com/edgebar/edgebar/router"
	"github.com/edgebar/edgebar/router/codec"
	"github.com/edgebar/edgebar/router/transport/rawsocket"
	"github.com/edgebar/edgebar/router/transport/websocket"
)

// shutdownTimeout bounds the GOODBYEs and connection closes on exit.
const shutdownTimeout = 5 * time.Second

// cmdStart runs the node until ctx ends, then shuts it down.
func cmdStart(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("start", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "config `file` (.yaml, .yml or .json); relative to --cbdir when that is given")
	cbdir := fs.String("cbdir", "", "node `directory` holding config.yaml|yml|json (Crossbar's --cbdir)")
	level := fs.String("log-level", "info", "log `level`: debug, info, warn or error")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile to `file` until the node stops (for make bench)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *cpuprofile != "" {
		stop, err := startCPUProfile(*cpuprofile)
		if err != nil {
			fmt.Fprintf(stderr, "edgebar: --cpuprofile: %v\n", err)
			return 1
		}
		defer stop()
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "edgebar: start takes no arguments, got %q\n", fs.Args())
		return 2
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(stderr, "edgebar: bad --log-level %q\n", *level)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lv}))

	cfg, from, err := loadConfig(*cfgPath, *cbdir)
	if err != nil {
		for _, e := range problems(err) {
			fmt.Fprintf(stderr, "edgebar: %s: %v\n", from, e)
		}
		return 1
	}
	log.Info("config loaded", "from", from)
	n, err := startNode(cfg, log)
	if err != nil {
		log.Error("start failed", "err", err)
		return 1
	}
	fmt.Fprintf(stdout, "edgebar: serving %s\n", strings.Join(n.endpoints, ", "))

	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-n.failed:
		log.Error("transport failed, shutting down", "err", err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := n.shutdown(sctx); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

// loadConfig finds and loads the config the flags name; from says where it
// came from, for messages.
func loadConfig(file, cbdir string) (cfg *config.Config, from string, err error) {
	switch {
	case file != "":
		if cbdir != "" && !filepath.IsAbs(file) {
			file = filepath.Join(cbdir, file)
		}
	case cbdir != "":
		file, err = config.FindIn(cbdir)
	default:
		file, err = config.Find(".")
	}
	if err != nil {
		return nil, cbdir, err
	}
	if file == "" {
		return config.Default(), "built-in default", nil
	}
	cfg, err = config.Load(file)
	return cfg, file, err
}

// node is the running set of routers and their listeners.
type node struct {
	log       *slog.Logger
	routers   []*router.Router
	servers   []*http.Server
	listeners []net.Listener // every listener, closed last
	endpoints []string       // "ws://127.0.0.1:8080/ws", "rawsocket 127.0.0.1:8081"
	failed    chan error     // a serve loop that ended on its own; buffered
	wg        sync.WaitGroup // serve goroutines; each exits when its listener closes
}

// startNode starts a router per router worker and listens on every
// transport. On error, whatever was started is shut down again.
func startNode(cfg *config.Config, log *slog.Logger) (*node, error) {
	n := &node{log: log, failed: make(chan error, 64)}
	for i := range cfg.Workers {
		w := &cfg.Workers[i]
		wlog := log.With("worker", w.WorkerID(i))
		r, err := router.New(w.RouterConfig(), router.WithLogger(wlog))
		if err != nil {
			n.abort()
			return nil, fmt.Errorf("%s: %w", w.WorkerID(i), err)
		}
		n.routers = append(n.routers, r)
		for j := range w.Transports {
			t := &w.Transports[j]
			if err := n.listen(r, t, cfg.Dir, wlog.With("transport", t.TransportID(j))); err != nil {
				n.abort()
				return nil, fmt.Errorf("%s: %s: %w", w.WorkerID(i), t.TransportID(j), err)
			}
		}
	}
	return n, nil
}

func (n *node) listen(r *router.Router, t *config.Transport, dir string, log *slog.Logger) error {
	ln, err := net.Listen(t.Endpoint.Network(), t.Endpoint.Address(dir))
	if err != nil {
		return err
	}
	n.listeners = append(n.listeners, ln)
	addr := ln.Addr().String()
	switch t.Type {
	case "rawsocket":
		cfg := rawsocket.Config{Codecs: codecs(t.Serializers), MaxMessageSize: t.Options.MaxMessageSize}
		n.goServe(log, func() error { return r.ServeRawSocket(ln, cfg) })
		n.endpoints = append(n.endpoints, "rawsocket "+addr)
	case "websocket":
		h := r.WebSocketHandler(wsConfig(t.Serializers, &t.Options))
		n.serveHTTP(ln, h, log)
		n.endpoints = append(n.endpoints, wsURL(ln, "/"))
	case "web":
		mux := http.NewServeMux()
		for _, key := range slices.Sorted(maps.Keys(t.Paths)) {
			p := t.Paths[key]
			pattern := "/" + key
			if key == "/" {
				pattern = "/"
			}
			// Only websocket paths pass Validate so far.
			mux.Handle(pattern, r.WebSocketHandler(wsConfig(p.Serializers, &p.Options)))
			n.endpoints = append(n.endpoints, wsURL(ln, pattern))
		}
		n.serveHTTP(ln, mux, log)
	default:
		return fmt.Errorf("transport type %q not supported", t.Type) // Validate prevents this
	}
	log.Info("listening", "type", t.Type, "addr", addr)
	return nil
}

func (n *node) serveHTTP(ln net.Listener, h http.Handler, log *slog.Logger) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	n.servers = append(n.servers, srv)
	n.goServe(log, func() error { return srv.Serve(ln) })
}

// goServe runs a serve loop; an end other than a shutdown is reported on
// n.failed so that the node stops rather than run half-deaf.
func (n *node) goServe(log *slog.Logger, serve func() error) {
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		err := serve()
		if err == nil || errors.Is(err, http.ErrServerClosed) || errors.Is(err, router.ErrShutdown) || errors.Is(err, net.ErrClosed) {
			return
		}
		log.Error("serve", "err", err)
		select {
		case n.failed <- err:
		default:
		}
	}()
}

// shutdown stops accepting, says GOODBYE (wamp.close.system_shutdown) to
// every session, closes the listeners and waits for the serve loops.
func (n *node) shutdown(ctx context.Context) error {
	var errs []error
	for _, s := range n.servers {
		// WebSocket connections are hijacked, so this only stops the
		// listener and plain HTTP requests; the routers close the sessions.
		if err := s.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	for _, r := range n.routers {
		if err := r.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	for _, ln := range n.listeners {
		ln.Close() // most are closed already; the error says only that
	}
	n.wg.Wait()
	return errors.Join(errs...)
}

// abort undoes a partial start.
func (n *node) abort() {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := n.shutdown(ctx); err != nil {
		n.log.Warn("cleanup after failed start", "err", err)
	}
}

func wsConfig(sers []string, o *config.TransportOptions) websocket.Config {
	return websocket.Config{Codecs: codecs(sers), MaxMessageSize: o.MaxMessageSize}
}

// codecs maps validated serializer names to codecs, in the configured order
// of preference; nil (all codecs) when none are configured.
func codecs(names []string) []codec.Codec {
	var cs []codec.Codec
	for _, name := range names {
		if c, ok := codec.ByName(name); ok {
			cs = append(cs, c)
		}
	}
	return cs
}

func wsURL(ln net.Listener, path string) string {
	if ln.Addr().Network() == "unix" {
		return "ws+unix://" + ln.Addr().String() + ":" + path
	}
	return "ws://" + ln.Addr().String() + path
}

// startCPUProfile profiles the whole run; the returned func ends it.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
