package router_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/edgebar/edgebar/router"
	"github.com/edgebar/edgebar/router/wamp"
)

// The meta API (sessions, registrations, subscriptions, testaments, event
// history) over real sockets with raw messages.

// metaCall calls a meta procedure and returns the RESULT or ERROR; EVENTs
// that arrive first are returned too, in order.
func metaCall(t *testing.T, c *conn, proc wamp.URI, args wamp.List, kwargs wamp.Dict) (wamp.Message, []*wamp.Event) {
	t.Helper()
	req := c.req.Next()
	c.send(&wamp.Call{Request: req, Options: wamp.Dict{}, Procedure: proc, Payload: wamp.Payload{Args: args, Kwargs: kwargs}})
	var evs []*wamp.Event
	for {
		switch m := c.recv().(type) {
		case *wamp.Event:
			evs = append(evs, m)
		case *wamp.Result:
			if m.Request != req {
				t.Fatalf("%s: RESULT for %d, want %d", proc, m.Request, req)
			}
			return m, evs
		case *wamp.ErrorMessage:
			if m.Request != req || m.RequestType != wamp.CALL {
				t.Fatalf("%s: ERROR %+v for another request", proc, m)
			}
			return m, evs
		default:
			t.Fatalf("%s: got %s %+v", proc, m.Type(), m)
		}
	}
}

// metaResult calls proc and returns the RESULT's arguments; an ERROR fails.
func metaResult(t *testing.T, c *conn, proc wamp.URI, args ...any) wamp.List {
	t.Helper()
	m, _ := metaCall(t, c, proc, wamp.List(args), nil)
	r, ok := m.(*wamp.Result)
	if !ok {
		t.Fatalf("%s%v: %+v", proc, args, m)
	}
	a, _ := values(t, &r.Payload)
	return a
}

// metaError calls proc and returns the ERROR's URI ("" for a RESULT).
func metaError(t *testing.T, c *conn, proc wamp.URI, args wamp.List, kwargs wamp.Dict) wamp.URI {
	t.Helper()
	m, _ := metaCall(t, c, proc, args, kwargs)
	if e, ok := m.(*wamp.ErrorMessage); ok {
		return e.Error
	}
	return ""
}

func asID(t *testing.T, v any) wamp.ID {
	t.Helper()
	id, ok := wamp.AsID(v)
	if !ok {
		t.Fatalf("%v (%T) is not an id", v, v)
	}
	return id
}

func idsOf(t *testing.T, v any) []wamp.ID {
	t.Helper()
	l, ok := v.(wamp.List)
	if !ok {
		t.Fatalf("%v (%T) is not a list", v, v)
	}
	out := make([]wamp.ID, len(l))
	for i, x := range l {
		out[i] = asID(t, x)
	}
	slices.Sort(out)
	return out
}

// nextEvent reads the next message, which must be an EVENT, and returns it
// with its arguments.
func nextEvent(t *testing.T, c *conn) (*wamp.Event, wamp.List) {
	t.Helper()
	ev := expectType[*wamp.Event](t, c.recv())
	a, _ := values(t, &ev.Payload)
	return ev, a
}

func TestMetaFeaturesAnnounced(t *testing.T) {
	for _, tt := range []struct {
		name    string
		history []router.HistoryConfig
	}{{"no history", nil}, {"history", []router.HistoryConfig{{Topic: "com.h"}}}} {
		t.Run(tt.name, func(t *testing.T) {
			tr := startRouter(t, router.Config{Realms: []router.RealmConfig{{Name: "realm1", History: tt.history}}})
			w := dial(t, tr, "websocket", "json").join("realm1")
			roles := w.Details["roles"].(wamp.Dict)
			feats := func(role string) wamp.Dict { return roles[role].(wamp.Dict)["features"].(wamp.Dict) }
			want := map[string][]string{
				"broker": {"session_meta_api", "subscription_meta_api", "subscription_revocation"},
				"dealer": {"session_meta_api", "registration_meta_api", "testament_meta_api", "registration_revocation"},
			}
			for role, fs := range want {
				for _, f := range fs {
					if feats(role)[f] != true {
						t.Errorf("roles.%s.features.%s = %v, want true", role, f, feats(role)[f])
					}
				}
			}
			if got := feats("broker")["event_history"] == true; got != (tt.history != nil) {
				t.Errorf("event_history announced %v with history config %v", got, tt.history)
			}
		})
	}
}

func TestMetaSessionProcedures(t *testing.T) {
	tr := startRouter(t, router.Config{})
	a, wa := psJoin(t, tr, "websocket", "json", "alice")
	b, wb := psJoin(t, tr, "rawsocket", "msgpack", "bob")
	_ = b
	both := []wamp.ID{wa.Session, wb.Session}
	slices.Sort(both)

	if n := metaResult(t, a, "wamp.session.count"); asID(t, n[0]) != 2 {
		t.Errorf("count = %v, want 2", n)
	}
	if n := metaResult(t, a, "wamp.session.count", wamp.List{"nobody"}); asID(t, n[0]) != 0 {
		t.Errorf("count([nobody]) = %v, want 0", n)
	}
	if got := idsOf(t, metaResult(t, a, "wamp.session.list", wamp.List{"anonymous"})[0]); !slices.Equal(got, both) {
		t.Errorf("list([anonymous]) = %v, want %v", got, both)
	}
	if got := idsOf(t, metaResult(t, a, "wamp.session.list")[0]); !slices.Equal(got, both) {
		t.Errorf("list() = %v, want %v", got, both)
	}
	d := metaResult(t, b, "wamp.session.get", wa.Session)[0].(wamp.Dict)
	if asID(t, d["session"]) != wa.Session || d["authid"] != "alice" || d["authrole"] != "anonymous" ||
		d["authmethod"] != "anonymous" || d["authprovider"] != "static" {
		t.Errorf("get(alice) = %v", d)
	}
	if tp, _ := d["transport"].(wamp.Dict); tp["type"] != "websocket" || tp["serializer"] != "json" {
		t.Errorf("get(alice).transport = %v", d["transport"])
	}

	errs := []struct {
		proc   wamp.URI
		args   wamp.List
		kwargs wamp.Dict
		want   wamp.URI
	}{
		{"wamp.session.get", wamp.List{int64(12345)}, nil, wamp.ErrNoSuchSession},
		{"wamp.session.get", nil, nil, wamp.ErrInvalidArgument},
		{"wamp.session.get", wamp.List{"x"}, nil, wamp.ErrInvalidArgument},
		{"wamp.session.count", wamp.List{"anonymous"}, nil, wamp.ErrInvalidArgument},
		{"wamp.session.kill", wamp.List{int64(wa.Session)}, nil, wamp.ErrNoSuchSession}, // the caller itself
		{"wamp.session.kill", wamp.List{int64(wb.Session)}, wamp.Dict{"reason": "not a uri"}, wamp.ErrInvalidURI},
		{"wamp.session.kill", wamp.List{int64(wb.Session)}, wamp.Dict{"reason": int64(1)}, wamp.ErrInvalidURI},
		{"wamp.session.kill_all", nil, wamp.Dict{"reason": ""}, wamp.ErrInvalidURI},
		{"wamp.session.nope", nil, nil, wamp.ErrNoSuchProcedure},
	}
	for _, e := range errs {
		if got := metaError(t, a, e.proc, e.args, e.kwargs); got != e.want {
			t.Errorf("%s %v %v: error %q, want %s", e.proc, e.args, e.kwargs, got, e.want)
		}
	}
	// Nobody may register in the reserved namespace.
	a.send(&wamp.Register{Request: 99, Procedure: "wamp.session.count"})
	if e := expectType[*wamp.ErrorMessage](t, a.recv()); e.Error != wamp.ErrInvalidURI {
		t.Errorf("REGISTER wamp.session.count: %+v", e)
	}
}

func TestMetaSessionKill(t *testing.T) {
	tests := []struct {
		name       string
		proc       wamp.URI
		args       func(victims []*wamp.Welcome) wamp.List
		kwargs     wamp.Dict
		wantReason wamp.URI
		wantMsg    string
		killed     []int // indexes into the victims
		result     func(t *testing.T, args wamp.List, victims []*wamp.Welcome)
	}{
		{name: "kill default reason", proc: "wamp.session.kill",
			args:       func(v []*wamp.Welcome) wamp.List { return wamp.List{v[0].Session} },
			wantReason: wamp.CloseKilled, killed: []int{0}},
		{name: "kill with reason and message", proc: "wamp.session.kill",
			args:   func(v []*wamp.Welcome) wamp.List { return wamp.List{v[1].Session} },
			kwargs: wamp.Dict{"reason": "com.example.bye", "message": "go away"}, wantReason: "com.example.bye", wantMsg: "go away", killed: []int{1}},
		{name: "kill_by_authid", proc: "wamp.session.kill_by_authid",
			args: func([]*wamp.Welcome) wamp.List { return wamp.List{"dup"} }, wantReason: wamp.CloseKilled, killed: []int{1, 2},
			result: func(t *testing.T, a wamp.List, v []*wamp.Welcome) {
				want := []wamp.ID{v[1].Session, v[2].Session}
				slices.Sort(want)
				if got := idsOf(t, a[0]); !slices.Equal(got, want) {
					t.Errorf("killed %v, want %v", got, want)
				}
			}},
		{name: "kill_by_authrole spares the caller", proc: "wamp.session.kill_by_authrole",
			args: func([]*wamp.Welcome) wamp.List { return wamp.List{"anonymous"} }, wantReason: wamp.CloseKilled, killed: []int{0, 1, 2},
			result: func(t *testing.T, a wamp.List, _ []*wamp.Welcome) {
				if asID(t, a[0]) != 3 {
					t.Errorf("count %v, want 3", a)
				}
			}},
		{name: "kill_all", proc: "wamp.session.kill_all", kwargs: wamp.Dict{"reason": "wamp.close.system_shutdown"},
			wantReason: wamp.CloseSystemShutdown, killed: []int{0, 1, 2},
			result: func(t *testing.T, a wamp.List, _ []*wamp.Welcome) {
				if asID(t, a[0]) != 3 {
					t.Errorf("count %v, want 3", a)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := startRouter(t, router.Config{})
			admin, _ := psJoin(t, tr, "websocket", "json", "dup")
			var conns []*conn
			var victims []*wamp.Welcome
			for i, authid := range []string{"v0", "dup", "dup"} {
				c, w := psJoin(t, tr, []string{"websocket", "rawsocket", "local"}[i], "cbor", authid)
				conns, victims = append(conns, c), append(victims, w)
			}
			var args wamp.List
			if tt.args != nil {
				args = tt.args(victims)
			}
			m, _ := metaCall(t, admin, tt.proc, args, tt.kwargs)
			r := expectType[*wamp.Result](t, m)
			if tt.result != nil {
				a, _ := values(t, &r.Payload)
				tt.result(t, a, victims)
			}
			for i, c := range conns {
				if !slices.Contains(tt.killed, i) {
					continue
				}
				g := expectType[*wamp.Goodbye](t, c.recv())
				if g.Reason != tt.wantReason || wamp.OptString(g.Details, "message") != tt.wantMsg {
					t.Errorf("victim %d: GOODBYE %v %v, want %s %q", i, g.Reason, g.Details, tt.wantReason, tt.wantMsg)
				}
				// The router closes the connection after its GOODBYE.
				c.peerSend(&wamp.Goodbye{Details: wamp.Dict{}, Reason: wamp.CloseGoodbyeAndOut})
				c.expectClosed()
			}
			left := len(victims) + 1 - len(tt.killed)
			for {
				n := metaResult(t, admin, "wamp.session.count")
				if asID(t, n[0]) == wamp.ID(left) {
					break
				}
			}
		})
	}
}

func TestMetaSessionEvents(t *testing.T) {
	tr := startRouter(t, router.Config{})
	watcher := joined(t, tr, "websocket", "json")
	// By pattern: the meta events are ordinary events to a subscriber.
	sub := psSubscribe(t, watcher, "wamp.session.", wamp.Dict{"match": "prefix"})
	c, w := psJoin(t, tr, "rawsocket", "msgpack", "joiner")
	ev, a := nextEvent(t, watcher)
	if ev.Subscription != sub || ev.Details["topic"] != "wamp.session.on_join" {
		t.Fatalf("on_join: %+v", ev)
	}
	d := a[0].(wamp.Dict)
	if asID(t, d["session"]) != w.Session || d["authid"] != "joiner" || d["authrole"] != "anonymous" ||
		d["authmethod"] != "anonymous" || d["authprovider"] != "static" || d["transport"] == nil {
		t.Errorf("on_join details %v", d)
	}
	c.peer.Close() // dropped, not a GOODBYE: on_leave all the same
	ev, a = nextEvent(t, watcher)
	if ev.Details["topic"] != "wamp.session.on_leave" || len(a) != 3 || asID(t, a[0]) != w.Session ||
		a[1] != "joiner" || a[2] != "anonymous" {
		t.Errorf("on_leave: %+v %v, want [session, authid, authrole]", ev, a)
	}
}

func TestMetaRegistration(t *testing.T) {
	tr := startRouter(t, router.Config{})
	watcher := joined(t, tr, "websocket", "json")
	psSubscribe(t, watcher, "wamp.registration.", wamp.Dict{"match": "prefix"})
	callee, cw := psJoin(t, tr, "websocket", "msgpack", "callee")
	revocable := dial(t, tr, "rawsocket", "json")
	revocable.send(&wamp.Hello{Realm: "realm1", Details: wamp.Dict{"roles": wamp.Dict{
		"callee": wamp.Dict{"features": wamp.Dict{"registration_revocation": true}}}}})
	rw := expectType[*wamp.Welcome](t, revocable.recv())

	reg := callee.register("com.example.add")
	events := func(want ...string) []wamp.List {
		t.Helper()
		var out []wamp.List
		for _, topic := range want {
			ev, a := nextEvent(t, watcher)
			if ev.Details["topic"] != topic {
				t.Fatalf("meta event %v, want %s", ev.Details["topic"], topic)
			}
			out = append(out, a)
		}
		return out
	}
	evs := events("wamp.registration.on_create", "wamp.registration.on_register")
	det := evs[0][1].(wamp.Dict)
	if asID(t, evs[0][0]) != cw.Session || asID(t, det["id"]) != reg || det["uri"] != "com.example.add" ||
		det["match"] != "exact" || det["invoke"] != "single" || det["created"] == "" {
		t.Errorf("on_create %v", evs[0])
	}
	if asID(t, evs[1][0]) != cw.Session || asID(t, evs[1][1]) != reg {
		t.Errorf("on_register %v", evs[1])
	}

	req := revocable.req.Next()
	revocable.send(&wamp.Register{Request: req, Options: wamp.Dict{"match": "prefix"}, Procedure: "com.example"})
	pre := expectType[*wamp.Registered](t, revocable.recv()).Registration
	events("wamp.registration.on_create", "wamp.registration.on_register")

	lists := metaResult(t, watcher, "wamp.registration.list")[0].(wamp.Dict)
	if got := idsOf(t, lists["exact"]); !slices.Equal(got, []wamp.ID{reg}) {
		t.Errorf("list exact %v", got)
	}
	if got := idsOf(t, lists["prefix"]); !slices.Equal(got, []wamp.ID{pre}) {
		t.Errorf("list prefix %v", got)
	}
	if got := idsOf(t, lists["wildcard"]); len(got) != 0 {
		t.Errorf("list wildcard %v", got)
	}
	checks := []struct {
		proc wamp.URI
		args wamp.List
		want any // wamp.ID, nil (null) or int
	}{
		{"wamp.registration.lookup", wamp.List{"com.example.add"}, reg},
		{"wamp.registration.lookup", wamp.List{"com.example", wamp.Dict{"match": "prefix"}}, pre},
		{"wamp.registration.lookup", wamp.List{"com.example"}, nil},
		{"wamp.registration.match", wamp.List{"com.example.add"}, reg},
		{"wamp.registration.match", wamp.List{"com.example.sub"}, pre},
		{"wamp.registration.match", wamp.List{"org.other"}, nil},
		{"wamp.registration.count_callees", wamp.List{reg}, wamp.ID(1)},
	}
	for _, c := range checks {
		got := metaResult(t, watcher, c.proc, c.args...)
		if c.want == nil {
			if got[0] != nil {
				t.Errorf("%s %v = %v, want null", c.proc, c.args, got)
			}
		} else if asID(t, got[0]) != c.want.(wamp.ID) {
			t.Errorf("%s %v = %v, want %v", c.proc, c.args, got, c.want)
		}
	}
	if got := idsOf(t, metaResult(t, watcher, "wamp.registration.list_callees", reg)[0]); !slices.Equal(got, []wamp.ID{cw.Session}) {
		t.Errorf("list_callees %v", got)
	}
	if d := metaResult(t, watcher, "wamp.registration.get", pre)[0].(wamp.Dict); d["match"] != "prefix" || d["uri"] != "com.example" {
		t.Errorf("get %v", d)
	}
	for _, p := range []wamp.URI{"wamp.registration.get", "wamp.registration.list_callees", "wamp.registration.count_callees"} {
		if e := metaError(t, watcher, p, wamp.List{int64(777)}, nil); e != wamp.ErrNoSuchRegistration {
			t.Errorf("%s(777): %q", p, e)
		}
	}

	// remove_callee: a callee that announced revocation is told.
	if e := metaError(t, watcher, "wamp.registration.remove_callee", wamp.List{pre, cw.Session}, nil); e != wamp.ErrNoSuchSession {
		t.Errorf("remove_callee of a session that is no callee: %q", e)
	}
	_, evList := metaCall(t, watcher, "wamp.registration.remove_callee", wamp.List{pre, rw.Session, "moved"}, nil)
	if len(evList) != 2 {
		t.Fatalf("events before the RESULT of remove_callee: %d, want on_unregister and on_delete", len(evList))
	}
	u := expectType[*wamp.Unregistered](t, revocable.recv())
	if u.Request != 0 || asID(t, u.Details["registration"]) != pre || u.Details["reason"] != "moved" {
		t.Errorf("revocation %+v", u)
	}
	// UNREGISTER: on_unregister, then on_delete.
	callee.send(&wamp.Unregister{Request: callee.req.Next(), Registration: reg})
	expectType[*wamp.Unregistered](t, callee.recv())
	evs = events("wamp.registration.on_unregister", "wamp.registration.on_delete")
	for _, e := range evs {
		if asID(t, e[0]) != cw.Session || asID(t, e[1]) != reg {
			t.Errorf("unregister event %v", e)
		}
	}
}

func TestMetaSubscription(t *testing.T) {
	tr := startRouter(t, router.Config{})
	watcher := joined(t, tr, "websocket", "json")
	meta := psSubscribe(t, watcher, "wamp.subscription.", wamp.Dict{"match": "wildcard"})
	// The watcher sees its own subscription made: on_create, on_subscribe.
	if ev, a := nextEvent(t, watcher); ev.Details["topic"] != "wamp.subscription.on_create" || asID(t, a[1].(wamp.Dict)["id"]) != meta {
		t.Fatalf("own on_create %+v %v", ev, a)
	}
	nextEvent(t, watcher)
	s1, w1 := psJoin(t, tr, "rawsocket", "cbor", "s1")
	s2 := dial(t, tr, "websocket", "msgpack")
	s2.send(&wamp.Hello{Realm: "realm1", Details: wamp.Dict{"roles": wamp.Dict{
		"subscriber": wamp.Dict{"features": wamp.Dict{"subscription_revocation": true}}}}})
	w2 := expectType[*wamp.Welcome](t, s2.recv())

	topic := wamp.URI("com.example.temp")
	sub := psSubscribe(t, s1, topic, nil)
	ev, a := nextEvent(t, watcher)
	d := a[1].(wamp.Dict)
	if ev.Subscription != meta || ev.Details["topic"] != "wamp.subscription.on_create" || asID(t, a[0]) != w1.Session ||
		asID(t, d["id"]) != sub || d["uri"] != string(topic) || d["match"] != "exact" {
		t.Errorf("on_create %+v %v", ev, a)
	}
	if ev, a = nextEvent(t, watcher); ev.Details["topic"] != "wamp.subscription.on_subscribe" || asID(t, a[1]) != sub {
		t.Errorf("on_subscribe %+v %v", ev, a)
	}
	if psSubscribe(t, s2, topic, nil) != sub {
		t.Fatal("second subscriber got another subscription")
	}
	if ev, a = nextEvent(t, watcher); ev.Details["topic"] != "wamp.subscription.on_subscribe" || asID(t, a[0]) != w2.Session {
		t.Errorf("second on_subscribe %+v %v (no on_create)", ev, a)
	}
	pat := psSubscribe(t, s1, "com.example", wamp.Dict{"match": "prefix"})
	nextEvent(t, watcher)
	nextEvent(t, watcher)

	if got := idsOf(t, metaResult(t, watcher, "wamp.subscription.match", "com.example.temp")[0]); len(got) != 2 ||
		!slices.Contains(got, sub) || !slices.Contains(got, pat) {
		t.Errorf("match %v, want %d and %d", got, sub, pat)
	}
	if got := metaResult(t, watcher, "wamp.subscription.match", "org.none"); got[0] != nil {
		t.Errorf("match of nothing = %v, want null", got)
	}
	if got := asID(t, metaResult(t, watcher, "wamp.subscription.lookup", "com.example", wamp.Dict{"match": "prefix"})[0]); got != pat {
		t.Errorf("lookup prefix = %v, want %v", got, pat)
	}
	if got := idsOf(t, metaResult(t, watcher, "wamp.subscription.list_subscribers", sub)[0]); len(got) != 2 {
		t.Errorf("list_subscribers %v", got)
	}
	if n := asID(t, metaResult(t, watcher, "wamp.subscription.count_subscribers", sub)[0]); n != 2 {
		t.Errorf("count_subscribers %v", n)
	}
	lists := metaResult(t, watcher, "wamp.subscription.list")[0].(wamp.Dict)
	if !slices.Contains(idsOf(t, lists["exact"]), sub) || !slices.Contains(idsOf(t, lists["prefix"]), pat) ||
		!slices.Contains(idsOf(t, lists["wildcard"]), meta) {
		t.Errorf("list %v", lists)
	}
	if d := metaResult(t, watcher, "wamp.subscription.get", pat)[0].(wamp.Dict); d["match"] != "prefix" || asID(t, d["id"]) != pat {
		t.Errorf("get %v", d)
	}
	if e := metaError(t, watcher, "wamp.subscription.get", wamp.List{int64(4242)}, nil); e != wamp.ErrNoSuchSubscription {
		t.Errorf("get(4242): %q", e)
	}

	// remove_subscriber: revocation to the subscriber that supports it.
	if _, evs := metaCall(t, watcher, "wamp.subscription.remove_subscriber", wamp.List{sub, w2.Session}, wamp.Dict{"reason": "no"}); len(evs) != 1 {
		t.Errorf("events before remove_subscriber's RESULT: %d, want on_unsubscribe", len(evs))
	}
	u := expectType[*wamp.Unsubscribed](t, s2.recv())
	if u.Request != 0 || asID(t, u.Details["subscription"]) != sub || u.Details["reason"] != "no" {
		t.Errorf("revocation %+v", u)
	}
	// The last subscriber leaves: on_unsubscribe, then on_delete, for both
	// of its subscriptions.
	s1.peer.Close()
	seen := map[string]int{}
	for range 4 {
		ev, a := nextEvent(t, watcher)
		if asID(t, a[0]) != w1.Session {
			t.Errorf("%v for session %v", ev.Details["topic"], a[0])
		}
		seen[ev.Details["topic"].(string)]++
	}
	if seen["wamp.subscription.on_unsubscribe"] != 2 || seen["wamp.subscription.on_delete"] != 2 {
		t.Errorf("meta events on leave: %v", seen)
	}
}

func TestTestament(t *testing.T) {
	tr := startRouter(t, router.Config{})
	watcher := joined(t, tr, "websocket", "json")
	psSubscribe(t, watcher, "com.example.will", nil)
	for _, drop := range []bool{true, false} {
		c := joined(t, tr, "rawsocket", "msgpack")
		add := func(arg string, scope any) {
			t.Helper()
			m, _ := metaCall(t, c, "wamp.session.add_testament",
				wamp.List{"com.example.will", wamp.List{arg}, wamp.Dict{"k": arg}}, wamp.Dict{"scope": scope})
			expectType[*wamp.Result](t, m)
		}
		add("destroyed 1", nil) // default scope: destroyed
		add("detached 1", "detached")
		add("flushed", "detached")
		add("destroyed 2", "destroyed")
		m, _ := metaCall(t, c, "wamp.session.flush_testaments", nil, wamp.Dict{"scope": "detached"})
		expectType[*wamp.Result](t, m)
		add("detached 2", "detached")
		if drop {
			c.peer.Close()
		} else {
			c.send(&wamp.Goodbye{Details: wamp.Dict{}, Reason: wamp.CloseNormal})
		}
		// Detached first, then destroyed, each in the order added.
		var got []string
		for range 3 {
			_, a := nextEvent(t, watcher)
			got = append(got, a[0].(string))
		}
		if want := []string{"detached 2", "destroyed 1", "destroyed 2"}; !slices.Equal(got, want) {
			t.Errorf("drop=%v: testaments %v, want %v", drop, got, want)
		}
	}
	c := joined(t, tr, "websocket", "cbor")
	for _, e := range []struct {
		args   wamp.List
		kwargs wamp.Dict
		want   wamp.URI
	}{
		{wamp.List{"com.example.will", wamp.List{}, wamp.Dict{}}, wamp.Dict{"scope": "later"}, "wamp.error.testament_error"},
		{wamp.List{"wamp.session.x", nil, nil}, nil, wamp.ErrInvalidURI},
		{wamp.List{"not a uri", nil, nil}, nil, wamp.ErrInvalidURI},
		{wamp.List{"com.example.will", "x", nil}, nil, wamp.ErrInvalidArgument},
		{wamp.List{"com.example.will", nil, nil}, wamp.Dict{"publish_options": wamp.Dict{"exclude": "x"}}, wamp.ErrInvalidArgument},
	} {
		if got := metaError(t, c, "wamp.session.add_testament", e.args, e.kwargs); got != e.want {
			t.Errorf("add_testament %v %v: %q, want %s", e.args, e.kwargs, got, e.want)
		}
	}
}

func TestEventHistory(t *testing.T) {
	tr := startRouter(t, router.Config{Realms: []router.RealmConfig{{Name: "realm1", History: []router.HistoryConfig{
		{Topic: "com.example.log", Match: "prefix", Limit: 4}, {Topic: "com.example.plain"},
	}}}})
	pub, _ := psJoin(t, tr, "websocket", "json", "publisher")
	reader := joined(t, tr, "rawsocket", "msgpack")
	// The history subscription exists before anyone subscribes.
	h := asID(t, metaResult(t, reader, "wamp.subscription.lookup", "com.example.log", wamp.Dict{"match": "prefix"})[0])
	pubs := map[string]wamp.ID{}
	for _, p := range []struct {
		arg   string
		topic wamp.URI
		opts  wamp.Dict
	}{
		{"one", "com.example.log.a", nil},
		{"two", "com.example.log.a", wamp.Dict{"eligible_authrole": wamp.List{"admin"}}}, // kept, not for anonymous
		{"three", "com.example.log.a", wamp.Dict{"exclude": wamp.List{int64(1)}}},        // session lists: not kept
		{"four", "com.example.log.b", wamp.Dict{"disclose_me": true}},
		{"five", "com.example.log.a", nil},
		{"six", "com.example.log.a", nil},
		{"elsewhere", "com.example.other", nil},
	} {
		pubs[p.arg] = psPublish(t, pub, p.topic, p.opts, p.arg)
	}
	get := func(args wamp.List, kwargs wamp.Dict) []string {
		t.Helper()
		m, _ := metaCall(t, reader, "wamp.subscription.get_events", args, kwargs)
		r := expectType[*wamp.Result](t, m)
		evs, _ := values(t, &r.Payload)
		var got []string
		for _, e := range evs {
			d := e.(wamp.Dict)
			a := d["args"].(wamp.List)[0].(string)
			if asID(t, d["subscription"]) != h || asID(t, d["publication"]) != pubs[a] || d["timestamp"] == "" {
				t.Errorf("event %v: subscription, publication or timestamp wrong", d)
			}
			det := d["details"].(wamp.Dict)
			if det["topic"] == nil || (a == "four") != (det["publisher_authid"] == "publisher") {
				t.Errorf("event %v: details %v", a, det)
			}
			got = append(got, a)
		}
		return got
	}
	cases := []struct {
		name   string
		args   wamp.List
		kwargs wamp.Dict
		want   []string
	}{
		// Limit 4 keeps two..six without three; two is not for anonymous.
		{"all", wamp.List{h}, nil, []string{"four", "five", "six"}},
		{"limit", wamp.List{h}, wamp.Dict{"limit": int64(2)}, []string{"four", "five"}},
		{"positional limit", wamp.List{h, int64(1)}, nil, []string{"four"}},
		{"reverse", wamp.List{h}, wamp.Dict{"reverse": true, "limit": int64(2)}, []string{"six", "five"}},
		{"topic", wamp.List{h}, wamp.Dict{"topic": "com.example.log.b"}, []string{"four"}},
		{"after_publication", wamp.List{h}, wamp.Dict{"after_publication": pubs["four"]}, []string{"five", "six"}},
		{"from_publication", wamp.List{h}, wamp.Dict{"from_publication": pubs["five"]}, []string{"five", "six"}},
		{"before_publication", wamp.List{h}, wamp.Dict{"before_publication": pubs["five"]}, []string{"four"}},
		{"until_publication", wamp.List{h}, wamp.Dict{"until_publication": pubs["five"]}, []string{"four", "five"}},
		{"evicted publication", wamp.List{h}, wamp.Dict{"after_publication": pubs["one"]}, nil},
		{"from_time", wamp.List{h}, wamp.Dict{"from_time": "2000-01-01T00:00:00Z"}, []string{"four", "five", "six"}},
		{"before_time", wamp.List{h}, wamp.Dict{"before_time": "2000-01-01T00:00:00Z"}, nil},
	}
	for _, c := range cases {
		if got := get(c.args, c.kwargs); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	// Subscribing to the configured topic joins the history subscription.
	if got := psSubscribe(t, reader, "com.example.log", wamp.Dict{"match": "prefix"}); got != h {
		t.Errorf("SUBSCRIBE to the history topic: subscription %d, want %d", got, h)
	}
	other := psSubscribe(t, reader, "com.example.other", nil)
	errs := []struct {
		args   wamp.List
		kwargs wamp.Dict
		want   wamp.URI
	}{
		{wamp.List{other}, nil, "wamp.error.history_unavailable"},
		{wamp.List{int64(99999)}, nil, wamp.ErrNoSuchSubscription},
		{wamp.List{h}, wamp.Dict{"limit": int64(0)}, wamp.ErrInvalidArgument},
		{wamp.List{h}, wamp.Dict{"from_time": "yesterday"}, wamp.ErrInvalidArgument},
	}
	for _, e := range errs {
		if got := metaError(t, reader, "wamp.subscription.get_events", e.args, e.kwargs); got != e.want {
			t.Errorf("get_events %v %v: %q, want %s", e.args, e.kwargs, got, e.want)
		}
	}
}

func TestHistoryConfigErrors(t *testing.T) {
	for _, tt := range []struct {
		h    []router.HistoryConfig
		want string
	}{
		{[]router.HistoryConfig{{Topic: "com.x", Match: "regex"}}, "realms[0].history[0].match"},
		{[]router.HistoryConfig{{Topic: "com..x"}}, "realms[0].history[0].topic"},
		{[]router.HistoryConfig{{Topic: "com.x"}, {Topic: "com.x", Match: "exact"}}, "realms[0].history[1].topic"},
		{[]router.HistoryConfig{{Topic: "com.x", Limit: -1}}, "realms[0].history[0]"},
	} {
		_, err := router.New(router.Config{Realms: []router.RealmConfig{{Name: "realm1", History: tt.h}}})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want one naming %s", tt.h, err, tt.want)
		}
	}
}
