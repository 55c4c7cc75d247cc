package router_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/edgebar/edgebar/router"
	"github.com/edgebar/edgebar/router/codec"
	"github.com/edgebar/edgebar/router/transport"
	"github.com/edgebar/edgebar/router/transport/rawsocket"
	"github.com/edgebar/edgebar/router/transport/websocket"
	"github.com/edgebar/edgebar/router/wamp"
)

// testRouter is a router serving WebSocket and RawSocket on 127.0.0.1:0.
type testRouter struct {
	*router.Router
	wsURL  string
	rsAddr string
}

func quietLogger() *slog.Logger {
	if os.Getenv("EDGEBAR_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func startRouter(t testing.TB, cfg router.Config) *testRouter {
	t.Helper()
	if cfg.Realms == nil {
		cfg.Realms = []router.RealmConfig{{Name: "realm1"}}
	}
	r, err := router.New(cfg, router.WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	wsLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: r.WebSocketHandler(websocket.Config{})}
	go srv.Serve(wsLn)
	rsLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go r.ServeRawSocket(rsLn, rawsocket.Config{})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Close()
		if err := r.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return &testRouter{Router: r, wsURL: "ws://" + wsLn.Addr().String() + "/", rsAddr: rsLn.Addr().String()}
}

// conn is a bare WAMP connection for tests: messages in, messages out,
// nothing hidden, so tests see exactly what the router sends.
type conn struct {
	t    testing.TB
	peer transport.Peer
	in   chan wamp.Message
	err  chan error
	req  wamp.IDGen
}

func newConn(t testing.TB, p transport.Peer) *conn {
	c := &conn{t: t, peer: p, in: make(chan wamp.Message, 1<<16), err: make(chan error, 1)}
	go func() {
		for {
			m, err := p.Recv()
			if err != nil {
				c.err <- err
				close(c.in)
				return
			}
			c.in <- m
		}
	}()
	t.Cleanup(func() { p.Close() })
	return c
}

func dial(t testing.TB, tr *testRouter, transportName, serializer string) *conn {
	t.Helper()
	cd, ok := codec.ByName(serializer)
	if !ok {
		t.Fatalf("no codec %s", serializer)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var p transport.Peer
	var err error
	switch transportName {
	case "websocket":
		p, err = websocket.Dial(ctx, tr.wsURL, cd, 0)
	case "rawsocket":
		p, err = rawsocket.Dial(ctx, "tcp", tr.rsAddr, cd, 0)
	case "local":
		p = tr.Local()
	default:
		t.Fatalf("no transport %s", transportName)
	}
	if err != nil {
		t.Fatalf("dial %s/%s: %v", transportName, serializer, err)
	}
	return newConn(t, p)
}

func (c *conn) send(ms ...wamp.Message) {
	c.t.Helper()
	out := make([]transport.Outgoing, len(ms))
	for i, m := range ms {
		if cd := c.peer.Codec(); cd != nil {
			f, err := cd.Encode(nil, m)
			if err != nil {
				c.t.Fatalf("encode %s: %v", m.Type(), err)
			}
			out[i].Frame = f
		} else {
			out[i].Msg = m
		}
	}
	if err := c.peer.Send(out); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

// recv waits for the next message; the timeout only keeps a broken test
// from hanging, it asserts nothing about speed.
func (c *conn) recv() wamp.Message {
	c.t.Helper()
	select {
	case m, ok := <-c.in:
		if !ok {
			c.t.Fatalf("connection closed: %v", <-c.err)
		}
		return m
	case <-time.After(20 * time.Second):
		c.t.Fatal("no message from the router")
	}
	return nil
}

// expectClosed waits until the router closes the connection.
func (c *conn) expectClosed() {
	c.t.Helper()
	for {
		select {
		case m, ok := <-c.in:
			if !ok {
				return
			}
			c.t.Fatalf("expected close, got %s %+v", m.Type(), m)
		case <-time.After(20 * time.Second):
			c.t.Fatal("router did not close the connection")
		}
	}
}

var clientRoles = wamp.Dict{"caller": wamp.Dict{}, "callee": wamp.Dict{}, "publisher": wamp.Dict{}, "subscriber": wamp.Dict{}}

func (c *conn) join(realm wamp.URI) *wamp.Welcome {
	c.t.Helper()
	c.send(&wamp.Hello{Realm: realm, Details: wamp.Dict{"roles": clientRoles}})
	m := c.recv()
	w, ok := m.(*wamp.Welcome)
	if !ok {
		c.t.Fatalf("expected WELCOME, got %s %+v", m.Type(), m)
	}
	return w
}

func joined(t testing.TB, tr *testRouter, transportName, serializer string) *conn {
	t.Helper()
	c := dial(t, tr, transportName, serializer)
	c.join("realm1")
	return c
}

func (c *conn) register(uri wamp.URI) wamp.ID {
	c.t.Helper()
	req := c.req.Next()
	c.send(&wamp.Register{Request: req, Procedure: uri})
	m := c.recv()
	r, ok := m.(*wamp.Registered)
	if !ok || r.Request != req {
		c.t.Fatalf("expected REGISTERED for %d, got %s %+v", req, m.Type(), m)
	}
	return r.Registration
}

func (c *conn) subscribe(topic wamp.URI) wamp.ID {
	c.t.Helper()
	req := c.req.Next()
	c.send(&wamp.Subscribe{Request: req, Topic: topic})
	m := c.recv()
	r, ok := m.(*wamp.Subscribed)
	if !ok || r.Request != req {
		c.t.Fatalf("expected SUBSCRIBED for %d, got %s %+v", req, m.Type(), m)
	}
	return r.Subscription
}

func expectType[T wamp.Message](t testing.TB, m wamp.Message) T {
	t.Helper()
	v, ok := m.(T)
	if !ok {
		var zero T
		t.Fatalf("expected %T, got %s %+v", zero, m.Type(), m)
	}
	return v
}

func values(t testing.TB, p *wamp.Payload) (wamp.List, wamp.Dict) {
	t.Helper()
	a, k, err := p.Values()
	if err != nil {
		t.Fatalf("payload: %v", err)
	}
	return a, k
}

// peerSend sends without failing the test: for use in helper goroutines.
func (c *conn) peerSend(m wamp.Message) error {
	var o transport.Outgoing
	if cd := c.peer.Codec(); cd != nil {
		f, err := cd.Encode(nil, m)
		if err != nil {
			return err
		}
		o.Frame = f
	} else {
		o.Msg = m
	}
	return c.peer.Send([]transport.Outgoing{o})
}
