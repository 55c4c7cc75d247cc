package router_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/edgebar/edgebar/router"
	"github.com/edgebar/edgebar/router/wamp"
)

// Advanced-profile pub/sub over real sockets, with raw messages, so the
// tests see exactly what a client gets.

// psJoin opens a session with HELLO.Details.authid (anonymous sessions keep
// the authid they ask for) and returns it with its WELCOME.
func psJoin(t *testing.T, tr *testRouter, transportName, serializer, authid string) (*conn, *wamp.Welcome) {
	t.Helper()
	c := dial(t, tr, transportName, serializer)
	details := wamp.Dict{"roles": clientRoles}
	if authid != "" {
		details["authid"] = authid
	}
	c.send(&wamp.Hello{Realm: "realm1", Details: details})
	return c, expectType[*wamp.Welcome](t, c.recv())
}

func psSubscribe(t *testing.T, c *conn, topic wamp.URI, opts wamp.Dict) wamp.ID {
	t.Helper()
	req := c.req.Next()
	c.send(&wamp.Subscribe{Request: req, Options: opts, Topic: topic})
	s := expectType[*wamp.Subscribed](t, c.recv())
	if s.Request != req {
		t.Fatalf("SUBSCRIBED for %d, want %d", s.Request, req)
	}
	return s.Subscription
}

// psPublish publishes with acknowledge and waits for PUBLISHED: every EVENT
// of the publication is queued before it.
func psPublish(t *testing.T, c *conn, topic wamp.URI, opts wamp.Dict, args ...any) wamp.ID {
	t.Helper()
	o := wamp.Dict{"acknowledge": true}
	for k, v := range opts {
		o[k] = v
	}
	req := c.req.Next()
	c.send(&wamp.Publish{Request: req, Options: o, Topic: topic, Payload: wamp.Payload{Args: wamp.List(args)}})
	p := expectType[*wamp.Published](t, c.recv())
	if p.Request != req {
		t.Fatalf("PUBLISHED for %d, want %d", p.Request, req)
	}
	return p.Publication
}

// psArg0 returns an EVENT's first argument as a string.
func psArg0(t *testing.T, ev *wamp.Event) string {
	t.Helper()
	args, _ := values(t, &ev.Payload)
	if len(args) == 0 {
		t.Fatalf("EVENT without arguments: %+v", ev)
	}
	s, _ := args[0].(string)
	return s
}

// psCollect reads the EVENTs up to the one whose first argument is "end"
// and returns the first arguments before it.
func psCollect(t *testing.T, c *conn) []string {
	t.Helper()
	var got []string
	for {
		a := psArg0(t, expectType[*wamp.Event](t, c.recv()))
		if a == "end" {
			return got
		}
		got = append(got, a)
	}
}

func TestAdvancedPubSubFeaturesAnnounced(t *testing.T) {
	tr := startRouter(t, router.Config{})
	_, w := psJoin(t, tr, "websocket", "json", "")
	roles, _ := w.Details["roles"].(wamp.Dict)
	broker, _ := roles["broker"].(wamp.Dict)
	features, _ := broker["features"].(wamp.Dict)
	for _, f := range []string{"publisher_exclusion", "subscriber_blackwhite_listing", "publisher_identification",
		"pattern_based_subscription", "event_retention"} {
		if features[f] != true {
			t.Errorf("WELCOME broker features lack %s: %v", f, features)
		}
	}
}

func TestBlackWhiteListingOverSockets(t *testing.T) {
	tr := startRouter(t, router.Config{})
	pub, _ := psJoin(t, tr, "websocket", "json", "publisher")
	names := []string{"alice", "bob", "carol"}
	type sub struct {
		c  *conn
		id wamp.ID
	}
	subs := map[string]sub{}
	for i, n := range names {
		m := matrix[i%len(matrix)]
		if m.transport == "local" {
			m = matrix[0]
		}
		c, w := psJoin(t, tr, m.transport, m.serializer, n)
		if w.Details["authid"] != n || w.Details["authrole"] != "anonymous" {
			t.Fatalf("WELCOME details %v", w.Details)
		}
		psSubscribe(t, c, "com.example.bw", nil)
		subs[n] = sub{c, w.Session}
	}
	id := func(n string) int64 { return int64(subs[n].id) }
	pubs := []struct {
		label string
		opts  wamp.Dict
		to    []string
	}{
		{"exclude", wamp.Dict{"exclude": wamp.List{id("alice")}}, []string{"bob", "carol"}},
		{"eligible", wamp.Dict{"eligible": wamp.List{id("alice"), id("carol")}}, []string{"alice", "carol"}},
		{"exclude_authid", wamp.Dict{"exclude_authid": wamp.List{"bob"}}, []string{"alice", "carol"}},
		{"eligible_authid", wamp.Dict{"eligible_authid": wamp.List{"bob"}}, []string{"bob"}},
		{"eligible_authrole", wamp.Dict{"eligible_authrole": wamp.List{"anonymous"}}, names},
		{"exclude_authrole", wamp.Dict{"exclude_authrole": wamp.List{"anonymous"}}, nil},
		{"eligible minus exclude", wamp.Dict{"eligible": wamp.List{id("alice"), id("bob")}, "exclude_authid": wamp.List{"alice"}}, []string{"bob"}},
	}
	want := map[string][]string{}
	for _, p := range pubs {
		psPublish(t, pub, "com.example.bw", p.opts, p.label)
		for _, n := range p.to {
			want[n] = append(want[n], p.label)
		}
	}
	psPublish(t, pub, "com.example.bw", nil, "end")
	for _, n := range names {
		if got := psCollect(t, subs[n].c); !slices.Equal(got, want[n]) {
			t.Errorf("%s received %v, want %v", n, got, want[n])
		}
	}

	// A malformed list is refused with invalid_argument and not delivered.
	pub.send(&wamp.Publish{Request: 99, Options: wamp.Dict{"acknowledge": true, "exclude": "alice"}, Topic: "com.example.bw"})
	e := expectType[*wamp.ErrorMessage](t, pub.recv())
	if e.Error != wamp.ErrInvalidArgument || e.Request != 99 || e.RequestType != wamp.PUBLISH {
		t.Fatalf("malformed exclude: %+v", e)
	}
}

func TestPublisherIdentificationOverSockets(t *testing.T) {
	tr := startRouter(t, router.Config{})
	for _, m := range matrix {
		t.Run(m.transport+"/"+m.serializer, func(t *testing.T) {
			sub := dialAny(t, tr, "websocket", "json")
			psSubscribe(t, sub, "com.example.who", nil)
			var pub *conn
			var w *wamp.Welcome
			if m.transport == "local" {
				pub = newConn(t, tr.Local())
				w = pub.join("realm1")
			} else {
				pub, w = psJoin(t, tr, m.transport, m.serializer, "sensor-7")
			}
			psPublish(t, pub, "com.example.who", wamp.Dict{"disclose_me": true}, "x")
			ev := expectType[*wamp.Event](t, sub.recv())
			if id, ok := wamp.AsID(ev.Details["publisher"]); !ok || id != w.Session {
				t.Fatalf("Details.publisher %v, want %d", ev.Details["publisher"], w.Session)
			}
			if ev.Details["publisher_authid"] != w.Details["authid"] || ev.Details["publisher_authrole"] != "anonymous" {
				t.Fatalf("Details %v, WELCOME %v", ev.Details, w.Details)
			}
			psPublish(t, pub, "com.example.who", nil, "y")
			if ev := expectType[*wamp.Event](t, sub.recv()); len(ev.Details) != 0 {
				t.Fatalf("publication without disclose_me: Details %v", ev.Details)
			}
		})
	}
}

func TestPatternSubscriptionsOverSockets(t *testing.T) {
	tr := startRouter(t, router.Config{})
	for _, m := range matrix {
		t.Run(m.transport+"/"+m.serializer, func(t *testing.T) {
			s := dialAny(t, tr, m.transport, m.serializer)
			pub := joined(t, tr, "rawsocket", "msgpack")
			exact := psSubscribe(t, s, "com.example.room.1.temp", nil)
			prefix := psSubscribe(t, s, "com.example.room", wamp.Dict{"match": "prefix"})
			wild := psSubscribe(t, s, "com.example..1.temp", wamp.Dict{"match": "wildcard"})
			if exact == prefix || prefix == wild || exact == wild {
				t.Fatalf("subscription ids %d %d %d not distinct", exact, prefix, wild)
			}
			if again := psSubscribe(t, s, "com.example.room", wamp.Dict{"match": "prefix"}); again != prefix {
				t.Fatalf("second prefix SUBSCRIBE: %d, want %d", again, prefix)
			}

			// One publication matching all three: one EVENT per subscription,
			// the same publication id, Details.topic on the pattern ones only.
			pubID := psPublish(t, pub, "com.example.room.1.temp", nil, "all")
			seen := map[wamp.ID]bool{}
			for range 3 {
				ev := expectType[*wamp.Event](t, s.recv())
				if ev.Publication != pubID || psArg0(t, ev) != "all" || seen[ev.Subscription] {
					t.Fatalf("EVENT %+v (publication %d)", ev, pubID)
				}
				seen[ev.Subscription] = true
				topic, has := ev.Details["topic"]
				if (ev.Subscription == exact) == has || has && topic != "com.example.room.1.temp" {
					t.Fatalf("subscription %d (exact %d): Details %v", ev.Subscription, exact, ev.Details)
				}
			}
			psPublish(t, pub, "com.example.hall.1.temp", nil, "wild only")
			ev := expectType[*wamp.Event](t, s.recv())
			if ev.Subscription != wild || ev.Details["topic"] != "com.example.hall.1.temp" {
				t.Fatalf("wildcard EVENT %+v", ev)
			}
			psPublish(t, pub, "com.example.roomy", nil, "prefix only")
			ev = expectType[*wamp.Event](t, s.recv())
			if ev.Subscription != prefix || ev.Details["topic"] != "com.example.roomy" {
				t.Fatalf("prefix EVENT %+v", ev)
			}
			s.send(&wamp.Unsubscribe{Request: 50, Subscription: prefix})
			expectType[*wamp.Unsubscribed](t, s.recv())
			psPublish(t, pub, "com.example.roomy", nil, "nobody")
			psPublish(t, pub, "com.example.room.1.temp", nil, "end")
			for range 2 { // exact and wildcard
				if a := psArg0(t, expectType[*wamp.Event](t, s.recv())); a != "end" {
					t.Fatalf("after unsubscribe got %q", a)
				}
			}
		})
	}
}

func TestSubscribeMatchErrors(t *testing.T) {
	tr := startRouter(t, router.Config{})
	c := joined(t, tr, "websocket", "json")
	tests := []struct {
		topic wamp.URI
		opts  wamp.Dict
		want  wamp.URI
	}{
		{"com.example", wamp.Dict{"match": "regex"}, wamp.ErrInvalidArgument},
		{"com.example", wamp.Dict{"match": true}, wamp.ErrInvalidArgument},
		{"com..example", nil, wamp.ErrInvalidURI},
		{"com..example", wamp.Dict{"match": "prefix"}, wamp.ErrInvalidURI},
		{"com example", wamp.Dict{"match": "wildcard"}, wamp.ErrInvalidURI},
	}
	for i, tt := range tests {
		c.send(&wamp.Subscribe{Request: wamp.ID(i + 1), Options: tt.opts, Topic: tt.topic})
		e := expectType[*wamp.ErrorMessage](t, c.recv())
		if e.Error != tt.want || e.Request != wamp.ID(i+1) || e.RequestType != wamp.SUBSCRIBE {
			t.Errorf("SUBSCRIBE %q %v: %+v, want %s", tt.topic, tt.opts, e, tt.want)
		}
	}
	// Valid patterns, including the empty prefix and a trailing dot.
	for _, p := range []struct {
		topic wamp.URI
		match string
	}{{"com.example.", "prefix"}, {"", "prefix"}, {"..", "wildcard"}} {
		// The empty prefix (and ".." too) matches the subscription meta
		// events that the later SUBSCRIBEs cause: skip them.
		req := c.req.Next()
		c.send(&wamp.Subscribe{Request: req, Options: wamp.Dict{"match": p.match}, Topic: p.topic})
		m := c.recv()
		for m.Type() == wamp.EVENT {
			m = c.recv()
		}
		if s := expectType[*wamp.Subscribed](t, m); s.Request != req {
			t.Fatalf("SUBSCRIBED for %d, want %d", s.Request, req)
		}
	}
}

func TestRetentionOverSockets(t *testing.T) {
	tr := startRouter(t, router.Config{})
	pub, w := psJoin(t, tr, "websocket", "json", "station")
	topic := wamp.URI("com.example.weather")
	psPublish(t, pub, topic, wamp.Dict{"retain": true}, "old")
	latest := psPublish(t, pub, topic, wamp.Dict{"retain": true, "disclose_me": true}, "latest", int64(21))
	psPublish(t, pub, topic, nil, "not retained")

	for _, m := range matrix {
		t.Run(m.transport+"/"+m.serializer, func(t *testing.T) {
			s := dialAny(t, tr, m.transport, m.serializer)
			// SUBSCRIBED, then the retained EVENT, before anything else.
			sid := psSubscribe(t, s, topic, wamp.Dict{"get_retained": true})
			ev := expectType[*wamp.Event](t, s.recv())
			args, _ := values(t, &ev.Payload)
			if ev.Subscription != sid || ev.Publication != latest || len(args) != 2 || args[0] != "latest" || args[1] != int64(21) {
				t.Fatalf("retained EVENT %+v args %v", ev, args)
			}
			if ev.Details["retained"] != true || ev.Details["publisher_authid"] != "station" {
				t.Fatalf("retained EVENT details %v", ev.Details)
			}
			if id, _ := wamp.AsID(ev.Details["publisher"]); id != w.Session {
				t.Fatalf("retained EVENT publisher %v, want %d", ev.Details["publisher"], w.Session)
			}
			// A pattern subscription gets it too, with the concrete topic.
			psSubscribe(t, s, "com.example", wamp.Dict{"match": "prefix", "get_retained": true})
			ev = expectType[*wamp.Event](t, s.recv())
			if ev.Details["retained"] != true || ev.Details["topic"] != string(topic) || psArg0(t, ev) != "latest" {
				t.Fatalf("retained EVENT on prefix subscription %+v", ev)
			}
			// Without get_retained: only live events.
			other := dialAny(t, tr, m.transport, m.serializer)
			psSubscribe(t, other, topic, nil)
			psPublish(t, pub, topic, nil, "live")
			if ev := expectType[*wamp.Event](t, other.recv()); psArg0(t, ev) != "live" || ev.Details["retained"] != nil {
				t.Fatalf("subscriber without get_retained got %+v", ev)
			}
			for range 2 { // s has two matching subscriptions
				if a := psArg0(t, expectType[*wamp.Event](t, s.recv())); a != "live" {
					t.Fatalf("live event %q", a)
				}
			}
		})
	}
}

func TestRetentionRespectsLists(t *testing.T) {
	tr := startRouter(t, router.Config{})
	pub, _ := psJoin(t, tr, "rawsocket", "cbor", "p")
	topic := wamp.URI("com.example.secret")
	psPublish(t, pub, topic, wamp.Dict{"retain": true}, "for everyone")
	psPublish(t, pub, topic, wamp.Dict{"retain": true, "eligible_authid": wamp.List{"boss"}}, "for the boss")
	for _, tc := range []struct{ authid, want string }{{"boss", "for the boss"}, {"clerk", "for everyone"}} {
		s, _ := psJoin(t, tr, "websocket", "msgpack", tc.authid)
		psSubscribe(t, s, topic, wamp.Dict{"get_retained": true})
		if got := psArg0(t, expectType[*wamp.Event](t, s.recv())); got != tc.want {
			t.Errorf("%s got retained %q, want %q", tc.authid, got, tc.want)
		}
	}
	// The publisher was excluded (exclude_me) from its own retained event.
	psSubscribe(t, pub, topic, wamp.Dict{"get_retained": true})
	psPublish(t, pub, "com.example.other", nil, "marker")
	// PUBLISHED came straight after SUBSCRIBED: psPublish would have failed
	// on an EVENT in between.
}

// TestPatternFanOutManySubscribers: every subscriber of a pattern gets each
// event exactly once, across serializers (one encoding per serializer).
func TestPatternFanOutManySubscribers(t *testing.T) {
	tr := startRouter(t, router.Config{})
	pub := joined(t, tr, "websocket", "json")
	var subs []*conn
	for i := range 12 {
		m := matrix[i%len(matrix)]
		s := dialAny(t, tr, m.transport, m.serializer)
		psSubscribe(t, s, "com.example.fan", wamp.Dict{"match": "prefix"})
		subs = append(subs, s)
	}
	for i := range 20 {
		psPublish(t, pub, wamp.URI(fmt.Sprintf("com.example.fan.%d", i)), nil, fmt.Sprint(i))
	}
	psPublish(t, pub, "com.example.fan", nil, "end")
	for i, s := range subs {
		got := psCollect(t, s)
		if len(got) != 20 {
			t.Fatalf("subscriber %d got %d events", i, len(got))
		}
		for j, a := range got {
			if a != fmt.Sprint(j) {
				t.Fatalf("subscriber %d: event %d is %q", i, j, a)
			}
		}
	}
}
