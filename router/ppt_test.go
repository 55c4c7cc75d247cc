package router_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/edgebar/edgebar/router"
	"github.com/edgebar/edgebar/router/wamp"
)

// Tests of Payload Passthru Mode (docs/advanced.md "Payload passthru mode"),
// with raw messages so that every ppt_* attribute is visible.

// pptJoin joins realm1 over WebSocket; the roles in ppt announce
// payload_passthru_mode, the others announce nothing. Callees also
// announce call canceling and progressive results.
func pptJoin(t *testing.T, tr *testRouter, ser string, ppt ...string) *conn {
	t.Helper()
	roles := wamp.Dict{}
	for _, r := range []string{"caller", "callee", "publisher", "subscriber"} {
		f := wamp.Dict{}
		if r == "callee" || r == "caller" {
			f["call_canceling"] = true
			f["progressive_call_results"] = true
		}
		roles[r] = wamp.Dict{"features": f}
	}
	for _, r := range ppt {
		roles[r].(wamp.Dict)["features"].(wamp.Dict)["payload_passthru_mode"] = true
	}
	c := dial(t, tr, "websocket", ser)
	c.send(&wamp.Hello{Realm: "realm1", Details: wamp.Dict{"roles": roles}})
	expectType[*wamp.Welcome](t, c.recv())
	return c
}

// pptOpts is a full set of ppt_* attributes; keyid tells messages apart.
func pptOpts(keyid string) wamp.Dict {
	return wamp.Dict{"ppt_scheme": "wamp.eth", "ppt_serializer": "cbor",
		"ppt_cipher": "xsalsa20poly1305", "ppt_keyid": keyid}
}

// checkPPT fails unless det has exactly the ppt_* attributes of want.
func checkPPT(t *testing.T, what string, det, want wamp.Dict) {
	t.Helper()
	for _, k := range []string{"ppt_scheme", "ppt_serializer", "ppt_cipher", "ppt_keyid"} {
		w, inWant := want[k]
		g, inGot := det[k]
		if inWant != inGot || g != w {
			t.Errorf("%s Details[%s] = %v (present %v), want %v (present %v)", what, k, g, inGot, w, inWant)
		}
	}
}

// checkBinary fails unless the payload is one binary argument equal to want.
func checkBinary(t *testing.T, what string, p *wamp.Payload, want []byte) {
	t.Helper()
	args, kw := values(t, p)
	if len(args) != 1 || len(kw) != 0 {
		t.Fatalf("%s payload %v %v, want one binary argument", what, args, kw)
	}
	b, ok := args[0].([]byte)
	if !ok || !bytes.Equal(b, want) {
		t.Fatalf("%s argument %T %v, want bytes %v", what, args[0], args[0], want)
	}
}

func expectAbort(t *testing.T, c *conn) {
	t.Helper()
	if a := expectType[*wamp.Abort](t, c.recv()); a.Reason != wamp.ErrProtocolViolation {
		t.Fatalf("ABORT %+v, want %s", a, wamp.ErrProtocolViolation)
	}
	c.expectClosed()
}

func TestPPTFeaturesAnnounced(t *testing.T) {
	tr := startRouter(t, router.Config{})
	w := dial(t, tr, "websocket", "json").join("realm1")
	roles, _ := w.Details["roles"].(wamp.Dict)
	for _, role := range []string{"broker", "dealer"} {
		r, _ := roles[role].(wamp.Dict)
		feats, _ := r["features"].(wamp.Dict)
		for _, f := range []string{"payload_passthru_mode", "payload_transparency"} {
			if feats[f] != true {
				t.Errorf("WELCOME %s feature %s = %v, want true", role, f, feats[f])
			}
		}
	}
}

// TestPPTCallForwarding: a JSON caller and a MessagePack callee exchange
// binary payloads; the ppt_* attributes travel with CALL→INVOCATION,
// YIELD→RESULT (final and progressive) and ERROR→ERROR.
func TestPPTCallForwarding(t *testing.T) {
	tr := startRouter(t, router.Config{})
	caller := pptJoin(t, tr, "json", "caller")
	callee := pptJoin(t, tr, "msgpack", "callee")
	callee.register("com.example.secret")
	blob := []byte{0, 1, 2, 0xfe, 0xff}

	tests := []struct {
		name     string
		callOpts wamp.Dict
		answer   func(inv *wamp.Invocation) // the callee's answer
		check    func(t *testing.T)         // what the caller gets
	}{
		{
			name:     "yield",
			callOpts: pptOpts("k1"),
			answer: func(inv *wamp.Invocation) {
				callee.send(&wamp.Yield{Request: inv.Request, Options: pptOpts("k2"), Payload: wamp.Payload{Args: wamp.List{blob[1:]}}})
			},
			check: func(t *testing.T) {
				r := expectType[*wamp.Result](t, caller.recv())
				checkPPT(t, "RESULT", r.Details, pptOpts("k2"))
				checkBinary(t, "RESULT", &r.Payload, blob[1:])
			},
		},
		{
			name:     "only the attributes present",
			callOpts: wamp.Dict{"ppt_scheme": "mqtt", "ppt_serializer": "mqtt", "other": "x"},
			answer: func(inv *wamp.Invocation) {
				callee.send(&wamp.Yield{Request: inv.Request, Options: wamp.Dict{"ppt_scheme": "mqtt"}, Payload: wamp.Payload{Args: wamp.List{blob}}})
			},
			check: func(t *testing.T) {
				r := expectType[*wamp.Result](t, caller.recv())
				checkPPT(t, "RESULT", r.Details, wamp.Dict{"ppt_scheme": "mqtt"})
				checkBinary(t, "RESULT", &r.Payload, blob)
			},
		},
		{
			name:     "error",
			callOpts: pptOpts("k1"),
			answer: func(inv *wamp.Invocation) {
				callee.send(&wamp.ErrorMessage{RequestType: wamp.INVOCATION, Request: inv.Request, Details: pptOpts("k3"),
					Error: "com.example.bad_year", Payload: wamp.Payload{Args: wamp.List{blob}}})
			},
			check: func(t *testing.T) {
				e := expectType[*wamp.ErrorMessage](t, caller.recv())
				if e.Error != "com.example.bad_year" {
					t.Fatalf("ERROR %s", e.Error)
				}
				checkPPT(t, "ERROR", e.Details, pptOpts("k3"))
				checkBinary(t, "ERROR", &e.Payload, blob)
			},
		},
		{
			name:     "progressive results",
			callOpts: func() wamp.Dict { o := pptOpts("k1"); o["receive_progress"] = true; return o }(),
			answer: func(inv *wamp.Invocation) {
				o := pptOpts("p1")
				o["progress"] = true
				callee.send(&wamp.Yield{Request: inv.Request, Options: o, Payload: wamp.Payload{Args: wamp.List{blob[:1]}}},
					&wamp.Yield{Request: inv.Request, Options: pptOpts("p2"), Payload: wamp.Payload{Args: wamp.List{blob[:2]}}})
			},
			check: func(t *testing.T) {
				r := expectType[*wamp.Result](t, caller.recv())
				if r.Details["progress"] != true {
					t.Fatalf("first RESULT %+v, want progress", r.Details)
				}
				checkPPT(t, "progressive RESULT", r.Details, pptOpts("p1"))
				checkBinary(t, "progressive RESULT", &r.Payload, blob[:1])
				r = expectType[*wamp.Result](t, caller.recv())
				if _, ok := r.Details["progress"]; ok {
					t.Fatalf("final RESULT %+v has progress", r.Details)
				}
				checkPPT(t, "final RESULT", r.Details, pptOpts("p2"))
				checkBinary(t, "final RESULT", &r.Payload, blob[:2])
			},
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			caller.send(&wamp.Call{Request: wamp.ID(i + 1), Options: tt.callOpts, Procedure: "com.example.secret",
				Payload: wamp.Payload{Args: wamp.List{blob}}})
			inv := invocation(t, callee)
			checkPPT(t, "INVOCATION", inv.Details, tt.callOpts)
			checkBinary(t, "INVOCATION", &inv.Payload, blob)
			tt.answer(inv)
			tt.check(t)
		})
	}
}

// TestPPTPublish: every subscriber gets the ppt_* attributes and the
// binary payload, whether or not it announced the feature (the spec leaves
// that check to the subscriber), also through a pattern subscription.
func TestPPTPublish(t *testing.T) {
	tr := startRouter(t, router.Config{})
	pub := pptJoin(t, tr, "json", "publisher")
	subs := []*conn{pptJoin(t, tr, "msgpack", "subscriber"), pptJoin(t, tr, "json"), pptJoin(t, tr, "cbor", "subscriber")}
	subs[0].subscribe("com.example.t")
	subs[1].subscribe("com.example.t")
	subs[2].send(&wamp.Subscribe{Request: 1, Options: wamp.Dict{"match": "prefix"}, Topic: "com.example"})
	expectType[*wamp.Subscribed](t, subs[2].recv())
	blob := []byte{9, 8, 7, 0}
	opts := pptOpts("k1")
	opts["acknowledge"] = true
	opts["disclose_me"] = true
	pub.send(&wamp.Publish{Request: 1, Options: opts, Topic: "com.example.t", Payload: wamp.Payload{Args: wamp.List{blob}}})
	expectType[*wamp.Published](t, pub.recv())
	for i, s := range subs {
		ev := expectType[*wamp.Event](t, s.recv())
		checkPPT(t, "EVENT", ev.Details, pptOpts("k1"))
		checkBinary(t, "EVENT", &ev.Payload, blob)
		if ev.Details["publisher"] == nil {
			t.Errorf("subscriber %d: EVENT.Details %+v without the disclosed publisher", i, ev.Details)
		}
		if i == 2 && ev.Details["topic"] != "com.example.t" {
			t.Errorf("pattern EVENT.Details %+v without topic", ev.Details)
		}
	}
}

func TestPPTErrors(t *testing.T) {
	tr := startRouter(t, router.Config{})
	pptCallee := pptJoin(t, tr, "json", "callee")
	pptCallee.register("com.example.ppt")
	plainCallee := pptJoin(t, tr, "msgpack")
	plainCallee.register("com.example.plain")
	blob := wamp.Payload{Args: wamp.List{[]byte{1}}}

	t.Run("CALL from a caller that did not announce", func(t *testing.T) {
		c := pptJoin(t, tr, "json", "callee", "publisher")
		c.send(&wamp.Call{Request: 1, Options: pptOpts("k"), Procedure: "com.example.ppt", Payload: blob})
		expectAbort(t, c)
	})
	t.Run("CALL to a callee that did not announce", func(t *testing.T) {
		c := pptJoin(t, tr, "json", "caller")
		c.send(&wamp.Call{Request: 1, Options: pptOpts("k"), Procedure: "com.example.plain", Payload: blob})
		if e := expectType[*wamp.ErrorMessage](t, c.recv()); e.Error != wamp.ErrFeatureNotSupported || e.Request != 1 {
			t.Fatalf("ERROR %+v, want %s", e, wamp.ErrFeatureNotSupported)
		}
		// The callee got no INVOCATION: its next one is the plain call's.
		c.send(&wamp.Call{Request: 2, Procedure: "com.example.plain"})
		inv := invocation(t, plainCallee)
		if len(inv.Details) != 0 {
			t.Fatalf("INVOCATION.Details %+v", inv.Details)
		}
		plainCallee.send(&wamp.Yield{Request: inv.Request})
		if r := expectType[*wamp.Result](t, c.recv()); r.Request != 2 {
			t.Fatalf("RESULT for %d", r.Request)
		}
	})
	t.Run("empty ppt_scheme is no passthru", func(t *testing.T) {
		c := pptJoin(t, tr, "json")
		c.send(&wamp.Call{Request: 1, Options: wamp.Dict{"ppt_scheme": "", "ppt_keyid": "k"}, Procedure: "com.example.plain"})
		inv := invocation(t, plainCallee)
		checkPPT(t, "INVOCATION", inv.Details, nil)
		plainCallee.send(&wamp.Yield{Request: inv.Request, Options: wamp.Dict{"ppt_scheme": ""}})
		r := expectType[*wamp.Result](t, c.recv())
		checkPPT(t, "RESULT", r.Details, nil)
	})

	// A callee that did not announce the feature answers with ppt.
	for _, answer := range []string{"YIELD", "ERROR"} {
		t.Run(answer+" from a callee that did not announce", func(t *testing.T) {
			callee := pptJoin(t, tr, "json", "caller")
			callee.register("com.example.liar_" + wamp.URI(strings.ToLower(answer)))
			c := pptJoin(t, tr, "json", "caller")
			c.send(&wamp.Call{Request: 1, Procedure: "com.example.liar_" + wamp.URI(strings.ToLower(answer))})
			inv := invocation(t, callee)
			if answer == "YIELD" {
				callee.send(&wamp.Yield{Request: inv.Request, Options: pptOpts("k"), Payload: blob})
			} else {
				callee.send(&wamp.ErrorMessage{RequestType: wamp.INVOCATION, Request: inv.Request, Details: pptOpts("k"),
					Error: "com.example.e", Payload: blob})
			}
			expectAbort(t, callee)
			// The call ends as for any callee that leaves.
			if e := expectType[*wamp.ErrorMessage](t, c.recv()); e.Error != wamp.ErrCanceled {
				t.Fatalf("caller got ERROR %s, want %s", e.Error, wamp.ErrCanceled)
			}
		})
	}

	// The callee answers with ppt to a caller that did not announce it: the
	// caller gets feature_not_supported instead, and the call is over.
	answers := []struct {
		name      string
		msgs      func(req wamp.ID) []wamp.Message
		interrupt bool
	}{
		{"YIELD", func(req wamp.ID) []wamp.Message {
			return []wamp.Message{&wamp.Yield{Request: req, Options: pptOpts("k"), Payload: blob}}
		}, false},
		{"ERROR", func(req wamp.ID) []wamp.Message {
			return []wamp.Message{&wamp.ErrorMessage{RequestType: wamp.INVOCATION, Request: req, Details: pptOpts("k"), Error: "com.example.e"}}
		}, false},
		{"progressive YIELD", func(req wamp.ID) []wamp.Message {
			o := pptOpts("k")
			o["progress"] = true
			// The final YIELD comes after the call ended: dropped.
			return []wamp.Message{&wamp.Yield{Request: req, Options: o, Payload: blob}, &wamp.Yield{Request: req}}
		}, true},
	}
	for i, a := range answers {
		t.Run(a.name+" for a caller that did not announce", func(t *testing.T) {
			c := pptJoin(t, tr, "cbor")
			req := wamp.ID(10 + i)
			c.send(&wamp.Call{Request: req, Options: wamp.Dict{"receive_progress": true}, Procedure: "com.example.ppt"})
			inv := invocation(t, pptCallee)
			pptCallee.send(a.msgs(inv.Request)...)
			e := expectType[*wamp.ErrorMessage](t, c.recv())
			if e.Error != wamp.ErrFeatureNotSupported || e.Request != req {
				t.Fatalf("ERROR %+v, want %s for %d", e, wamp.ErrFeatureNotSupported, req)
			}
			if a.interrupt {
				in := expectType[*wamp.Interrupt](t, pptCallee.recv())
				if in.Request != inv.Request || in.Options["reason"] != string(wamp.ErrFeatureNotSupported) {
					t.Fatalf("INTERRUPT %+v", in)
				}
			}
			// Nothing else reaches the caller: its next message answers
			// its next call.
			c.send(&wamp.Call{Request: req + 100, Procedure: "com.example.ppt"})
			inv = invocation(t, pptCallee)
			pptCallee.send(&wamp.Yield{Request: inv.Request})
			if r := expectType[*wamp.Result](t, c.recv()); r.Request != req+100 {
				t.Fatalf("RESULT for %d, want %d", r.Request, req+100)
			}
		})
	}

	t.Run("PUBLISH from a publisher that did not announce", func(t *testing.T) {
		sub := pptJoin(t, tr, "json", "subscriber")
		sub.subscribe("com.example.t")
		p := pptJoin(t, tr, "json", "caller", "callee", "subscriber")
		opts := pptOpts("k")
		opts["acknowledge"] = true
		p.send(&wamp.Publish{Request: 1, Options: opts, Topic: "com.example.t", Payload: blob})
		expectAbort(t, p)
		// Nothing was published: the subscriber's next EVENT is the next
		// publication's.
		p2 := pptJoin(t, tr, "json", "publisher")
		p2.send(&wamp.Publish{Request: 1, Options: wamp.Dict{"acknowledge": true}, Topic: "com.example.t"})
		expectType[*wamp.Published](t, p2.recv())
		ev := expectType[*wamp.Event](t, sub.recv())
		checkPPT(t, "EVENT", ev.Details, nil)
	})
}
