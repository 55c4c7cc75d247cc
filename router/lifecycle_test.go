package router_test

import (
	"context"
	"testing"
	"time"

	"github.com/edgebar/edgebar/router"
	"github.com/edgebar/edgebar/router/wamp"
)

// TestCalleeLeavesMidCall: every call pending on a callee that goes away,
// by GOODBYE or by a dropped connection, is answered with
// wamp.error.canceled at once.
func TestCalleeLeavesMidCall(t *testing.T) {
	for _, how := range []string{"goodbye", "drop"} {
		t.Run(how, func(t *testing.T) {
			tr := startRouter(t, router.Config{})
			callee := joined(t, tr, "rawsocket", "json")
			callee.register("com.example.slow")
			caller := joined(t, tr, "websocket", "msgpack")
			for i := 1; i <= 3; i++ {
				caller.send(&wamp.Call{Request: wamp.ID(i), Procedure: "com.example.slow"})
				expectType[*wamp.Invocation](t, callee.recv())
			}
			if how == "goodbye" {
				callee.send(&wamp.Goodbye{Reason: wamp.CloseNormal})
				if g := expectType[*wamp.Goodbye](t, callee.recv()); g.Reason != wamp.CloseGoodbyeAndOut {
					t.Fatalf("GOODBYE reply reason %s", g.Reason)
				}
			} else {
				callee.peer.Close()
			}
			got := map[wamp.ID]bool{}
			for range 3 {
				em := expectType[*wamp.ErrorMessage](t, caller.recv())
				if em.Error != wamp.ErrCanceled || em.RequestType != wamp.CALL || em.Details["reason"] != "callee_gone" {
					t.Fatalf("ERROR %+v", em)
				}
				got[em.Request] = true
			}
			if len(got) != 3 {
				t.Fatalf("answers for requests %v", got)
			}
			// The procedure is gone with its callee.
			caller.send(&wamp.Call{Request: 9, Procedure: "com.example.slow"})
			if em := expectType[*wamp.ErrorMessage](t, caller.recv()); em.Error != wamp.ErrNoSuchProcedure {
				t.Fatalf("after callee left: %s", em.Error)
			}
		})
	}
}

// TestCallerLeavesMidCall: the callee's late YIELD is dropped and the
// router carries on.
func TestCallerLeavesMidCall(t *testing.T) {
	tr := startRouter(t, router.Config{})
	callee := joined(t, tr, "websocket", "json")
	callee.register("com.example.p")
	caller := joined(t, tr, "websocket", "json")
	caller.send(&wamp.Call{Request: 1, Procedure: "com.example.p"})
	inv := expectType[*wamp.Invocation](t, callee.recv())
	caller.peer.Close()
	caller.expectClosed()
	callee.send(&wamp.Yield{Request: inv.Request})
	c2 := joined(t, tr, "websocket", "json")
	c2.send(&wamp.Call{Request: 1, Procedure: "com.example.p"})
	inv2 := expectType[*wamp.Invocation](t, callee.recv())
	if inv2.Request == inv.Request {
		t.Fatal("INVOCATION ids are not sequential per callee")
	}
	callee.send(&wamp.Yield{Request: inv2.Request})
	expectType[*wamp.Result](t, c2.recv())
}

func TestGoodbyeHandshake(t *testing.T) {
	tr := startRouter(t, router.Config{})
	c := joined(t, tr, "websocket", "cbor")
	c.register("com.example.mine")
	c.send(&wamp.Goodbye{Details: wamp.Dict{}, Reason: wamp.CloseNormal})
	g := expectType[*wamp.Goodbye](t, c.recv())
	if g.Reason != wamp.CloseGoodbyeAndOut {
		t.Fatalf("GOODBYE reason %s", g.Reason)
	}
	c.expectClosed()
	// The GOODBYE answer comes after the session left the realm: its
	// procedure is free at once.
	joined(t, tr, "rawsocket", "json").register("com.example.mine")
}

func TestShutdownSaysGoodbye(t *testing.T) {
	tr := startRouter(t, router.Config{})
	var conns []*conn
	for _, m := range matrix {
		conns = append(conns, dialAny(t, tr, m.transport, m.serializer))
	}
	unjoined := dial(t, tr, "rawsocket", "json")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tr.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for i, c := range conns {
		g := expectType[*wamp.Goodbye](t, c.recv())
		if g.Reason != wamp.CloseSystemShutdown {
			t.Fatalf("%v: GOODBYE reason %s", matrix[i], g.Reason)
		}
	}
	unjoined.expectClosed()
	if n := tr.SessionCount(); n != 0 {
		t.Fatalf("%d sessions left after shutdown", n)
	}
}

func TestWelcome(t *testing.T) {
	tr := startRouter(t, router.Config{})
	c := dial(t, tr, "websocket", "json")
	w := c.join("realm1")
	if w.Session < 1 || w.Session > wamp.MaxID {
		t.Fatalf("session id %d out of range", w.Session)
	}
	roles, _ := w.Details["roles"].(wamp.Dict)
	if _, ok := roles["broker"]; !ok {
		t.Fatalf("WELCOME roles %v", w.Details)
	}
	if _, ok := roles["dealer"]; !ok {
		t.Fatalf("WELCOME roles %v", w.Details)
	}
	for _, k := range []string{"realm", "authid", "authrole", "authmethod"} {
		if _, ok := w.Details[k].(string); !ok {
			t.Fatalf("WELCOME.Details.%s missing: %v", k, w.Details)
		}
	}
}

// TestHelloTimeout: a connection that never says HELLO is closed.
func TestHelloTimeout(t *testing.T) {
	tr := startRouter(t, router.Config{Session: router.SessionConfig{HelloTimeout: 50 * time.Millisecond}})
	for _, tname := range []string{"websocket", "rawsocket"} {
		c := dial(t, tr, tname, "json")
		c.expectClosed()
	}
	waitFor(t, "sessions to end", func() bool { return tr.SessionCount() == 0 })
}
