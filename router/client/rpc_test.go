package client

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/edgebar/edgebar/router/wamp"
)

func TestCall(t *testing.T) {
	s, _ := joinFake(t, nil)
	ctx := context.Background()
	res, err := s.Call(ctx, "fake.echo", wamp.List{"a", int64(1)}, wamp.Dict{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Args) != 2 || res.Args[0] != "a" || res.Args[1] != int64(1) || res.Kwargs["k"] != "v" {
		t.Errorf("result %+v", res)
	}
	_, err = s.Call(ctx, "fake.fail", nil, nil)
	var we *wamp.Error
	if !errors.As(err, &we) || we.URI != "fake.error.failed" || we.Args[0] != "boom" || we.Kwargs["k"] != int64(1) {
		t.Fatalf("err = %#v", err)
	}
	if !errors.Is(err, &wamp.Error{URI: "fake.error.failed"}) {
		t.Error("errors.Is by URI failed")
	}
	_, err = s.Call(ctx, "com.nobody", nil, nil)
	if !errors.Is(err, &wamp.Error{URI: wamp.ErrNoSuchProcedure}) {
		t.Errorf("err = %v", err)
	}
}

func TestRegisterHandlerOutcomes(t *testing.T) {
	s, _ := joinFake(t, nil)
	ctx := context.Background()
	handlers := map[wamp.URI]Handler{
		"com.add": func(_ context.Context, inv *Invocation) (*Result, error) {
			a, _ := wamp.AsInt64(inv.Args[0])
			b, _ := wamp.AsInt64(inv.Args[1])
			return &Result{Args: wamp.List{a + b}, Kwargs: wamp.Dict{"proc": string(inv.Procedure)}}, nil
		},
		"com.nil": func(context.Context, *Invocation) (*Result, error) { return nil, nil },
		"com.wamperr": func(context.Context, *Invocation) (*Result, error) {
			return nil, fmt.Errorf("wrapped: %w", &wamp.Error{URI: "com.error.bad", Args: wamp.List{"x"}, Kwargs: wamp.Dict{"n": int64(2)}})
		},
		"com.goerr": func(context.Context, *Invocation) (*Result, error) { return nil, errors.New("disk on fire") },
		"com.panic": func(context.Context, *Invocation) (*Result, error) { panic("oops") },
	}
	for p, h := range handlers {
		if _, err := s.Register(ctx, p, h, nil); err != nil {
			t.Fatalf("Register %s: %v", p, err)
		}
	}
	for _, tc := range []struct {
		proc     wamp.URI
		wantArgs wamp.List
		wantURI  wamp.URI
		wantArg0 any
	}{
		{"com.add", wamp.List{int64(5)}, "", nil},
		{"com.nil", nil, "", nil},
		{"com.wamperr", nil, "com.error.bad", "x"},
		{"com.goerr", nil, ErrRuntime, "disk on fire"},
		{"com.panic", nil, ErrRuntime, "handler panicked"},
	} {
		t.Run(string(tc.proc), func(t *testing.T) {
			res, err := s.Call(ctx, tc.proc, wamp.List{int64(2), int64(3)}, nil)
			if tc.wantURI != "" {
				var we *wamp.Error
				if !errors.As(err, &we) || we.URI != tc.wantURI || we.Args[0] != tc.wantArg0 {
					t.Fatalf("err = %#v, want %s %v", err, tc.wantURI, tc.wantArg0)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(res.Args) != fmt.Sprint(tc.wantArgs) {
				t.Errorf("args %v, want %v", res.Args, tc.wantArgs)
			}
		})
	}
	// The session survives all of that.
	if _, err := s.Call(ctx, "fake.echo", nil, nil); err != nil {
		t.Fatal(err)
	}
}

func TestRegisterTwiceFails(t *testing.T) {
	s, _ := joinFake(t, nil)
	h := func(context.Context, *Invocation) (*Result, error) { return nil, nil }
	if _, err := s.Register(context.Background(), "com.p", h, nil); err != nil {
		t.Fatal(err)
	}
	_, err := s.Register(context.Background(), "com.p", h, nil)
	if !errors.Is(err, &wamp.Error{URI: wamp.ErrProcedureAlreadyExists}) {
		t.Fatalf("err = %v", err)
	}
}

func TestUnregister(t *testing.T) {
	s, f := joinFake(t, nil)
	ctx := context.Background()
	reg, err := s.Register(ctx, "com.p", func(context.Context, *Invocation) (*Result, error) { return nil, nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Unregister(ctx); err != nil {
		t.Fatal(err)
	}
	if m := f.expect(wamp.UNREGISTER).(*wamp.Unregister); m.Registration != reg.ID() {
		t.Errorf("UNREGISTER %d, registered %d", m.Registration, reg.ID())
	}
	if _, err := s.Call(ctx, "com.p", nil, nil); !errors.Is(err, &wamp.Error{URI: wamp.ErrNoSuchProcedure}) {
		t.Errorf("Call after Unregister = %v", err)
	}
	if err := reg.Unregister(ctx); err == nil {
		t.Error("second Unregister succeeded")
	}
}

// TestConcurrentCalls keeps 1000 calls in flight, half answered by the fake
// router and half by the client's own callee (all 500 invocations running at
// once), and checks each result reaches its caller.
func TestConcurrentCalls(t *testing.T) {
	s, _ := joinFake(t, nil)
	ctx := context.Background()
	const n = 1000
	release := make(chan struct{})
	var arrived sync.WaitGroup
	arrived.Add(n / 2) // the even calls reach the handler
	_, err := s.Register(ctx, "com.twice", func(_ context.Context, inv *Invocation) (*Result, error) {
		arrived.Done()
		<-release // all n invocations are running at once
		x, _ := wamp.AsInt64(inv.Args[0])
		return &Result{Args: wamp.List{2 * x}}, nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			proc := wamp.URI("com.twice")
			if i%2 == 1 {
				proc = "fake.echo"
			}
			res, err := s.Call(ctx, proc, wamp.List{int64(i)}, nil)
			if err != nil {
				t.Error(err)
				return
			}
			want := int64(i)
			if i%2 == 0 {
				want = 2 * int64(i)
			}
			if got, _ := wamp.AsInt64(res.Args[0]); got != want {
				t.Errorf("call %d got %d, want %d", i, got, want)
			}
		}()
	}
	arrived.Wait()
	close(release)
	wg.Wait()
}

func TestCallContextCanceled(t *testing.T) {
	for _, tc := range []struct {
		name       string
		canceling  bool // the router announces call_canceling
		wantCancel bool
	}{
		{"router with call_canceling", true, true},
		{"router without", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, f := joinFake(t, func(f *fakeRouter) {
				if tc.canceling {
					f.welcome = wamp.Dict{"roles": wamp.Dict{"dealer": wamp.Dict{"features": wamp.Dict{"call_canceling": true}}}}
				}
			})
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() {
				_, err := s.Call(ctx, "fake.hang", nil, nil)
				errc <- err
			}()
			call := f.expect(wamp.CALL).(*wamp.Call)
			cancel()
			if err := <-errc; err != context.Canceled {
				t.Fatalf("Call = %v, want context.Canceled", err)
			}
			// A late RESULT for the forgotten call is dropped; the next
			// message the fake sees tells whether CANCEL was sent.
			f.send(&wamp.Result{Request: call.Request, Details: wamp.Dict{}, Payload: wamp.Payload{Args: wamp.List{"late"}}})
			res, err := s.Call(context.Background(), "fake.echo", wamp.List{"next"}, nil)
			if err != nil || res.Args[0] != "next" {
				t.Fatalf("next Call = %v, %v", res, err)
			}
			next := <-f.seen
			if c, ok := next.(*wamp.Cancel); ok != tc.wantCancel {
				t.Fatalf("after the canceled call the router saw %v", next.Type())
			} else if ok && (c.Request != call.Request || c.Options["mode"] != "skip") {
				t.Errorf("CANCEL %+v", c)
			}
		})
	}
}

// TestInterrupt cancels a call with mode kill: the router interrupts the
// handler, whose context error becomes wamp.error.canceled.
func TestInterrupt(t *testing.T) {
	s, f := joinFake(t, func(f *fakeRouter) {
		f.welcome = wamp.Dict{"roles": wamp.Dict{"dealer": wamp.Dict{"features": wamp.Dict{"call_canceling": true}}}}
	})
	started := make(chan struct{})
	if _, err := s.Register(context.Background(), "com.slow", func(ctx context.Context, _ *Invocation) (*Result, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	}, nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	if _, err := s.Call(ctx, "com.slow", nil, nil, CancelMode("kill")); err != context.Canceled {
		t.Fatalf("Call = %v", err)
	}
	c := f.expect(wamp.CANCEL).(*wamp.Cancel)
	if c.Options["mode"] != "kill" {
		t.Errorf("CANCEL mode %v", c.Options["mode"])
	}
	e := f.expect(wamp.ERROR).(*wamp.ErrorMessage)
	if e.RequestType != wamp.INVOCATION || e.Error != wamp.ErrCanceled {
		t.Errorf("callee answered %v %s", e.RequestType, e.Error)
	}
}

func TestCallOptionsSent(t *testing.T) {
	s, f := joinFake(t, nil)
	if _, err := s.Call(context.Background(), "fake.echo", nil, nil, CallOptions(wamp.Dict{"timeout": int64(500)})); err != nil {
		t.Fatal(err)
	}
	if c := f.expect(wamp.CALL).(*wamp.Call); c.Options["timeout"] != int64(500) {
		t.Errorf("options %v", c.Options)
	}
}
