package router_test

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/edgebar/edgebar/router"
	"github.com/edgebar/edgebar/router/wamp"
)

var matrix = []struct{ transport, serializer string }{
	{"websocket", "json"}, {"websocket", "msgpack"}, {"websocket", "cbor"},
	{"rawsocket", "json"}, {"rawsocket", "msgpack"}, {"rawsocket", "cbor"},
	{"local", ""},
}

func dialAny(t *testing.T, tr *testRouter, tname, ser string) *conn {
	if tname == "local" {
		c := newConn(t, tr.Local())
		c.join("realm1")
		return c
	}
	return joined(t, tr, tname, ser)
}

// TestRPCAndPubSubMatrix runs the basic profile over every transport and
// serializer, with the callee and subscriber on JSON WebSocket so that every
// other serializer is transcoded on the way.
func TestRPCAndPubSubMatrix(t *testing.T) {
	tr := startRouter(t, router.Config{})
	for i, m := range matrix {
		t.Run(m.transport+"/"+m.serializer, func(t *testing.T) {
			callee := joined(t, tr, "websocket", "json")
			proc := wamp.URI(fmt.Sprintf("com.example.echo%d", i))
			regID := callee.register(proc)
			caller := dialAny(t, tr, m.transport, m.serializer)

			bin := make([]byte, 256)
			for j := range bin {
				bin[j] = byte(j)
			}
			caller.send(&wamp.Call{Request: 7, Procedure: proc, Payload: wamp.Payload{
				Args: wamp.List{"hello", int64(42), bin}, Kwargs: wamp.Dict{"k": 1.5}}})
			inv := expectType[*wamp.Invocation](t, callee.recv())
			if inv.Registration != regID {
				t.Fatalf("INVOCATION registration %d, want %d", inv.Registration, regID)
			}
			args, kw := values(t, &inv.Payload)
			if len(args) != 3 || args[0] != "hello" || args[1] != int64(42) || !bytes.Equal(args[2].([]byte), bin) || kw["k"] != 1.5 {
				t.Fatalf("INVOCATION payload %v %v", args, kw)
			}
			callee.send(&wamp.Yield{Request: inv.Request, Payload: inv.Payload})
			res := expectType[*wamp.Result](t, caller.recv())
			if res.Request != 7 {
				t.Fatalf("RESULT for request %d, want 7", res.Request)
			}
			args, kw = values(t, &res.Payload)
			if len(args) != 3 || args[0] != "hello" || !bytes.Equal(args[2].([]byte), bin) || kw["k"] != 1.5 {
				t.Fatalf("RESULT payload %v %v", args, kw)
			}

			// Empty payload: no Arguments at all on either side.
			caller.send(&wamp.Call{Request: 8, Procedure: proc})
			inv = expectType[*wamp.Invocation](t, callee.recv())
			if inv.HasArgs() || inv.HasKwargs() {
				t.Fatalf("empty CALL became INVOCATION with payload %+v", inv.Payload)
			}
			callee.send(&wamp.Yield{Request: inv.Request})
			if res := expectType[*wamp.Result](t, caller.recv()); res.HasArgs() || res.HasKwargs() {
				t.Fatalf("empty YIELD became RESULT with payload %+v", res.Payload)
			}

			// Application error travels back with URI, args and kwargs.
			caller.send(&wamp.Call{Request: 9, Procedure: proc})
			inv = expectType[*wamp.Invocation](t, callee.recv())
			callee.send(&wamp.ErrorMessage{RequestType: wamp.INVOCATION, Request: inv.Request, Error: "com.example.oops",
				Payload: wamp.Payload{Args: wamp.List{"bad"}, Kwargs: wamp.Dict{"code": int64(3)}}})
			em := expectType[*wamp.ErrorMessage](t, caller.recv())
			args, kw = values(t, &em.Payload)
			if em.RequestType != wamp.CALL || em.Request != 9 || em.Error != "com.example.oops" || args[0] != "bad" || kw["code"] != int64(3) {
				t.Fatalf("ERROR %+v %v %v", em, args, kw)
			}

			// Pub/sub with acknowledge, to a JSON subscriber.
			topic := wamp.URI(fmt.Sprintf("com.example.topic%d", i))
			subID := callee.subscribe(topic)
			caller.send(&wamp.Publish{Request: 10, Topic: topic, Options: wamp.Dict{"acknowledge": true},
				Payload: wamp.Payload{Args: wamp.List{bin}}})
			pub := expectType[*wamp.Published](t, caller.recv())
			ev := expectType[*wamp.Event](t, callee.recv())
			if ev.Subscription != subID || ev.Publication != pub.Publication {
				t.Fatalf("EVENT %+v for PUBLISHED %+v", ev, pub)
			}
			if args, _ := values(t, &ev.Payload); !bytes.Equal(args[0].([]byte), bin) {
				t.Fatalf("EVENT payload %v", args)
			}
		})
	}
}

func TestRoutingErrors(t *testing.T) {
	tr := startRouter(t, router.Config{})
	c := joined(t, tr, "websocket", "json")
	other := joined(t, tr, "websocket", "msgpack")
	c.register("com.example.taken")
	cases := []struct {
		name string
		msg  wamp.Message
		typ  wamp.MessageType
		uri  wamp.URI
	}{
		{"call unknown procedure", &wamp.Call{Request: 1, Procedure: "com.example.nothing"}, wamp.CALL, wamp.ErrNoSuchProcedure},
		{"call invalid uri", &wamp.Call{Request: 2, Procedure: "com..example"}, wamp.CALL, wamp.ErrInvalidURI},
		{"register invalid uri", &wamp.Register{Request: 3, Procedure: "com.example.a b"}, wamp.REGISTER, wamp.ErrInvalidURI},
		{"register reserved uri", &wamp.Register{Request: 4, Procedure: "wamp.session.count"}, wamp.REGISTER, wamp.ErrInvalidURI},
		{"register twice", &wamp.Register{Request: 5, Procedure: "com.example.taken"}, wamp.REGISTER, wamp.ErrProcedureAlreadyExists},
		{"register unknown match policy", &wamp.Register{Request: 6, Procedure: "com.example", Options: wamp.Dict{"match": "regex"}}, wamp.REGISTER, wamp.ErrInvalidArgument},
		{"unregister unknown", &wamp.Unregister{Request: 7, Registration: 123456}, wamp.UNREGISTER, wamp.ErrNoSuchRegistration},
		{"subscribe invalid uri", &wamp.Subscribe{Request: 8, Topic: "com.#bad"}, wamp.SUBSCRIBE, wamp.ErrInvalidURI},
		{"unsubscribe unknown", &wamp.Unsubscribe{Request: 9, Subscription: 98765}, wamp.UNSUBSCRIBE, wamp.ErrNoSuchSubscription},
		{"publish invalid uri acknowledged", &wamp.Publish{Request: 10, Topic: "a..b", Options: wamp.Dict{"acknowledge": true}}, wamp.PUBLISH, wamp.ErrInvalidURI},
		{"publish reserved acknowledged", &wamp.Publish{Request: 11, Topic: "wamp.session.on_join", Options: wamp.Dict{"acknowledge": true}}, wamp.PUBLISH, wamp.ErrInvalidURI},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.send(tc.msg)
			em := expectType[*wamp.ErrorMessage](t, c.recv())
			if em.RequestType != tc.typ || em.Error != tc.uri {
				t.Fatalf("got ERROR %s %s, want %s %s", em.RequestType, em.Error, tc.typ, tc.uri)
			}
		})
	}
	// Another session's registration cannot be removed.
	regID := other.register("com.example.others")
	c.send(&wamp.Unregister{Request: 20, Registration: regID})
	if em := expectType[*wamp.ErrorMessage](t, c.recv()); em.Error != wamp.ErrNoSuchRegistration {
		t.Fatalf("unregister of another session's registration: %s", em.Error)
	}
	// An unacknowledged invalid publish is silently dropped: the next
	// message the session gets is the answer to its next request.
	c.send(&wamp.Publish{Request: 21, Topic: "a..b"}, &wamp.Call{Request: 22, Procedure: "com.example.nothing"})
	if em := expectType[*wamp.ErrorMessage](t, c.recv()); em.Request != 22 {
		t.Fatalf("expected the CALL's error, got %+v", em)
	}
}

func TestUnregisterUnsubscribe(t *testing.T) {
	tr := startRouter(t, router.Config{})
	c := joined(t, tr, "rawsocket", "msgpack")
	regID := c.register("com.example.p")
	c.send(&wamp.Unregister{Request: 50, Registration: regID})
	if u := expectType[*wamp.Unregistered](t, c.recv()); u.Request != 50 {
		t.Fatalf("UNREGISTERED %+v", u)
	}
	c.send(&wamp.Call{Request: 51, Procedure: "com.example.p"})
	if em := expectType[*wamp.ErrorMessage](t, c.recv()); em.Error != wamp.ErrNoSuchProcedure {
		t.Fatalf("call after unregister: %s", em.Error)
	}
	sub := joined(t, tr, "websocket", "cbor")
	subID := sub.subscribe("com.example.t")
	if again := sub.subscribe("com.example.t"); again != subID {
		t.Fatalf("second SUBSCRIBE to the same topic got %d, want %d", again, subID)
	}
	sub.send(&wamp.Unsubscribe{Request: 60, Subscription: subID})
	expectType[*wamp.Unsubscribed](t, sub.recv())
	c.send(&wamp.Publish{Request: 61, Topic: "com.example.t"})
	c.send(&wamp.Publish{Request: 62, Topic: "com.example.t", Options: wamp.Dict{"acknowledge": true}})
	expectType[*wamp.Published](t, c.recv())
	// The unsubscribed session gets nothing: its next message answers its
	// next request.
	sub.send(&wamp.Call{Request: 63, Procedure: "com.example.none"})
	if em := expectType[*wamp.ErrorMessage](t, sub.recv()); em.Request != 63 {
		t.Fatalf("unsubscribed session got %+v", em)
	}
}

func TestExcludeMe(t *testing.T) {
	tr := startRouter(t, router.Config{})
	c := joined(t, tr, "websocket", "json")
	c.subscribe("com.example.me")
	c.send(&wamp.Publish{Request: 1, Topic: "com.example.me", Options: wamp.Dict{"acknowledge": true}})
	expectType[*wamp.Published](t, c.recv()) // and no EVENT before it or after
	c.send(&wamp.Publish{Request: 2, Topic: "com.example.me", Options: wamp.Dict{"acknowledge": true, "exclude_me": false}})
	expectType[*wamp.Event](t, c.recv())
	expectType[*wamp.Published](t, c.recv())
	c.send(&wamp.Call{Request: 3, Procedure: "com.example.none"})
	expectType[*wamp.ErrorMessage](t, c.recv())
}

// TestEventOrder: events of one publisher on one topic arrive in publish
// order at every subscriber, whatever its serializer.
func TestEventOrder(t *testing.T) {
	tr := startRouter(t, router.Config{})
	const n = 5000
	var subs []*conn
	for _, m := range matrix {
		s := dialAny(t, tr, m.transport, m.serializer)
		s.subscribe("com.example.seq")
		subs = append(subs, s)
	}
	pub := joined(t, tr, "rawsocket", "json")
	for i := range n {
		pub.send(&wamp.Publish{Request: wamp.ID(i + 1), Topic: "com.example.seq", Payload: wamp.Payload{Args: wamp.List{int64(i)}}})
	}
	for si, s := range subs {
		for i := range n {
			ev := expectType[*wamp.Event](t, s.recv())
			args, _ := values(t, &ev.Payload)
			if args[0] != int64(i) {
				t.Fatalf("subscriber %d (%s): event %d carries %v", si, matrix[si].transport, i, args[0])
			}
		}
	}
}

// TestConcurrentCalls keeps thousands of calls in flight from several
// callers and checks each RESULT answers its own CALL.
func TestConcurrentCalls(t *testing.T) {
	tr := startRouter(t, router.Config{})
	callee := joined(t, tr, "rawsocket", "msgpack")
	callee.register("com.example.echo")
	go func() {
		for m := range callee.in {
			if inv, ok := m.(*wamp.Invocation); ok {
				callee.peerSend(&wamp.Yield{Request: inv.Request, Payload: inv.Payload})
			}
		}
	}()
	const callers, perCaller = 4, 2000
	var wg sync.WaitGroup
	for ci := range callers {
		c := joined(t, tr, matrix[ci%6].transport, matrix[ci%6].serializer)
		wg.Add(1)
		go func() {
			defer wg.Done()
			calls := make([]wamp.Message, perCaller)
			for i := range perCaller {
				calls[i] = &wamp.Call{Request: wamp.ID(i + 1), Procedure: "com.example.echo",
					Payload: wamp.Payload{Args: wamp.List{int64(ci*perCaller + i)}}}
			}
			c.send(calls...)
			seen := make(map[wamp.ID]bool)
			for range perCaller {
				m := <-c.in
				res, ok := m.(*wamp.Result)
				if !ok {
					t.Errorf("caller %d: got %v", ci, m)
					return
				}
				args, _, err := res.Values()
				if err != nil || args[0] != int64(ci*perCaller+int(res.Request)-1) || seen[res.Request] {
					t.Errorf("caller %d: RESULT %d carries %v (err %v, dup %v)", ci, res.Request, args, err, seen[res.Request])
					return
				}
				seen[res.Request] = true
			}
		}()
	}
	wg.Wait()
}
