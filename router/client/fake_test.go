package client

import (
	"context"
	"sync"
	"testing"

	"github.com/edgebar/edgebar/router/transport"
	"github.com/edgebar/edgebar/router/transport/local"
	"github.com/edgebar/edgebar/router/wamp"
)

// fakeRouter is a scripted router for one client session on the other end
// of a local pair: enough dealer and broker to drive the client's logic.
// Procedures it answers itself:
//
//	fake.echo  RESULT with the call's arguments
//	fake.fail  ERROR fake.error.failed ["boom"] {"k": 1}
//	fake.hang  no answer
//
// CALL of a procedure the client registered becomes INVOCATION; CANCEL of
// such a call becomes INTERRUPT (any mode) and the call fails with
// wamp.error.canceled at once. PUBLISH reaches the client's own
// subscriptions (no publisher exclusion); topic fake.denied is refused.
type fakeRouter struct {
	t    *testing.T
	peer transport.Peer
	// Set before start:
	welcome wamp.Dict                      // WELCOME.Details
	hello   func(*wamp.Hello) wamp.Message // answer to HELLO; nil: WELCOME
	auth    func(*wamp.Authenticate) wamp.Message
	mute    bool // leave GOODBYE unanswered

	seen chan wamp.Message // everything received, in order (buffered)
	done chan struct{}     // closed when the loop returns

	wmu sync.Mutex
	ids wamp.IDGen

	mu    sync.Mutex
	regs  map[wamp.URI]wamp.ID // procedure → registration
	procs map[wamp.ID]wamp.URI
	invs  map[wamp.ID]wamp.ID // INVOCATION request → CALL request
	calls map[wamp.ID]wamp.ID // CALL request → INVOCATION request
	subs  map[wamp.URI]wamp.ID
}

func newFake(t *testing.T) (*fakeRouter, transport.Peer) {
	a, b := local.Pair()
	f := &fakeRouter{
		t: t, peer: b,
		welcome: wamp.Dict{"roles": wamp.Dict{"dealer": wamp.Dict{}, "broker": wamp.Dict{}}},
		seen:    make(chan wamp.Message, 100000),
		done:    make(chan struct{}),
		regs:    map[wamp.URI]wamp.ID{}, procs: map[wamp.ID]wamp.URI{},
		invs: map[wamp.ID]wamp.ID{}, calls: map[wamp.ID]wamp.ID{},
		subs: map[wamp.URI]wamp.ID{},
	}
	t.Cleanup(func() { b.Close(); <-f.done })
	return f, a
}

// joinFake starts a fake router and joins it.
func joinFake(t *testing.T, setup func(*fakeRouter), opts ...Option) (*Session, *fakeRouter) {
	t.Helper()
	f, p := newFake(t)
	if setup != nil {
		setup(f)
	}
	go f.run()
	s, err := Join(context.Background(), p, "realm1", opts...)
	if err != nil {
		t.Fatalf("Join: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, f
}

func (f *fakeRouter) send(m wamp.Message) {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	f.peer.Send([]transport.Outgoing{{Msg: m}}) // fails only after close
}

// expect returns the next message the fake received, skipping others until
// one of type typ.
func (f *fakeRouter) expect(typ wamp.MessageType) wamp.Message {
	f.t.Helper()
	for m := range f.seen {
		if m.Type() == typ {
			return m
		}
	}
	f.t.Fatalf("fake router ended before %v", typ)
	return nil
}

func (f *fakeRouter) run() {
	defer close(f.done)
	defer close(f.seen)
	for {
		m, err := f.peer.Recv()
		if err != nil {
			return
		}
		f.seen <- m
		if !f.handle(m) {
			f.peer.Close()
			return
		}
	}
}

func (f *fakeRouter) handle(m wamp.Message) bool {
	switch m := m.(type) {
	case *wamp.Hello:
		if f.hello != nil {
			if r := f.hello(m); r != nil {
				f.send(r)
			}
			return true
		}
		f.send(&wamp.Welcome{Session: 42, Details: f.welcome})
	case *wamp.Authenticate:
		f.send(f.auth(m))
	case *wamp.Goodbye:
		if f.mute {
			return true
		}
		if m.Reason != wamp.CloseGoodbyeAndOut {
			f.send(&wamp.Goodbye{Details: wamp.Dict{}, Reason: wamp.CloseGoodbyeAndOut})
		}
		return false
	case *wamp.Abort:
		return false
	case *wamp.Call:
		f.call(m)
	case *wamp.Cancel:
		f.cancel(m)
	case *wamp.Yield:
		if req, ok := f.finish(m.Request); ok {
			f.send(&wamp.Result{Request: req, Details: wamp.Dict{}, Payload: m.Payload})
		}
	case *wamp.ErrorMessage:
		if req, ok := f.finish(m.Request); ok {
			f.send(&wamp.ErrorMessage{RequestType: wamp.CALL, Request: req, Details: wamp.Dict{},
				Error: m.Error, Payload: m.Payload})
		}
	default:
		f.pubsub(m)
		f.rpc(m)
	}
	return true
}

func (f *fakeRouter) call(m *wamp.Call) {
	switch m.Procedure {
	case "fake.echo":
		f.send(&wamp.Result{Request: m.Request, Details: wamp.Dict{}, Payload: m.Payload})
		return
	case "fake.fail":
		f.send(&wamp.ErrorMessage{RequestType: wamp.CALL, Request: m.Request, Details: wamp.Dict{},
			Error: "fake.error.failed", Payload: wamp.Payload{Args: wamp.List{"boom"}, Kwargs: wamp.Dict{"k": int64(1)}}})
		return
	case "fake.hang":
		return
	}
	f.mu.Lock()
	reg, ok := f.regs[m.Procedure]
	inv := f.ids.Next()
	if ok {
		f.invs[inv] = m.Request
		f.calls[m.Request] = inv
	}
	f.mu.Unlock()
	if !ok {
		f.send(&wamp.ErrorMessage{RequestType: wamp.CALL, Request: m.Request, Details: wamp.Dict{},
			Error: wamp.ErrNoSuchProcedure})
		return
	}
	f.send(&wamp.Invocation{Request: inv, Registration: reg, Details: wamp.Dict{}, Payload: m.Payload})
}

func (f *fakeRouter) cancel(m *wamp.Cancel) {
	f.mu.Lock()
	inv, ok := f.calls[m.Request]
	f.mu.Unlock()
	if ok {
		f.finish(inv)
		f.send(&wamp.Interrupt{Request: inv, Options: wamp.Dict{"mode": m.Options["mode"]}})
	}
	f.send(&wamp.ErrorMessage{RequestType: wamp.CALL, Request: m.Request, Details: wamp.Dict{},
		Error: wamp.ErrCanceled})
}

// finish forgets invocation inv and returns its call's request.
func (f *fakeRouter) finish(inv wamp.ID) (wamp.ID, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	req, ok := f.invs[inv]
	delete(f.invs, inv)
	delete(f.calls, req)
	return req, ok
}

func (f *fakeRouter) rpc(m wamp.Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch m := m.(type) {
	case *wamp.Register:
		if _, dup := f.regs[m.Procedure]; dup {
			go f.send(&wamp.ErrorMessage{RequestType: wamp.REGISTER, Request: m.Request, Details: wamp.Dict{},
				Error: wamp.ErrProcedureAlreadyExists})
			return
		}
		id := f.ids.Next()
		f.regs[m.Procedure], f.procs[id] = id, m.Procedure
		f.send(&wamp.Registered{Request: m.Request, Registration: id})
	case *wamp.Unregister:
		delete(f.regs, f.procs[m.Registration])
		delete(f.procs, m.Registration)
		f.send(&wamp.Unregistered{Request: m.Request})
	}
}

func (f *fakeRouter) pubsub(m wamp.Message) {
	switch m := m.(type) {
	case *wamp.Subscribe:
		f.mu.Lock()
		id, ok := f.subs[m.Topic]
		if !ok {
			id = f.ids.Next()
			f.subs[m.Topic] = id
		}
		f.mu.Unlock()
		f.send(&wamp.Subscribed{Request: m.Request, Subscription: id})
	case *wamp.Unsubscribe:
		f.mu.Lock()
		for t, id := range f.subs {
			if id == m.Subscription {
				delete(f.subs, t)
			}
		}
		f.mu.Unlock()
		f.send(&wamp.Unsubscribed{Request: m.Request})
	case *wamp.Publish:
		ack := wamp.OptBool(m.Options, "acknowledge", false)
		if m.Topic == "fake.denied" {
			if ack {
				f.send(&wamp.ErrorMessage{RequestType: wamp.PUBLISH, Request: m.Request, Details: wamp.Dict{},
					Error: wamp.ErrNotAuthorized})
			}
			return
		}
		f.mu.Lock()
		id, ok := f.subs[m.Topic]
		f.mu.Unlock()
		pub := f.ids.Next()
		if ok {
			f.send(&wamp.Event{Subscription: id, Publication: pub, Details: wamp.Dict{}, Payload: m.Payload})
		}
		if ack {
			f.send(&wamp.Published{Request: m.Request, Publication: pub})
		}
	}
}
