package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/edgebar/edgebar/router"
	"github.com/edgebar/edgebar/router/client"
	"github.com/edgebar/edgebar/router/transport/rawsocket"
	"github.com/edgebar/edgebar/router/transport/websocket"
	"github.com/edgebar/edgebar/router/wamp"
)

// The tests in this file run the client against the real router (a test-only
// import edge: package client itself never imports the router).

func newRouter(t *testing.T) *router.Router {
	t.Helper()
	r, err := router.New(router.Config{Realms: []router.RealmConfig{{Name: "realm1"}}},
		router.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r.Shutdown(ctx)
	})
	return r
}

// listen serves r on a loopback socket of kind and returns the client URL.
func listen(t *testing.T, r *router.Router, kind string) string {
	t.Helper()
	network, addr := "tcp", "127.0.0.1:0"
	if kind == "unix" {
		network, addr = "unix", filepath.Join(t.TempDir(), "wamp.sock")
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	switch kind {
	case "websocket":
		mux := http.NewServeMux()
		mux.Handle("/ws", r.WebSocketHandler(websocket.Config{}))
		srv := &http.Server{Handler: mux}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		return "ws://" + ln.Addr().String() + "/ws"
	case "unix":
		go r.ServeRawSocket(ln, rawsocket.Config{})
		return "unix://" + addr
	default:
		go r.ServeRawSocket(ln, rawsocket.Config{})
		return "tcp://" + ln.Addr().String()
	}
}

type connector func(t *testing.T) *client.Session

// connectors is the transport × serializer matrix.
func connectors(t *testing.T, r *router.Router) map[string]connector {
	m := map[string]connector{
		"local": func(t *testing.T) *client.Session {
			s, err := client.Join(context.Background(), r.Local(), "realm1")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
	for _, kind := range []string{"websocket", "rawsocket", "unix"} {
		url := listen(t, r, kind)
		for _, ser := range []string{"json", "msgpack", "cbor"} {
			m[kind+"/"+ser] = func(t *testing.T) *client.Session {
				s, err := client.Dial(context.Background(), url, "realm1", client.DialConfig{Serializer: ser})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			}
		}
	}
	return m
}

func TestAgainstRouter(t *testing.T) {
	r := newRouter(t)
	conns := connectors(t, r)
	for name, connect := range conns {
		t.Run(name, func(t *testing.T) {
			// The callee and subscriber always speak through the local
			// transport, so payloads cross serializers both ways.
			callee := conns["local"](t)
			caller := connect(t)
			exerciseRPC(t, callee, caller, wamp.URI("com.test."+sanitize(name)))
			exercisePubSub(t, callee, caller, wamp.URI("com.topic."+sanitize(name)))
			if err := caller.Leave(context.Background()); err != nil {
				t.Errorf("Leave: %v", err)
			}
			if caller.CloseReason() != wamp.CloseNormal {
				t.Errorf("CloseReason %q", caller.CloseReason())
			}
		})
	}
}

func sanitize(name string) string {
	b := []byte(name)
	for i, c := range b {
		if c == '/' {
			b[i] = '_'
		}
	}
	return string(b)
}

func exerciseRPC(t *testing.T, callee, caller *client.Session, proc wamp.URI) {
	ctx := context.Background()
	_, err := callee.Register(ctx, proc, func(_ context.Context, inv *client.Invocation) (*client.Result, error) {
		if inv.Kwargs["fail"] == true {
			return nil, &wamp.Error{URI: "com.error.asked", Args: wamp.List{"as you wish"}, Kwargs: wamp.Dict{"n": int64(3)}}
		}
		x, _ := wamp.AsInt64(inv.Args[0])
		return &client.Result{Args: wamp.List{x * 2, "s"}, Kwargs: wamp.Dict{"bin": []byte{1, 2}}}, nil
	}, nil)
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	res, err := caller.Call(ctx, proc, wamp.List{int64(21)}, nil)
	if err != nil {
		t.Fatalf("Call: %v", err)
	}
	if x, _ := wamp.AsInt64(res.Args[0]); x != 42 || res.Args[1] != "s" || fmt.Sprint(res.Kwargs["bin"]) != "[1 2]" {
		t.Errorf("result %+v", res)
	}
	_, err = caller.Call(ctx, proc, nil, wamp.Dict{"fail": true})
	var we *wamp.Error
	if !errors.As(err, &we) || we.URI != "com.error.asked" || we.Args[0] != "as you wish" {
		t.Fatalf("Call error = %v", err)
	}
	if n, _ := wamp.AsInt64(we.Kwargs["n"]); n != 3 {
		t.Errorf("error kwargs %v", we.Kwargs)
	}
	_, err = caller.Call(ctx, "com.nobody.home", nil, nil)
	if !errors.Is(err, &wamp.Error{URI: wamp.ErrNoSuchProcedure}) {
		t.Errorf("Call of nothing = %v", err)
	}
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := caller.Call(ctx, proc, wamp.List{int64(i)}, nil)
			if err != nil {
				t.Error(err)
				return
			}
			if x, _ := wamp.AsInt64(res.Args[0]); x != 2*int64(i) {
				t.Errorf("call %d got %d", i, x)
			}
		}()
	}
	wg.Wait()
}

func exercisePubSub(t *testing.T, sub, pub *client.Session, topic wamp.URI) {
	ctx := context.Background()
	const n = 100
	got := make(chan int64, n)
	s, err := sub.Subscribe(ctx, topic, func(e *client.Event) {
		x, _ := wamp.AsInt64(e.Args[0])
		got <- x
	}, nil)
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	for i := range n {
		opts := wamp.Dict{}
		if i == n-1 {
			opts["acknowledge"] = true
		}
		if err := pub.Publish(ctx, topic, wamp.List{int64(i)}, nil, opts); err != nil {
			t.Fatalf("Publish: %v", err)
		}
	}
	for i := range n {
		if x := <-got; x != int64(i) {
			t.Fatalf("event %d carries %d", i, x)
		}
	}
	if err := s.Unsubscribe(ctx); err != nil {
		t.Errorf("Unsubscribe: %v", err)
	}
}

func TestRouterShutdownSendsGoodbye(t *testing.T) {
	r := newRouter(t)
	s, err := client.Join(context.Background(), r.Local(), "realm1")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-s.Done()
	if s.CloseReason() != wamp.CloseSystemShutdown {
		t.Errorf("CloseReason %q, Err %v", s.CloseReason(), s.Err())
	}
}

func TestJoinUnknownRealm(t *testing.T) {
	r := newRouter(t)
	_, err := client.Join(context.Background(), r.Local(), "nowhere")
	if !errors.Is(err, &wamp.Error{URI: wamp.ErrNoSuchRealm}) {
		t.Fatalf("Join = %v", err)
	}
}

// dropper is a TCP listener in front of the router whose connections the
// test can cut, standing in for a flaky network.
type dropper struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newDropper(t *testing.T, target string) *dropper {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &dropper{ln: ln}
	t.Cleanup(func() { ln.Close(); d.drop() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			d.mu.Lock()
			d.conns = append(d.conns, c, u)
			d.mu.Unlock()
			go func() { io.Copy(u, c); u.Close() }()
			go func() { io.Copy(c, u); c.Close() }()
		}
	}()
	return d
}

func (d *dropper) drop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.conns {
		c.Close()
	}
	d.conns = nil
}

func TestKeepThroughDroppedConnections(t *testing.T) {
	r := newRouter(t)
	url := listen(t, r, "rawsocket")
	d := newDropper(t, url[len("tcp://"):])
	caller := connectors(t, r)["local"](t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	joins := make(chan *client.Session, 10)
	k := client.Keep(ctx,
		func(ctx context.Context) (*client.Session, error) {
			return client.Dial(ctx, "tcp://"+d.ln.Addr().String(), "realm1", client.DialConfig{Serializer: "msgpack"})
		},
		func(ctx context.Context, s *client.Session) error {
			_, err := s.Register(ctx, "com.kept", func(context.Context, *client.Invocation) (*client.Result, error) {
				return &client.Result{Args: wamp.List{"alive"}}, nil
			}, nil)
			if err == nil {
				joins <- s
			}
			return err
		},
		client.KeepConfig{Initial: time.Millisecond, Max: 10 * time.Millisecond})
	for i := range 3 {
		s := <-joins
		// onJoin registered on the new connection (a Register that raced
		// the router's cleanup of the old one failed and was retried).
		res, err := caller.Call(ctx, "com.kept", nil, nil)
		if err != nil || res.Args[0] != "alive" {
			t.Fatalf("round %d: Call = %v, %v", i, res, err)
		}
		d.drop()
		<-s.Done()
	}
	cancel()
	<-k.Done()
}
