package client

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/edgebar/edgebar/router/wamp"
)

func TestJoinAnnouncesRoles(t *testing.T) {
	s, f := joinFake(t, nil, WithAuthID("bridge"), WithAuthRole("device"))
	hello := (<-f.seen).(*wamp.Hello)
	if hello.Realm != "realm1" {
		t.Errorf("HELLO realm %q", hello.Realm)
	}
	if got := wamp.OptString(hello.Details, "authid"); got != "bridge" {
		t.Errorf("authid %q", got)
	}
	if got := wamp.OptString(hello.Details, "authrole"); got != "device" {
		t.Errorf("authrole %q", got)
	}
	roles, _ := hello.Details["roles"].(wamp.Dict)
	for _, r := range []string{"caller", "callee", "publisher", "subscriber"} {
		if _, ok := roles[r]; !ok {
			t.Errorf("role %s not announced", r)
		}
	}
	if s.ID() != 42 || s.Realm() != "realm1" {
		t.Errorf("ID %d, Realm %q", s.ID(), s.Realm())
	}
	if s.Err() != nil || s.CloseReason() != "" {
		t.Errorf("running session: Err %v, CloseReason %q", s.Err(), s.CloseReason())
	}
}

func TestJoinFailures(t *testing.T) {
	for _, tc := range []struct {
		name  string
		hello func(*wamp.Hello) wamp.Message
		opts  []Option
		check func(t *testing.T, err error)
	}{
		{"abort", func(*wamp.Hello) wamp.Message {
			return &wamp.Abort{Details: wamp.Dict{"message": "no realm1 here"}, Reason: wamp.ErrNoSuchRealm}
		}, nil, func(t *testing.T, err error) {
			var we *wamp.Error
			if !errors.As(err, &we) || we.URI != wamp.ErrNoSuchRealm {
				t.Fatalf("err = %v, want *wamp.Error no_such_realm", err)
			}
			if !errors.Is(err, &wamp.Error{URI: wamp.ErrNoSuchRealm}) || !strings.Contains(err.Error(), "no realm1 here") {
				t.Errorf("err = %v", err)
			}
		}},
		{"challenge without auth", func(*wamp.Hello) wamp.Message {
			return &wamp.Challenge{AuthMethod: "ticket", Extra: wamp.Dict{}}
		}, nil, func(t *testing.T, err error) {
			if err == nil || !strings.Contains(err.Error(), "authentication not supported") {
				t.Fatalf("err = %v", err)
			}
		}},
		{"auth func fails", func(*wamp.Hello) wamp.Message {
			return &wamp.Challenge{AuthMethod: "ticket", Extra: wamp.Dict{}}
		}, []Option{WithAuth([]string{"ticket"}, "u", func(context.Context, *wamp.Challenge) (string, wamp.Dict, error) {
			return "", nil, errors.New("no ticket")
		})}, func(t *testing.T, err error) {
			if err == nil || !strings.Contains(err.Error(), "no ticket") {
				t.Fatalf("err = %v", err)
			}
		}},
		{"unexpected message", func(*wamp.Hello) wamp.Message {
			return &wamp.Result{Request: 1, Details: wamp.Dict{}}
		}, nil, func(t *testing.T, err error) {
			if err == nil || !strings.Contains(err.Error(), "unexpected RESULT") {
				t.Fatalf("err = %v", err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, p := newFake(t)
			f.hello = tc.hello
			go f.run()
			s, err := Join(context.Background(), p, "realm1", tc.opts...)
			if s != nil {
				t.Fatal("Join returned a session")
			}
			tc.check(t, err)
		})
	}
}

func TestJoinChallengeAnswered(t *testing.T) {
	respond := func(_ context.Context, c *wamp.Challenge) (string, wamp.Dict, error) {
		if c.AuthMethod != "ticket" {
			return "", nil, errors.New("unexpected method")
		}
		return "secret", nil, nil
	}
	s, f := joinFake(t, func(f *fakeRouter) {
		f.hello = func(*wamp.Hello) wamp.Message { return &wamp.Challenge{AuthMethod: "ticket", Extra: wamp.Dict{}} }
		f.auth = func(a *wamp.Authenticate) wamp.Message {
			if a.Signature != "secret" {
				return &wamp.Abort{Details: wamp.Dict{}, Reason: wamp.ErrAuthenticationFailed}
			}
			return &wamp.Welcome{Session: 7, Details: wamp.Dict{"authid": "u"}}
		}
	}, WithAuth([]string{"ticket"}, "u", respond))
	hello := f.expect(wamp.HELLO).(*wamp.Hello)
	if ms, _ := hello.Details["authmethods"].(wamp.List); len(ms) != 1 || ms[0] != "ticket" {
		t.Errorf("authmethods %v", hello.Details["authmethods"])
	}
	if s.ID() != 7 || wamp.OptString(s.Details(), "authid") != "u" {
		t.Errorf("ID %d, details %v", s.ID(), s.Details())
	}
}

func TestJoinContextCanceled(t *testing.T) {
	f, p := newFake(t)
	f.hello = func(*wamp.Hello) wamp.Message { return nil } // never answers
	go f.run()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		f.expect(wamp.HELLO)
		cancel()
	}()
	_, err := Join(ctx, p, "realm1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Join = %v, want context.Canceled", err)
	}
}

func TestJoinInvalidRealm(t *testing.T) {
	f, p := newFake(t)
	go f.run()
	if _, err := Join(context.Background(), p, "bad realm"); err == nil {
		t.Fatal("Join accepted an invalid realm")
	}
}

func TestRouterGoodbye(t *testing.T) {
	s, f := joinFake(t, nil)
	f.send(&wamp.Goodbye{Details: wamp.Dict{"message": "bye"}, Reason: wamp.CloseSystemShutdown})
	g := f.expect(wamp.GOODBYE).(*wamp.Goodbye)
	if g.Reason != wamp.CloseGoodbyeAndOut {
		t.Errorf("client answered GOODBYE %q", g.Reason)
	}
	<-s.Done()
	if s.CloseReason() != wamp.CloseSystemShutdown {
		t.Errorf("CloseReason %q", s.CloseReason())
	}
	err := s.Err()
	if !errors.Is(err, ErrSessionClosed) || !errors.Is(err, &wamp.Error{URI: wamp.CloseSystemShutdown}) {
		t.Errorf("Err = %v", err)
	}
	if _, err := s.Call(context.Background(), "fake.echo", nil, nil); !errors.Is(err, ErrSessionClosed) {
		t.Errorf("Call after the end = %v", err)
	}
}

func TestLeave(t *testing.T) {
	s, f := joinFake(t, nil)
	if err := s.Leave(context.Background()); err != nil {
		t.Fatalf("Leave: %v", err)
	}
	g := f.expect(wamp.GOODBYE).(*wamp.Goodbye)
	if g.Reason != wamp.CloseNormal {
		t.Errorf("GOODBYE reason %q", g.Reason)
	}
	if s.CloseReason() != wamp.CloseNormal || s.Err() != ErrSessionClosed {
		t.Errorf("CloseReason %q, Err %v", s.CloseReason(), s.Err())
	}
	if err := s.Publish(context.Background(), "t", nil, nil, nil); !errors.Is(err, ErrSessionClosed) {
		t.Errorf("Publish after Leave = %v", err)
	}
	if err := s.Leave(context.Background()); err != nil {
		t.Errorf("second Leave = %v", err)
	}
}

func TestLeaveContextEnds(t *testing.T) {
	s, f := joinFake(t, func(f *fakeRouter) { f.mute = true })
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		f.expect(wamp.GOODBYE)
		cancel()
	}()
	if err := s.Leave(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Leave = %v, want context.Canceled", err)
	}
	<-s.Done()
	if s.Err() != ErrSessionClosed {
		t.Errorf("Err = %v", s.Err())
	}
}

func TestProtocolViolationEndsSession(t *testing.T) {
	s, f := joinFake(t, nil)
	f.send(&wamp.Welcome{Session: 1, Details: wamp.Dict{}})
	a := f.expect(wamp.ABORT).(*wamp.Abort)
	if a.Reason != wamp.ErrProtocolViolation {
		t.Errorf("ABORT reason %q", a.Reason)
	}
	<-s.Done()
	if !errors.Is(s.Err(), ErrSessionClosed) {
		t.Errorf("Err = %v", s.Err())
	}
}

func TestRouterAbort(t *testing.T) {
	s, f := joinFake(t, nil)
	f.send(&wamp.Abort{Details: wamp.Dict{}, Reason: wamp.CloseKilled})
	<-s.Done()
	if !errors.Is(s.Err(), &wamp.Error{URI: wamp.CloseKilled}) || s.CloseReason() != wamp.CloseKilled {
		t.Errorf("Err %v, CloseReason %q", s.Err(), s.CloseReason())
	}
}

func TestConnectionDropFailsPending(t *testing.T) {
	s, f := joinFake(t, nil)
	var handlerCtx context.Context
	started := make(chan struct{})
	if _, err := s.Register(context.Background(), "com.block", func(ctx context.Context, _ *Invocation) (*Result, error) {
		handlerCtx = ctx
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	}, nil); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	go func() {
		_, err := s.Call(context.Background(), "fake.hang", nil, nil)
		errs <- err
	}()
	go func() {
		_, err := s.Call(context.Background(), "com.block", nil, nil)
		errs <- err
	}()
	<-started
	f.expect(wamp.CALL)
	f.expect(wamp.CALL)
	f.peer.Close()
	for range 2 {
		if err := <-errs; !errors.Is(err, ErrSessionClosed) {
			t.Errorf("pending Call = %v, want ErrSessionClosed", err)
		}
	}
	<-s.Done()
	<-handlerCtx.Done()
	if s.CloseReason() != "" || !strings.Contains(s.Err().Error(), "closed by the router") {
		t.Errorf("CloseReason %q, Err %v", s.CloseReason(), s.Err())
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	s, _ := joinFake(t, nil)
	for range 2 {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if s.Err() != ErrSessionClosed {
		t.Errorf("Err = %v", s.Err())
	}
}
