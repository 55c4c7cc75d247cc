package client

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgebar/edgebar/router/wamp"
)

func TestKeepConfigBackoff(t *testing.T) {
	c := KeepConfig{Initial: 100 * time.Millisecond, Max: time.Second, Jitter: -1}.withDefaults()
	var got []time.Duration
	for d := time.Duration(0); len(got) < 6; {
		d = c.next(d)
		got = append(got, d)
	}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i := range want {
		if got[i] != want[i]*time.Millisecond {
			t.Fatalf("delays %v, want %v ms", got, want)
		}
	}
	if j := c.jittered(time.Second); j != time.Second {
		t.Errorf("no jitter: %v", j)
	}
	c = KeepConfig{Jitter: 0.5}.withDefaults()
	for range 1000 {
		if j := c.jittered(time.Second); j < 500*time.Millisecond || j > time.Second {
			t.Fatalf("jittered %v outside [0.5s, 1s]", j)
		}
	}
}

// TestKeepRedials drops every session the fake router accepts and fails some
// dials: Keep redials each time and onJoin re-registers on the new session.
func TestKeepRedials(t *testing.T) {
	var dials atomic.Int32
	fakes := make(chan *fakeRouter, 10)
	dial := func(ctx context.Context) (*Session, error) {
		if n := dials.Add(1); n == 1 || n == 3 {
			return nil, errors.New("router not up")
		}
		f, p := newFake(t)
		go f.run()
		fakes <- f
		return Join(ctx, p, "realm1")
	}
	joined := make(chan *Session, 10)
	onJoin := func(ctx context.Context, s *Session) error {
		_, err := s.Register(ctx, "com.p", func(context.Context, *Invocation) (*Result, error) {
			return &Result{Args: wamp.List{"pong"}}, nil
		}, nil)
		if err == nil {
			joined <- s
		}
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	k := Keep(ctx, dial, onJoin, KeepConfig{Initial: time.Millisecond, Max: 4 * time.Millisecond})
	var last *Session
	for i := range 3 {
		s := <-joined
		f := <-fakes
		if s == last {
			t.Fatal("same session twice")
		}
		last = s
		cur, err := k.Wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		res, err := cur.Call(ctx, "com.p", nil, nil)
		if err != nil || res.Args[0] != "pong" {
			t.Fatalf("join %d: Call = %v, %v", i, res, err)
		}
		f.peer.Close() // drop the connection
		<-s.Done()
	}
	cancel()
	<-k.Done()
	if k.Session() != nil {
		t.Error("Session() != nil after stop")
	}
	if _, err := k.Wait(context.Background()); !errors.Is(err, ErrSessionClosed) {
		t.Errorf("Wait after stop = %v", err)
	}
	if n := dials.Load(); n < 5 {
		t.Errorf("%d dials, want at least 5", n)
	}
}

func TestKeepLeavesOnStop(t *testing.T) {
	f, p := newFake(t)
	go f.run()
	ctx, cancel := context.WithCancel(context.Background())
	joined := make(chan *Session, 1)
	k := Keep(ctx, func(ctx context.Context) (*Session, error) { return Join(ctx, p, "realm1") },
		func(_ context.Context, s *Session) error { joined <- s; return nil }, KeepConfig{})
	s := <-joined
	cancel()
	<-k.Done()
	if g := f.expect(wamp.GOODBYE).(*wamp.Goodbye); g.Reason != wamp.CloseNormal {
		t.Errorf("GOODBYE %q", g.Reason)
	}
	if s.CloseReason() != wamp.CloseNormal {
		t.Errorf("CloseReason %q", s.CloseReason())
	}
}
