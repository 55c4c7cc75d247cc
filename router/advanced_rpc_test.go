package router_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/edgebar/edgebar/router"
	"github.com/edgebar/edgebar/router/wamp"
)

// Tests of the advanced-profile RPC features (docs/advanced.md "RPC"), with
// raw messages so that every Details and Options key is visible.

// roleFeatures is HELLO.Details.roles.<role> announcing the named features.
func roleFeatures(names ...string) wamp.Dict {
	f := wamp.Dict{}
	for _, n := range names {
		f[n] = true
	}
	return wamp.Dict{"features": f}
}

// joinAs joins realm1 over WebSocket announcing the given caller and callee
// features, and HELLO.Details.authid when authid is not empty.
func joinAs(t *testing.T, tr *testRouter, ser, authid string, caller, callee []string) *conn {
	t.Helper()
	c := dial(t, tr, "websocket", ser)
	d := wamp.Dict{"roles": wamp.Dict{
		"caller": roleFeatures(caller...), "callee": roleFeatures(callee...),
		"publisher": wamp.Dict{}, "subscriber": wamp.Dict{},
	}}
	if authid != "" {
		d["authid"] = authid
	}
	c.send(&wamp.Hello{Realm: "realm1", Details: d})
	expectType[*wamp.Welcome](t, c.recv())
	return c
}

var (
	allCaller = []string{"call_canceling", "progressive_call_results", "progressive_call_invocations", "caller_identification"}
	allCallee = []string{"call_canceling", "progressive_call_results", "progressive_call_invocations", "call_timeout",
		"caller_identification", "registration_revocation", "shared_registration", "pattern_based_registration"}
)

func (c *conn) registerWith(uri wamp.URI, opts wamp.Dict) wamp.ID {
	c.t.Helper()
	req := c.req.Next()
	c.send(&wamp.Register{Request: req, Options: opts, Procedure: uri})
	r := expectType[*wamp.Registered](c.t, c.recv())
	if r.Request != req {
		c.t.Fatalf("REGISTERED for %d, want %d", r.Request, req)
	}
	return r.Registration
}

// registerErr sends REGISTER and returns the ERROR URI it gets.
func (c *conn) registerErr(uri wamp.URI, opts wamp.Dict) wamp.URI {
	c.t.Helper()
	c.send(&wamp.Register{Request: c.req.Next(), Options: opts, Procedure: uri})
	return expectType[*wamp.ErrorMessage](c.t, c.recv()).Error
}

func invocation(t *testing.T, c *conn) *wamp.Invocation {
	t.Helper()
	return expectType[*wamp.Invocation](t, c.recv())
}

func firstArg(t *testing.T, p *wamp.Payload) any {
	t.Helper()
	args, _ := values(t, p)
	if len(args) == 0 {
		return nil
	}
	return args[0]
}

func sameInt(v any, n int64) bool {
	i, ok := wamp.AsInt64(v)
	return ok && i == n
}

func TestDealerFeaturesAnnounced(t *testing.T) {
	tr := startRouter(t, router.Config{})
	c := dial(t, tr, "websocket", "json")
	w := c.join("realm1")
	roles, _ := w.Details["roles"].(wamp.Dict)
	dealer, _ := roles["dealer"].(wamp.Dict)
	feats, _ := dealer["features"].(wamp.Dict)
	for _, f := range []string{"progressive_call_results", "progressive_call_invocations", "call_canceling", "call_timeout",
		"caller_identification", "pattern_based_registration", "shared_registration", "call_reroute", "registration_revocation"} {
		if feats[f] != true {
			t.Errorf("WELCOME dealer feature %s = %v, want true", f, feats[f])
		}
	}
}

func TestProgressiveCallResults(t *testing.T) {
	for _, ser := range []string{"json", "msgpack", "cbor"} {
		t.Run(ser, func(t *testing.T) {
			tr := startRouter(t, router.Config{})
			callee := joinAs(t, tr, ser, "", nil, allCallee)
			caller := joinAs(t, tr, "json", "", allCaller, nil)
			callee.register("com.example.stream")

			caller.send(&wamp.Call{Request: 1, Options: wamp.Dict{"receive_progress": true}, Procedure: "com.example.stream"})
			inv := invocation(t, callee)
			if inv.Details["receive_progress"] != true {
				t.Fatalf("INVOCATION.Details %v: want receive_progress", inv.Details)
			}
			for i := range 3 {
				callee.send(&wamp.Yield{Request: inv.Request, Options: wamp.Dict{"progress": true}, Payload: wamp.Payload{Args: wamp.List{i}}})
			}
			callee.send(&wamp.Yield{Request: inv.Request, Payload: wamp.Payload{Args: wamp.List{"done"}}})
			for i := range 3 {
				r := expectType[*wamp.Result](t, caller.recv())
				if r.Request != 1 || r.Details["progress"] != true || !sameInt(firstArg(t, &r.Payload), int64(i)) {
					t.Fatalf("progressive RESULT %d: %+v", i, r)
				}
			}
			r := expectType[*wamp.Result](t, caller.recv())
			if r.Details["progress"] == true || firstArg(t, &r.Payload) != "done" {
				t.Fatalf("final RESULT: %+v", r)
			}
			// The call is over: a late progressive YIELD is dropped.
			callee.send(&wamp.Yield{Request: inv.Request, Options: wamp.Dict{"progress": true}})
			caller.send(&wamp.Call{Request: 2, Procedure: "com.example.nothing"})
			if em := expectType[*wamp.ErrorMessage](t, caller.recv()); em.Request != 2 {
				t.Fatalf("got %+v", em)
			}
		})
	}
}

func TestProgressiveResultsNotForwarded(t *testing.T) {
	tr := startRouter(t, router.Config{})
	cases := []struct {
		name         string
		calleeFeats  []string
		receive      bool
		wantForward  bool
		wantDetailRP bool
	}{
		{"caller did not ask", allCallee, false, false, false},
		// WAMP §"Progressive Call Results": a callee without call canceling
		// is taken not to support progressive results.
		{"callee without canceling", []string{"progressive_call_results"}, true, false, false},
		{"both", allCallee, true, true, true},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			callee := joinAs(t, tr, "json", "", nil, tc.calleeFeats)
			caller := joinAs(t, tr, "json", "", allCaller, nil)
			uri := wamp.URI(fmt.Sprintf("com.example.p%d", i))
			callee.register(uri)
			caller.send(&wamp.Call{Request: 1, Options: wamp.Dict{"receive_progress": tc.receive}, Procedure: uri})
			inv := invocation(t, callee)
			if got := inv.Details["receive_progress"] == true; got != tc.wantDetailRP {
				t.Fatalf("INVOCATION.Details %v", inv.Details)
			}
			callee.send(&wamp.Yield{Request: inv.Request, Options: wamp.Dict{"progress": true}, Payload: wamp.Payload{Args: wamp.List{"p"}}},
				&wamp.Yield{Request: inv.Request, Payload: wamp.Payload{Args: wamp.List{"final"}}})
			r := expectType[*wamp.Result](t, caller.recv())
			if tc.wantForward {
				if r.Details["progress"] != true {
					t.Fatalf("want the progressive RESULT first, got %+v", r)
				}
				r = expectType[*wamp.Result](t, caller.recv())
			}
			if firstArg(t, &r.Payload) != "final" {
				t.Fatalf("want the final RESULT, got %+v", r)
			}
		})
	}
}

func TestCallTimeout(t *testing.T) {
	tr := startRouter(t, router.Config{})
	cases := []struct {
		name          string
		calleeFeats   []string
		wantInterrupt bool
	}{
		{"callee cancels", allCallee, true},
		{"callee without canceling", nil, false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			callee := joinAs(t, tr, "json", "", nil, tc.calleeFeats)
			caller := joinAs(t, tr, "msgpack", "", allCaller, nil)
			uri := wamp.URI(fmt.Sprintf("com.example.slow%d", i))
			callee.register(uri)
			caller.send(&wamp.Call{Request: 7, Options: wamp.Dict{"timeout": 30}, Procedure: uri})
			inv := invocation(t, callee)
			if _, ok := inv.Details["timeout"]; ok {
				t.Fatalf("timeout forwarded without forward_timeout: %v", inv.Details)
			}
			em := expectType[*wamp.ErrorMessage](t, caller.recv())
			if em.Request != 7 || em.Error != wamp.ErrTimeout {
				t.Fatalf("want ERROR wamp.error.timeout, got %+v", em)
			}
			// The next message the callee gets tells whether it was interrupted.
			caller.send(&wamp.Call{Request: 8, Procedure: uri})
			m := callee.recv()
			if tc.wantInterrupt {
				in := expectType[*wamp.Interrupt](t, m)
				if in.Request != inv.Request || in.Options["mode"] != "killnowait" {
					t.Fatalf("INTERRUPT %+v", in)
				}
				m = callee.recv()
			}
			inv2 := expectType[*wamp.Invocation](t, m)
			// A late YIELD for the timed-out call is dropped; the new call is answered.
			callee.send(&wamp.Yield{Request: inv.Request, Payload: wamp.Payload{Args: wamp.List{"late"}}},
				&wamp.Yield{Request: inv2.Request, Payload: wamp.Payload{Args: wamp.List{"ok"}}})
			r := expectType[*wamp.Result](t, caller.recv())
			if r.Request != 8 || firstArg(t, &r.Payload) != "ok" {
				t.Fatalf("RESULT %+v", r)
			}
		})
	}
}

func TestCallTimeoutForwarded(t *testing.T) {
	tr := startRouter(t, router.Config{})
	callee := joinAs(t, tr, "json", "", nil, allCallee)
	caller := joinAs(t, tr, "json", "", allCaller, nil)
	callee.registerWith("com.example.fwd", wamp.Dict{"forward_timeout": true})
	caller.send(&wamp.Call{Request: 1, Options: wamp.Dict{"timeout": 1}, Procedure: "com.example.fwd"})
	inv := invocation(t, callee)
	if !sameInt(inv.Details["timeout"], 1) {
		t.Fatalf("INVOCATION.Details %v: want timeout 1", inv.Details)
	}
	// The callee owns the timeout: however late it answers, the router
	// started no timer of its own and forwards the answer.
	time.Sleep(20 * time.Millisecond)
	callee.send(&wamp.Yield{Request: inv.Request, Payload: wamp.Payload{Args: wamp.List{"ok"}}})
	if r := expectType[*wamp.Result](t, caller.recv()); firstArg(t, &r.Payload) != "ok" {
		t.Fatalf("RESULT %+v", r)
	}
	// A negative timeout is refused.
	caller.send(&wamp.Call{Request: 2, Options: wamp.Dict{"timeout": -5}, Procedure: "com.example.fwd"})
	if em := expectType[*wamp.ErrorMessage](t, caller.recv()); em.Error != wamp.ErrInvalidArgument {
		t.Fatalf("ERROR %+v", em)
	}
}

func TestCallCanceling(t *testing.T) {
	tr := startRouter(t, router.Config{})
	cases := []struct {
		name          string
		calleeFeats   []string
		mode          any // nil: no mode option
		wantInterrupt string
		immediate     bool // the caller's ERROR comes before the callee answers
	}{
		{"skip", allCallee, "skip", "", true},
		{"killnowait", allCallee, "killnowait", "killnowait", true},
		{"default mode", allCallee, nil, "killnowait", true},
		{"kill", allCallee, "kill", "kill", false},
		{"kill to callee without canceling", nil, "kill", "", true},
		{"killnowait to callee without canceling", nil, "killnowait", "", true},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			callee := joinAs(t, tr, "json", "", nil, tc.calleeFeats)
			caller := joinAs(t, tr, "cbor", "", allCaller, nil)
			uri := wamp.URI(fmt.Sprintf("com.example.cancel%d", i))
			callee.register(uri)
			caller.send(&wamp.Call{Request: 5, Procedure: uri})
			inv := invocation(t, callee)
			opts := wamp.Dict{}
			if tc.mode != nil {
				opts["mode"] = tc.mode
			}
			caller.send(&wamp.Cancel{Request: 5, Options: opts}, &wamp.Call{Request: 6, Procedure: uri})
			m := callee.recv()
			if tc.wantInterrupt != "" {
				in := expectType[*wamp.Interrupt](t, m)
				if in.Request != inv.Request || in.Options["mode"] != tc.wantInterrupt {
					t.Fatalf("INTERRUPT %+v, want mode %s", in, tc.wantInterrupt)
				}
				m = callee.recv()
			}
			inv2 := expectType[*wamp.Invocation](t, m)
			if tc.immediate {
				em := expectType[*wamp.ErrorMessage](t, caller.recv())
				if em.Request != 5 || em.Error != wamp.ErrCanceled {
					t.Fatalf("want ERROR canceled for 5, got %+v", em)
				}
				// The callee's late answer is discarded.
				callee.send(&wamp.ErrorMessage{RequestType: wamp.INVOCATION, Request: inv.Request, Error: wamp.ErrCanceled})
			} else {
				// kill: the callee's answer ends the call.
				callee.send(&wamp.ErrorMessage{RequestType: wamp.INVOCATION, Request: inv.Request, Error: wamp.ErrCanceled,
					Payload: wamp.Payload{Args: wamp.List{"interrupted"}}})
				em := expectType[*wamp.ErrorMessage](t, caller.recv())
				if em.Request != 5 || em.Error != wamp.ErrCanceled || firstArg(t, &em.Payload) != "interrupted" {
					t.Fatalf("want the callee's ERROR for 5, got %+v", em)
				}
			}
			callee.send(&wamp.Yield{Request: inv2.Request})
			if r := expectType[*wamp.Result](t, caller.recv()); r.Request != 6 {
				t.Fatalf("RESULT %+v", r)
			}
		})
	}
}

func TestCancelBadModeIsProtocolError(t *testing.T) {
	tr := startRouter(t, router.Config{})
	caller := joinAs(t, tr, "json", "", allCaller, nil)
	caller.send(&wamp.Cancel{Request: 1, Options: wamp.Dict{"mode": "explode"}})
	if a := expectType[*wamp.Abort](t, caller.recv()); a.Reason != wamp.ErrProtocolViolation {
		t.Fatalf("ABORT %+v", a)
	}
	caller.expectClosed()
}

func TestCallerLeavesInterruptsCallee(t *testing.T) {
	tr := startRouter(t, router.Config{})
	callee := joinAs(t, tr, "json", "", nil, allCallee)
	plain := joinAs(t, tr, "json", "", nil, nil) // no call_canceling: never interrupted
	callee.register("com.example.long")
	plain.register("com.example.long2")
	caller := joinAs(t, tr, "json", "", allCaller, nil)
	caller.send(&wamp.Call{Request: 1, Options: wamp.Dict{"receive_progress": true}, Procedure: "com.example.long"},
		&wamp.Call{Request: 2, Procedure: "com.example.long2"})
	inv := invocation(t, callee)
	inv2 := invocation(t, plain)
	caller.send(&wamp.Goodbye{Details: wamp.Dict{}, Reason: wamp.CloseNormal})
	expectType[*wamp.Goodbye](t, caller.recv())
	in := expectType[*wamp.Interrupt](t, callee.recv())
	if in.Request != inv.Request || in.Options["mode"] != "killnowait" {
		t.Fatalf("INTERRUPT %+v", in)
	}
	// The plain callee's answer is dropped and it gets nothing else.
	plain.send(&wamp.Yield{Request: inv2.Request})
	other := joinAs(t, tr, "json", "", nil, nil)
	other.send(&wamp.Call{Request: 3, Procedure: "com.example.long2"})
	if inv3 := invocation(t, plain); inv3.Request == inv2.Request {
		t.Fatalf("request id reused: %+v", inv3)
	}
}

func TestCallerIdentification(t *testing.T) {
	tr := startRouter(t, router.Config{})
	callee := joinAs(t, tr, "json", "", nil, allCallee)
	caller := joinAs(t, tr, "json", "board-7", allCaller, nil)
	callee.register("com.example.who")
	callee.registerWith("com.example.always", wamp.Dict{"disclose_caller": true})
	cases := []struct {
		name   string
		uri    wamp.URI
		opts   wamp.Dict
		reveal bool
	}{
		{"not asked", "com.example.who", nil, false},
		{"disclose_me", "com.example.who", wamp.Dict{"disclose_me": true}, true},
		{"disclose_caller", "com.example.always", nil, true},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			caller.send(&wamp.Call{Request: wamp.ID(i + 1), Options: tc.opts, Procedure: tc.uri})
			inv := invocation(t, callee)
			_, has := inv.Details["caller"]
			if has != tc.reveal {
				t.Fatalf("INVOCATION.Details %v", inv.Details)
			}
			if tc.reveal && (inv.Details["caller_authid"] != "board-7" || inv.Details["caller_authrole"] != "anonymous") {
				t.Fatalf("INVOCATION.Details %v", inv.Details)
			}
			callee.send(&wamp.Yield{Request: inv.Request})
			expectType[*wamp.Result](t, caller.recv())
		})
	}
}

// calleeSet registers n callees on uri with opts, all with every feature.
func calleeSet(t *testing.T, tr *testRouter, n int, uri wamp.URI, opts wamp.Dict) ([]*conn, wamp.ID) {
	t.Helper()
	cs := make([]*conn, n)
	var reg wamp.ID
	for i := range cs {
		cs[i] = joinAs(t, tr, "json", "", nil, allCallee)
		id := cs[i].registerWith(uri, opts)
		if i > 0 && id != reg {
			t.Fatalf("shared registration ids differ: %d, %d", reg, id)
		}
		reg = id
	}
	return cs, reg
}

// whoGets calls uri and returns the index of the callee invoked, answering it.
func whoGets(t *testing.T, caller *conn, cs []*conn, uri wamp.URI) int {
	t.Helper()
	caller.send(&wamp.Call{Request: caller.req.Next(), Procedure: uri})
	got := -1
	for got < 0 {
		for i, c := range cs {
			select {
			case m := <-c.in:
				inv := expectType[*wamp.Invocation](t, m)
				c.send(&wamp.Yield{Request: inv.Request})
				got = i
			default:
			}
		}
		if got < 0 {
			time.Sleep(time.Millisecond)
		}
	}
	expectType[*wamp.Result](t, caller.recv())
	return got
}

func TestSharedRegistration(t *testing.T) {
	tr := startRouter(t, router.Config{})
	caller := joinAs(t, tr, "json", "", allCaller, nil)
	cases := []struct {
		invoke string
		want   []int // callee index per call
	}{
		{"roundrobin", []int{0, 1, 2, 0, 1, 2}},
		{"first", []int{0, 0, 0}},
		{"last", []int{2, 2, 2}},
	}
	for _, tc := range cases {
		t.Run(tc.invoke, func(t *testing.T) {
			uri := wamp.URI("com.example.shared." + tc.invoke)
			cs, _ := calleeSet(t, tr, 3, uri, wamp.Dict{"invoke": tc.invoke})
			for i, want := range tc.want {
				if got := whoGets(t, caller, cs, uri); got != want {
					t.Fatalf("call %d went to callee %d, want %d", i, got, want)
				}
			}
		})
	}
	t.Run("random", func(t *testing.T) {
		cs, _ := calleeSet(t, tr, 3, "com.example.shared.random", wamp.Dict{"invoke": "random"})
		for range 10 {
			whoGets(t, caller, cs, "com.example.shared.random")
		}
	})
	t.Run("last after the last leaves", func(t *testing.T) {
		cs, _ := calleeSet(t, tr, 2, "com.example.shared.standby", wamp.Dict{"invoke": "last"})
		cs[1].send(&wamp.Goodbye{Details: wamp.Dict{}, Reason: wamp.CloseNormal})
		expectType[*wamp.Goodbye](t, cs[1].recv())
		for {
			if got := whoGets(t, caller, cs[:1], "com.example.shared.standby"); got == 0 {
				break
			}
		}
	})
}

func TestSharedRegistrationConflicts(t *testing.T) {
	tr := startRouter(t, router.Config{})
	a := joinAs(t, tr, "json", "", nil, allCallee)
	b := joinAs(t, tr, "json", "", nil, allCallee)
	a.register("com.example.single")
	a.registerWith("com.example.rr", wamp.Dict{"invoke": "roundrobin"})
	cases := []struct {
		name string
		uri  wamp.URI
		opts wamp.Dict
		want wamp.URI
	}{
		{"single taken", "com.example.single", wamp.Dict{"invoke": "roundrobin"}, wamp.ErrProcedureAlreadyExists},
		{"single taken, single asked", "com.example.single", nil, wamp.ErrProcedureAlreadyExists},
		{"different policy", "com.example.rr", wamp.Dict{"invoke": "random"}, "wamp.error.procedure_exists_with_different_invocation_policy"},
		{"single on shared", "com.example.rr", nil, "wamp.error.procedure_exists_with_different_invocation_policy"},
		{"unknown policy", "com.example.x", wamp.Dict{"invoke": "fastest"}, wamp.ErrInvalidArgument},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := b.registerErr(tc.uri, tc.opts); got != tc.want {
				t.Fatalf("ERROR %s, want %s", got, tc.want)
			}
		})
	}
	// The same session cannot join a shared registration twice.
	if got := a.registerErr("com.example.rr", wamp.Dict{"invoke": "roundrobin"}); got != wamp.ErrProcedureAlreadyExists {
		t.Fatalf("second join: %s", got)
	}
}

func TestCallReroute(t *testing.T) {
	tr := startRouter(t, router.Config{})
	caller := joinAs(t, tr, "json", "", allCaller, nil)
	unavailable := func(c *conn, inv *wamp.Invocation) {
		c.send(&wamp.ErrorMessage{RequestType: wamp.INVOCATION, Request: inv.Request, Error: wamp.ErrUnavailable})
	}
	t.Run("next callee answers", func(t *testing.T) {
		cs, _ := calleeSet(t, tr, 3, "com.example.rr1", wamp.Dict{"invoke": "first"})
		caller.send(&wamp.Call{Request: 1, Options: wamp.Dict{"disclose_me": true}, Procedure: "com.example.rr1", Payload: wamp.Payload{Args: wamp.List{"x"}}})
		unavailable(cs[0], invocation(t, cs[0]))
		inv := invocation(t, cs[1])
		if firstArg(t, &inv.Payload) != "x" || inv.Details["caller"] == nil {
			t.Fatalf("rerouted INVOCATION %+v", inv)
		}
		cs[1].send(&wamp.Yield{Request: inv.Request, Payload: wamp.Payload{Args: wamp.List{"from 1"}}})
		if r := expectType[*wamp.Result](t, caller.recv()); firstArg(t, &r.Payload) != "from 1" {
			t.Fatalf("RESULT %+v", r)
		}
	})
	t.Run("all unavailable", func(t *testing.T) {
		cs, _ := calleeSet(t, tr, 2, "com.example.rr2", wamp.Dict{"invoke": "roundrobin"})
		caller.send(&wamp.Call{Request: 2, Procedure: "com.example.rr2"})
		for _, c := range cs {
			unavailable(c, invocation(t, c))
		}
		if em := expectType[*wamp.ErrorMessage](t, caller.recv()); em.Request != 2 || em.Error != wamp.ErrNoAvailableCallee {
			t.Fatalf("ERROR %+v", em)
		}
	})
	t.Run("single", func(t *testing.T) {
		c := joinAs(t, tr, "json", "", nil, allCallee)
		c.register("com.example.rr3")
		caller.send(&wamp.Call{Request: 3, Procedure: "com.example.rr3"})
		unavailable(c, invocation(t, c))
		if em := expectType[*wamp.ErrorMessage](t, caller.recv()); em.Request != 3 || em.Error != wamp.ErrNoAvailableCallee {
			t.Fatalf("ERROR %+v", em)
		}
	})
}

func TestPatternRegistration(t *testing.T) {
	tr := startRouter(t, router.Config{})
	caller := joinAs(t, tr, "json", "", allCaller, nil)
	// The example of WAMP §"Pattern-based Registrations", one callee each.
	regs := []struct {
		uri   wamp.URI
		match string
	}{
		{"a1.b2.c3.d4.e55", "exact"},
		{"a1.b2.c3", "prefix"},
		{"a1.b2.c3.d4", "prefix"},
		{"a1.b2..d4.e5", "wildcard"},
		{"a1.b2.c33..e5", "wildcard"},
		{"a1.b2..d4.e5..g7", "wildcard"},
		{"a1.b2..d4..f6.g7", "wildcard"},
		{"x1.b2..d4.e5", "wildcard"},
		{"x1.b2.c33..e5", "wildcard"},
	}
	cs := make([]*conn, len(regs))
	for i, r := range regs {
		cs[i] = joinAs(t, tr, "json", "", nil, allCallee)
		cs[i].registerWith(r.uri, wamp.Dict{"match": r.match})
	}
	cases := []struct {
		uri  wamp.URI
		want int // index in regs, -1: no_such_procedure
	}{
		{"a1.b2.c3.d4.e55", 0},
		{"a1.b2.c3.d98.e74", 1},
		{"a1.b2.c3.d4.e325", 2},
		{"a1.b2.c55.d4.e5", 3},
		// The spec's example expects RPC 5 here, but its own prefix rule
		// ("com.myapp.myobject1" matches "com.myapp.myobject1-mysubobject1")
		// makes the prefix 'a1.b2.c3' match 'a1.b2.c33...' first; the
		// wildcard precedence without it is "x1" below.
		{"a1.b2.c33.d4.e5", 1},
		{"x1.b2.c33.d4.e5", 8},
		{"x1.b2.c55.d4.e5", 7},
		{"a1.b2.c88.d4.e5.f6.g7", 5},
		{"a2.b2.c2.d2.e2", -1},
	}
	for i, tc := range cases {
		t.Run(string(tc.uri), func(t *testing.T) {
			caller.send(&wamp.Call{Request: wamp.ID(100 + i), Procedure: tc.uri})
			if tc.want < 0 {
				if em := expectType[*wamp.ErrorMessage](t, caller.recv()); em.Error != wamp.ErrNoSuchProcedure {
					t.Fatalf("ERROR %+v", em)
				}
				return
			}
			inv := invocation(t, cs[tc.want])
			got, has := inv.Details["procedure"]
			if regs[tc.want].match == "exact" {
				if has {
					t.Fatalf("exact registration got Details.procedure %v", got)
				}
			} else if got != string(tc.uri) {
				t.Fatalf("INVOCATION.Details.procedure %v, want %s", got, tc.uri)
			}
			cs[tc.want].send(&wamp.Yield{Request: inv.Request})
			expectType[*wamp.Result](t, caller.recv())
		})
	}
	t.Run("invalid patterns", func(t *testing.T) {
		for _, r := range []struct {
			uri   wamp.URI
			match string
		}{{"a..b", "prefix"}, {"a..b", "exact"}, {"wamp..x", "wildcard"}} {
			if got := cs[0].registerErr(r.uri, wamp.Dict{"match": r.match}); got != wamp.ErrInvalidURI {
				t.Errorf("%s %s: %s", r.match, r.uri, got)
			}
		}
	})
}

func TestForceReregister(t *testing.T) {
	tr := startRouter(t, router.Config{})
	old := joinAs(t, tr, "json", "board-1", nil, allCallee)
	plain := joinAs(t, tr, "json", "", nil, nil) // did not announce registration_revocation
	caller := joinAs(t, tr, "json", "", allCaller, nil)
	oldReg := old.register("com.example.board.read")
	plain.register("com.example.board.write")

	// A second session is refused without the option...
	fresh := joinAs(t, tr, "json", "board-1", nil, allCallee)
	if got := fresh.registerErr("com.example.board.read", nil); got != wamp.ErrProcedureAlreadyExists {
		t.Fatalf("ERROR %s", got)
	}
	// ...and takes it over with it; the old callee is told.
	newReg := fresh.registerWith("com.example.board.read", wamp.Dict{"force_reregister": true})
	u := expectType[*wamp.Unregistered](t, old.recv())
	if u.Request != 0 || !sameInt(u.Details["registration"], int64(oldReg)) || u.Details["reason"] != "wamp.error.unregistered" {
		t.Fatalf("UNREGISTERED %+v", u)
	}
	caller.send(&wamp.Call{Request: 1, Procedure: "com.example.board.read"})
	inv := invocation(t, fresh)
	if inv.Registration != newReg {
		t.Fatalf("INVOCATION for registration %d, want %d", inv.Registration, newReg)
	}
	fresh.send(&wamp.Yield{Request: inv.Request})
	expectType[*wamp.Result](t, caller.recv())
	// The old session no longer holds the registration.
	old.send(&wamp.Unregister{Request: 50, Registration: oldReg})
	if em := expectType[*wamp.ErrorMessage](t, old.recv()); em.Error != wamp.ErrNoSuchRegistration {
		t.Fatalf("ERROR %+v", em)
	}
	// A callee without registration_revocation loses it silently.
	fresh.registerWith("com.example.board.write", wamp.Dict{"force_reregister": true})
	plain.send(&wamp.Call{Request: 60, Procedure: "com.example.nothing"})
	if em := expectType[*wamp.ErrorMessage](t, plain.recv()); em.Request != 60 {
		t.Fatalf("got %+v", em)
	}
}

func TestProgressiveCallInvocations(t *testing.T) {
	tr := startRouter(t, router.Config{})
	callee := joinAs(t, tr, "json", "", nil, allCallee)
	caller := joinAs(t, tr, "msgpack", "", allCaller, nil)
	callee.register("com.example.upload")

	caller.send(&wamp.Call{Request: 9, Options: wamp.Dict{"progress": true, "disclose_me": true, "receive_progress": true},
		Procedure: "com.example.upload", Payload: wamp.Payload{Args: wamp.List{"chunk0"}}})
	first := invocation(t, callee)
	if first.Details["progress"] != true || first.Details["caller"] == nil {
		t.Fatalf("first INVOCATION %+v", first)
	}
	// Later chunks: options other than progress are frozen from the first.
	caller.send(&wamp.Call{Request: 9, Options: wamp.Dict{"progress": true}, Procedure: "com.example.upload", Payload: wamp.Payload{Args: wamp.List{"chunk1"}}})
	callee.send(&wamp.Yield{Request: first.Request, Options: wamp.Dict{"progress": true}, Payload: wamp.Payload{Args: wamp.List{"ack0"}}})
	caller.send(&wamp.Call{Request: 9, Procedure: "com.example.upload", Payload: wamp.Payload{Args: wamp.List{"chunk2"}}})
	for i, wantProgress := range []bool{true, false} {
		inv := invocation(t, callee)
		if inv.Request != first.Request || (inv.Details["progress"] == true) != wantProgress || inv.Details["caller"] == nil {
			t.Fatalf("INVOCATION %d: %+v", i+1, inv)
		}
		if got := firstArg(t, &inv.Payload); got != fmt.Sprintf("chunk%d", i+1) {
			t.Fatalf("chunk %d: %v", i+1, got)
		}
	}
	if r := expectType[*wamp.Result](t, caller.recv()); r.Details["progress"] != true {
		t.Fatalf("progressive RESULT %+v", r)
	}
	callee.send(&wamp.Yield{Request: first.Request, Payload: wamp.Payload{Args: wamp.List{"stored"}}})
	if r := expectType[*wamp.Result](t, caller.recv()); r.Request != 9 || firstArg(t, &r.Payload) != "stored" {
		t.Fatalf("final RESULT %+v", r)
	}

	t.Run("callee without the feature", func(t *testing.T) {
		plain := joinAs(t, tr, "json", "", nil, []string{"call_canceling"})
		plain.register("com.example.noprog")
		caller.send(&wamp.Call{Request: 20, Options: wamp.Dict{"progress": true}, Procedure: "com.example.noprog"})
		if em := expectType[*wamp.ErrorMessage](t, caller.recv()); em.Error != wamp.ErrFeatureNotSupported {
			t.Fatalf("ERROR %+v", em)
		}
	})
	t.Run("caller leaving interrupts", func(t *testing.T) {
		c := joinAs(t, tr, "json", "", allCaller, nil)
		c.send(&wamp.Call{Request: 1, Options: wamp.Dict{"progress": true}, Procedure: "com.example.upload"})
		inv := invocation(t, callee)
		c.peer.Close()
		in := expectType[*wamp.Interrupt](t, callee.recv())
		if in.Request != inv.Request || in.Options["mode"] != "killnowait" {
			t.Fatalf("INTERRUPT %+v", in)
		}
	})
}

func TestProgressiveCallInvocationProtocolErrors(t *testing.T) {
	tr := startRouter(t, router.Config{})
	callee := joinAs(t, tr, "json", "", nil, allCallee)
	callee.register("com.example.p")
	t.Run("caller did not announce", func(t *testing.T) {
		c := joinAs(t, tr, "json", "", []string{"call_canceling"}, nil)
		c.send(&wamp.Call{Request: 1, Options: wamp.Dict{"progress": true}, Procedure: "com.example.p"})
		if a := expectType[*wamp.Abort](t, c.recv()); a.Reason != wamp.ErrProtocolViolation {
			t.Fatalf("ABORT %+v", a)
		}
		c.expectClosed()
	})
	t.Run("request id of a plain call in flight", func(t *testing.T) {
		c := joinAs(t, tr, "json", "", allCaller, nil)
		c.send(&wamp.Call{Request: 1, Procedure: "com.example.p"})
		invocation(t, callee)
		c.send(&wamp.Call{Request: 1, Options: wamp.Dict{"progress": true}, Procedure: "com.example.p"})
		if a := expectType[*wamp.Abort](t, c.recv()); a.Reason != wamp.ErrProtocolViolation {
			t.Fatalf("ABORT %+v", a)
		}
		c.expectClosed()
	})
}

// TestCallEndsOnce races progressive results, final answers, cancels and
// timeouts on the same calls: every call must end exactly once (one final
// RESULT or ERROR), and nothing may follow its end.
func TestCallEndsOnce(t *testing.T) {
	tr := startRouter(t, router.Config{})
	callee := joinAs(t, tr, "msgpack", "", nil, allCallee)
	caller := joinAs(t, tr, "json", "", allCaller, nil)
	callee.register("com.example.race")
	const n = 400
	go func() {
		// INVOCATION ids are sequential in the callee's scope, so they
		// equal the CALL ids here.
		for m := range callee.in {
			switch m := m.(type) {
			case *wamp.Interrupt:
				if m.Options["mode"] == "kill" {
					callee.peerSend(&wamp.ErrorMessage{RequestType: wamp.INVOCATION, Request: m.Request, Error: wamp.ErrCanceled})
				}
			case *wamp.Invocation:
				if m.Request%3 == 0 {
					callee.peerSend(&wamp.Yield{Request: m.Request, Options: wamp.Dict{"progress": true}})
				}
				if m.Request%10 != 0 { // calls with a timeout, every fifth left to it
					callee.peerSend(&wamp.Yield{Request: m.Request})
				}
			}
		}
	}()
	for i := wamp.ID(1); i <= n; i++ {
		opts := wamp.Dict{"receive_progress": true}
		if i%2 == 0 {
			opts["timeout"] = 1 + int(i%3)
		}
		caller.send(&wamp.Call{Request: i, Options: opts, Procedure: "com.example.race"})
		if i%4 == 0 {
			caller.send(&wamp.Cancel{Request: i - 1, Options: wamp.Dict{"mode": []string{"skip", "kill", "killnowait"}[i%3]}})
		}
	}
	ended := map[wamp.ID]bool{}
	for len(ended) < n {
		var req wamp.ID
		final := true
		switch m := caller.recv().(type) {
		case *wamp.Result:
			req, final = m.Request, m.Details["progress"] != true
		case *wamp.ErrorMessage:
			req = m.Request
		default:
			t.Fatalf("unexpected %s", m.Type())
		}
		if ended[req] {
			t.Fatalf("message for call %d after its end", req)
		}
		if final {
			ended[req] = true
		}
	}
}
