package broker

import (
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/edgebar/edgebar/router/codec"
	"github.com/edgebar/edgebar/router/wamp"
)

// fakeSub is a Subscriber that records what the broker sends it. With a
// codec it decodes each EVENT frame, so the test sees what a client would.
type fakeSub struct {
	id    wamp.ID
	codec codec.Codec
	ident identity

	mu   sync.Mutex
	msgs []wamp.Message
}

func newSub(id wamp.ID, authid, authrole string, c codec.Codec) *fakeSub {
	return &fakeSub{id: id, codec: c, ident: identity{AuthID: authid, AuthRole: authrole}}
}

func (f *fakeSub) ID() wamp.ID        { return f.id }
func (f *fakeSub) Codec() codec.Codec { return f.codec }
func (f *fakeSub) AuthID() string     { return f.ident.AuthID }
func (f *fakeSub) AuthRole() string   { return f.ident.AuthRole }
func (f *fakeSub) Roles() wamp.Dict   { return f.ident.Roles }

func (f *fakeSub) Send(m wamp.Message) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, m)
	return true
}

func (f *fakeSub) SendEvent(frame []byte, ev *wamp.Event) bool {
	var m wamp.Message = ev
	if f.codec != nil {
		var err error
		if m, err = f.codec.Decode(frame); err != nil {
			panic(fmt.Sprintf("fakeSub: bad EVENT frame: %v", err))
		}
	}
	return f.Send(m)
}

// take returns and forgets the messages received so far.
func (f *fakeSub) take() []wamp.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.msgs
	f.msgs = nil
	return m
}

func (f *fakeSub) events(t *testing.T) []*wamp.Event {
	t.Helper()
	var evs []*wamp.Event
	for _, m := range f.take() {
		ev, ok := m.(*wamp.Event)
		if !ok {
			t.Fatalf("session %d: got %s %+v, want only EVENTs", f.id, m.Type(), m)
		}
		evs = append(evs, ev)
	}
	return evs
}

func newBroker(cfg Config) *Broker {
	return New(slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
}

func subscribe(t *testing.T, b *Broker, s *fakeSub, topic wamp.URI, opts wamp.Dict) wamp.ID {
	t.Helper()
	b.Subscribe(s, &wamp.Subscribe{Request: 1, Options: opts, Topic: topic})
	msgs := s.take()
	if len(msgs) == 0 {
		t.Fatalf("no answer to SUBSCRIBE")
	}
	sd, ok := msgs[0].(*wamp.Subscribed)
	if !ok {
		t.Fatalf("SUBSCRIBE answered with %s %+v", msgs[0].Type(), msgs[0])
	}
	s.mu.Lock()
	s.msgs = append(msgs[1:], s.msgs...) // keep retained events for the test
	s.mu.Unlock()
	return sd.Subscription
}

func jsonCodec(t *testing.T) codec.Codec {
	c, ok := codec.ByName("json")
	if !ok {
		t.Fatal("no json codec")
	}
	return c
}

func TestBlackWhiteListing(t *testing.T) {
	b := newBroker(Config{})
	pub := newSub(1, "pub", "user", nil)
	subs := []*fakeSub{
		newSub(10, "alice", "admin", nil),
		newSub(11, "bob", "user", jsonCodec(t)),
		newSub(12, "carol", "user", nil),
	}
	for _, s := range append(subs, pub) {
		subscribe(t, b, s, "com.t", nil)
	}
	tests := []struct {
		name string
		opts wamp.Dict
		want []wamp.ID
	}{
		{"no options", nil, []wamp.ID{10, 11, 12}},
		{"exclude_me false", wamp.Dict{"exclude_me": false}, []wamp.ID{1, 10, 11, 12}},
		{"exclude", wamp.Dict{"exclude": wamp.List{int64(10), uint64(12)}}, []wamp.ID{11}},
		{"eligible", wamp.Dict{"eligible": wamp.List{int64(10), float64(11), int64(99)}}, []wamp.ID{10, 11}},
		{"eligible empty", wamp.Dict{"eligible": wamp.List{}}, nil},
		{"eligible and exclude", wamp.Dict{"eligible": wamp.List{int64(10), int64(11)}, "exclude": wamp.List{int64(10)}}, []wamp.ID{11}},
		{"eligible includes publisher", wamp.Dict{"eligible": wamp.List{int64(1), int64(10)}}, []wamp.ID{10}},
		{"exclude_authid", wamp.Dict{"exclude_authid": wamp.List{"bob"}}, []wamp.ID{10, 12}},
		{"eligible_authid", wamp.Dict{"eligible_authid": wamp.List{"carol", "nobody"}}, []wamp.ID{12}},
		{"exclude_authrole", wamp.Dict{"exclude_authrole": wamp.List{"user"}}, []wamp.ID{10}},
		{"eligible_authrole", wamp.Dict{"eligible_authrole": wamp.List{"user"}}, []wamp.ID{11, 12}},
		{"all lists", wamp.Dict{"eligible_authrole": wamp.List{"user", "admin"}, "exclude_authid": wamp.List{"carol"},
			"eligible": wamp.List{int64(10), int64(11), int64(12)}, "exclude": wamp.List{int64(10)}}, []wamp.ID{11}},
		{"undefined lists", wamp.Dict{"exclude": nil, "eligible": nil}, []wamp.ID{10, 11, 12}},
		{"big eligible set", wamp.Dict{"eligible": bigIDList(100, 11)}, []wamp.ID{11}},
		{"big authid set", wamp.Dict{"exclude_authid": bigStrList(100, "alice")}, []wamp.ID{11, 12}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b.Publish(pub, &wamp.Publish{Request: 5, Options: tt.opts, Topic: "com.t", Payload: wamp.Payload{Args: wamp.List{"x"}}})
			var got []wamp.ID
			for _, s := range append(subs, pub) {
				evs := s.events(t)
				if len(evs) > 1 {
					t.Fatalf("session %d got %d events", s.id, len(evs))
				}
				if len(evs) == 1 {
					got = append(got, s.id)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("receivers %v, want %v", got, tt.want)
			}
		})
	}
}

func bigIDList(n int, include wamp.ID) wamp.List {
	l := wamp.List{int64(include)}
	for i := range n {
		l = append(l, int64(1000+i))
	}
	return l
}

func bigStrList(n int, include string) wamp.List {
	l := wamp.List{include}
	for i := range n {
		l = append(l, fmt.Sprintf("u%d", i))
	}
	return l
}

func TestBadListsAnswerAcknowledgedPublisher(t *testing.T) {
	b := newBroker(Config{})
	pub, sub := newSub(1, "p", "r", nil), newSub(2, "s", "r", nil)
	subscribe(t, b, sub, "com.t", nil)
	for _, opts := range []wamp.Dict{
		{"exclude": "x"}, {"eligible": wamp.List{"x"}}, {"exclude_authid": wamp.List{int64(3)}}, {"eligible_authrole": int64(1)},
	} {
		b.Publish(pub, &wamp.Publish{Request: 7, Options: opts, Topic: "com.t"})
		if msgs := pub.take(); len(msgs) != 0 {
			t.Fatalf("%v without acknowledge: publisher got %v", opts, msgs)
		}
		opts["acknowledge"] = true
		b.Publish(pub, &wamp.Publish{Request: 8, Options: opts, Topic: "com.t"})
		msgs := pub.take()
		if len(msgs) != 1 {
			t.Fatalf("%v: publisher got %v", opts, msgs)
		}
		if e, ok := msgs[0].(*wamp.ErrorMessage); !ok || e.Error != wamp.ErrInvalidArgument || e.Request != 8 {
			t.Fatalf("%v: publisher got %+v, want invalid_argument", opts, msgs[0])
		}
		if evs := sub.events(t); len(evs) != 0 {
			t.Fatalf("%v: a refused publication was delivered", opts)
		}
	}
}

func TestPublisherIdentification(t *testing.T) {
	b := newBroker(Config{})
	pub := newSub(77, "pubid", "pubrole", nil)
	js := newSub(2, "s", "r", jsonCodec(t))
	mem := newSub(3, "s", "r", nil)
	subscribe(t, b, js, "com.t", nil)
	subscribe(t, b, mem, "com.t", nil)

	b.Publish(pub, &wamp.Publish{Request: 1, Options: wamp.Dict{"disclose_me": true}, Topic: "com.t"})
	for _, s := range []*fakeSub{js, mem} {
		evs := s.events(t)
		if len(evs) != 1 {
			t.Fatalf("session %d: %d events", s.id, len(evs))
		}
		d := evs[0].Details
		if id, ok := wamp.AsID(d["publisher"]); !ok || id != 77 || d["publisher_authid"] != "pubid" || d["publisher_authrole"] != "pubrole" {
			t.Fatalf("session %d: details %v", s.id, d)
		}
	}
	b.Publish(pub, &wamp.Publish{Request: 2, Topic: "com.t"})
	for _, s := range []*fakeSub{js, mem} {
		if evs := s.events(t); len(evs) != 1 || len(evs[0].Details) != 0 {
			t.Fatalf("session %d: undisclosed publication: %+v", s.id, evs)
		}
	}
}

func TestPatternSubscriptions(t *testing.T) {
	b := newBroker(Config{})
	pub := newSub(1, "p", "r", nil)
	s := newSub(2, "s", "r", jsonCodec(t))
	other := newSub(3, "o", "r", nil)
	exact := subscribe(t, b, s, "com.app.x.ev", nil)
	prefix := subscribe(t, b, s, "com.app", wamp.Dict{"match": "prefix"})
	wild := subscribe(t, b, s, "com..x.ev", wamp.Dict{"match": "wildcard"})
	wild2 := subscribe(t, b, other, "com..x.ev", wamp.Dict{"match": "wildcard"})
	if wild2 != wild {
		t.Fatalf("same pattern and policy: subscriptions %d and %d, want one", wild, wild2)
	}
	if again := subscribe(t, b, s, "com.app", wamp.Dict{"match": "prefix"}); again != prefix {
		t.Fatalf("resubscribe: subscription %d, want %d", again, prefix)
	}
	if p2 := subscribe(t, b, other, "com.app.x.ev", wamp.Dict{"match": "prefix"}); p2 == exact {
		t.Fatal("exact and prefix subscription of the same URI share an id")
	}

	tests := []struct {
		topic wamp.URI
		want  map[wamp.ID]bool // subscription -> Details.topic expected
	}{
		{"com.app.x.ev", map[wamp.ID]bool{exact: false, prefix: true, wild: true}},
		{"com.other.x.ev", map[wamp.ID]bool{wild: true}},
		{"com.app2", map[wamp.ID]bool{prefix: true}}, // prefix is a string prefix
		{"com.app.x.ev.more", map[wamp.ID]bool{prefix: true}},
		{"org.app.x.ev", nil},
	}
	for _, tt := range tests {
		b.Publish(pub, &wamp.Publish{Request: 1, Topic: tt.topic, Payload: wamp.Payload{Args: wamp.List{string(tt.topic)}}})
		got := map[wamp.ID]bool{}
		var pubID wamp.ID
		for _, ev := range s.events(t) {
			if ev.Subscription == 0 || (pubID != 0 && ev.Publication != pubID) {
				t.Fatalf("%s: event %+v", tt.topic, ev)
			}
			pubID = ev.Publication
			if _, dup := got[ev.Subscription]; dup {
				t.Fatalf("%s: two events on subscription %d", tt.topic, ev.Subscription)
			}
			topic, has := ev.Details["topic"]
			if has && topic != string(tt.topic) {
				t.Fatalf("%s: Details.topic %v", tt.topic, topic)
			}
			got[ev.Subscription] = has
		}
		if !maps.Equal(got, tt.want) && len(got)+len(tt.want) > 0 {
			t.Fatalf("%s: subscription -> has Details.topic: got %v, want %v", tt.topic, got, tt.want)
		}
		other.events(t)
	}

	// Unsubscribing the last subscriber of a pattern removes it.
	b.Unsubscribe(s, &wamp.Unsubscribe{Request: 9, Subscription: wild})
	if _, ok := s.take()[0].(*wamp.Unsubscribed); !ok {
		t.Fatal("no UNSUBSCRIBED")
	}
	b.Unsubscribe(other, &wamp.Unsubscribe{Request: 9, Subscription: wild})
	other.take()
	b.Publish(pub, &wamp.Publish{Request: 1, Topic: "com.other.x.ev"})
	if evs := s.events(t); len(evs) != 0 {
		t.Fatalf("event after unsubscribe: %+v", evs)
	}
	if _, ok := b.table.Get("com..x.ev", 2); ok {
		t.Fatal("empty wildcard subscription still in the table")
	}
}

func TestCheckTopic(t *testing.T) {
	tests := []struct {
		topic  wamp.URI
		opts   wamp.Dict
		strict bool
		want   wamp.URI
	}{
		{"com.a.b", nil, false, ""},
		{"com.a.b", wamp.Dict{"match": nil}, false, ""},
		{"com.a.b", wamp.Dict{"match": "exact"}, false, ""},
		{"com..b", nil, false, wamp.ErrInvalidURI},
		{"com.a.", nil, false, wamp.ErrInvalidURI},
		{"com.a.", wamp.Dict{"match": "prefix"}, false, ""},
		{"", wamp.Dict{"match": "prefix"}, false, ""},
		{"com..b", wamp.Dict{"match": "prefix"}, false, wamp.ErrInvalidURI},
		{"com..b", wamp.Dict{"match": "wildcard"}, false, ""},
		{"..", wamp.Dict{"match": "wildcard"}, false, ""},
		{"com.A..b", wamp.Dict{"match": "wildcard"}, true, wamp.ErrInvalidURI},
		{"com a", wamp.Dict{"match": "wildcard"}, false, wamp.ErrInvalidURI},
		{"com.a", wamp.Dict{"match": "regex"}, false, wamp.ErrInvalidArgument},
		{"com.a", wamp.Dict{"match": int64(1)}, false, wamp.ErrInvalidArgument},
		{wamp.URI("a." + string(make([]byte, 0)) + longComp(MaxPatternLen)), wamp.Dict{"match": "prefix"}, false, wamp.ErrInvalidURI},
	}
	for _, tt := range tests {
		if got, why := CheckTopic(tt.topic, tt.opts, tt.strict); got != tt.want {
			t.Errorf("CheckTopic(%.40q, %v, strict %v) = %q (%s), want %q", tt.topic, tt.opts, tt.strict, got, why, tt.want)
		}
	}
}

func longComp(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'x'
	}
	return string(b)
}

func TestRetention(t *testing.T) {
	b := newBroker(Config{})
	pub := newSub(1, "p", "r", nil)
	pl := func(s string) wamp.Payload { return wamp.Payload{Args: wamp.List{s}} }
	b.Publish(pub, &wamp.Publish{Request: 1, Options: wamp.Dict{"retain": true}, Topic: "com.t", Payload: pl("old")})
	b.Publish(pub, &wamp.Publish{Request: 2, Options: wamp.Dict{"retain": true, "disclose_me": true}, Topic: "com.t", Payload: pl("new")})
	b.Publish(pub, &wamp.Publish{Request: 3, Topic: "com.t", Payload: pl("not retained")})
	b.Publish(pub, &wamp.Publish{Request: 4, Options: wamp.Dict{"retain": true}, Topic: "com.u.v", Payload: pl("u")})

	for _, c := range []codec.Codec{nil, jsonCodec(t)} {
		s := newSub(2, "s", "r", c)
		sid := subscribe(t, b, s, "com.t", wamp.Dict{"get_retained": true})
		evs := s.events(t)
		if len(evs) != 1 {
			t.Fatalf("codec %v: %d retained events, want 1", c, len(evs))
		}
		ev := evs[0]
		args, _, err := ev.Payload.Values()
		if err != nil || len(args) != 1 || args[0] != "new" || ev.Subscription != sid || ev.Details["retained"] != true {
			t.Fatalf("codec %v: retained event %+v args %v", c, ev, args)
		}
		if id, _ := wamp.AsID(ev.Details["publisher"]); id != 1 || ev.Details["publisher_authid"] != "p" {
			t.Fatalf("retained event lost the publisher disclosure: %v", ev.Details)
		}
		if _, has := ev.Details["topic"]; has {
			t.Fatalf("exact subscription got Details.topic: %v", ev.Details)
		}
		b.Leave(s)
	}

	// Without get_retained: nothing.
	s := newSub(3, "s", "r", nil)
	subscribe(t, b, s, "com.t", nil)
	if evs := s.events(t); len(evs) != 0 {
		t.Fatalf("retained event without get_retained: %+v", evs)
	}
	// A pattern subscription gets every matching topic's retained event, with Details.topic.
	w := newSub(4, "s", "r", nil)
	subscribe(t, b, w, "com", wamp.Dict{"match": "prefix", "get_retained": true})
	evs := w.events(t)
	if len(evs) != 2 || evs[0].Details["topic"] != "com.t" || evs[1].Details["topic"] != "com.u.v" {
		t.Fatalf("prefix subscription retained events %+v", evs)
	}
	// The publisher itself was excluded (exclude_me defaults to true).
	subscribe(t, b, pub, "com.t", wamp.Dict{"get_retained": true})
	if evs := pub.events(t); len(evs) != 0 {
		t.Fatalf("publisher got its own retained event: %+v", evs)
	}
}

func TestRetentionEligibility(t *testing.T) {
	b := newBroker(Config{})
	pub := newSub(1, "p", "r", nil)
	publish := func(arg string, opts wamp.Dict) {
		opts["retain"] = true
		b.Publish(pub, &wamp.Publish{Request: 1, Options: opts, Topic: "com.t", Payload: wamp.Payload{Args: wamp.List{arg}}})
	}
	retainedFor := func(s *fakeSub) string {
		t.Helper()
		subscribe(t, b, s, "com.t", wamp.Dict{"get_retained": true})
		defer b.Leave(s)
		evs := s.events(t)
		if len(evs) == 0 {
			return ""
		}
		if len(evs) > 1 {
			t.Fatalf("%d retained events", len(evs))
		}
		args, _, _ := evs[0].Payload.Values()
		return args[0].(string)
	}
	alice, bob := newSub(10, "alice", "r", nil), newSub(11, "bob", "r", nil)

	publish("open", wamp.Dict{})
	publish("for alice", wamp.Dict{"eligible_authid": wamp.List{"alice"}})
	if got := retainedFor(alice); got != "for alice" {
		t.Fatalf("alice got %q", got)
	}
	// bob was not eligible for the newest: he gets the newest he was eligible for.
	if got := retainedFor(bob); got != "open" {
		t.Fatalf("bob got %q", got)
	}
	publish("not bob", wamp.Dict{"exclude": wamp.List{int64(11)}})
	if got := retainedFor(bob); got != "open" {
		t.Fatalf("bob got %q", got)
	}
	// A new open event replaces everything.
	publish("open 2", wamp.Dict{})
	if got := retainedFor(alice); got != "open 2" {
		t.Fatalf("alice got %q", got)
	}
	// Only restricted events, none for bob: nothing.
	b2 := newBroker(Config{})
	b2.Publish(pub, &wamp.Publish{Request: 1, Options: wamp.Dict{"retain": true, "eligible": wamp.List{int64(10)}}, Topic: "com.t"})
	subscribe(t, b2, bob, "com.t", wamp.Dict{"get_retained": true})
	if evs := bob.events(t); len(evs) != 0 {
		t.Fatalf("bob got a retained event he was not eligible for: %+v", evs)
	}
	// At most maxRestricted restricted events are kept.
	for i := range 3 * maxRestricted {
		publish(fmt.Sprint(i), wamp.Dict{"eligible": wamp.List{int64(10)}})
	}
	if n := len(b.retained.topics["com.t"].restricted); n != maxRestricted {
		t.Fatalf("%d restricted retained events kept, want %d", n, maxRestricted)
	}
}

func TestRetentionMemoryBound(t *testing.T) {
	const limit = 64 << 10
	b := newBroker(Config{RetainedBytes: limit})
	pub := newSub(1, "p", "r", nil)
	mp, _ := codec.ByName("msgpack")
	big := make([]byte, 1000)
	for i := range 500 {
		raw, _ := mp.EncodeValue(nil, wamp.List{big})
		b.Publish(pub, &wamp.Publish{Request: 1, Options: wamp.Dict{"retain": true}, Topic: wamp.URI(fmt.Sprintf("com.t%d", i)),
			Payload: wamp.Payload{Raw: wamp.RawPayload{Enc: mp, Args: raw}}})
		// restricted ones count too
		b.Publish(pub, &wamp.Publish{Request: 1, Options: wamp.Dict{"retain": true, "exclude": wamp.List{int64(5)}},
			Topic: wamp.URI(fmt.Sprintf("com.t%d", i)), Payload: wamp.Payload{Raw: wamp.RawPayload{Enc: mp, Args: raw}}})
	}
	if b.retained.size > limit {
		t.Fatalf("retained store holds %d bytes, limit %d", b.retained.size, limit)
	}
	sum := 0
	for _, tp := range b.retained.topics {
		s := len(tp.topic)
		if tp.base != nil {
			s += tp.base.size
		}
		for _, r := range tp.restricted {
			s += r.size
		}
		if s != tp.size {
			t.Fatalf("topic %s: size %d, counted %d", tp.topic, tp.size, s)
		}
		sum += s
	}
	if sum != b.retained.size || len(b.retained.topics) == 0 || b.retained.lru.Len() != len(b.retained.topics) {
		t.Fatalf("store size %d, topics sum %d, %d topics, lru %d", b.retained.size, sum, len(b.retained.topics), b.retained.lru.Len())
	}
	// The newest topics survive, the oldest went.
	if b.retained.topics["com.t499"] == nil || b.retained.topics["com.t0"] != nil {
		t.Fatal("eviction did not drop the least recently retained topics first")
	}
	// One event larger than the whole store is not retained at all.
	raw, _ := mp.EncodeValue(nil, wamp.List{make([]byte, 2*limit)})
	b.Publish(pub, &wamp.Publish{Request: 1, Options: wamp.Dict{"retain": true}, Topic: "com.huge",
		Payload: wamp.Payload{Raw: wamp.RawPayload{Enc: mp, Args: raw}}})
	if b.retained.topics["com.huge"] != nil || b.retained.size > limit {
		t.Fatal("oversized event retained")
	}
}

func TestRetainedPayloadIsACopy(t *testing.T) {
	b := newBroker(Config{})
	pub := newSub(1, "p", "r", nil)
	mp, _ := codec.ByName("msgpack")
	raw, _ := mp.EncodeValue(nil, wamp.List{"abc"})
	b.Publish(pub, &wamp.Publish{Request: 1, Options: wamp.Dict{"retain": true}, Topic: "com.t",
		Payload: wamp.Payload{Raw: wamp.RawPayload{Enc: mp, Args: raw}}})
	for i := range raw {
		raw[i] = 0xc0 // the read buffer is reused: nil, nil, ...
	}
	s := newSub(2, "s", "r", nil)
	subscribe(t, b, s, "com.t", wamp.Dict{"get_retained": true})
	evs := s.events(t)
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	if args, _, err := evs[0].Payload.Values(); err != nil || len(args) != 1 || args[0] != "abc" {
		t.Fatalf("retained payload %v %v", args, err)
	}
}

func TestSubscribedBeforeRetained(t *testing.T) {
	b := newBroker(Config{})
	pub := newSub(1, "p", "r", nil)
	b.Publish(pub, &wamp.Publish{Request: 1, Options: wamp.Dict{"retain": true}, Topic: "com.t"})
	s := newSub(2, "s", "r", nil)
	b.Subscribe(s, &wamp.Subscribe{Request: 1, Options: wamp.Dict{"get_retained": true}, Topic: "com.t"})
	msgs := s.take()
	if len(msgs) != 2 || msgs[0].Type() != wamp.SUBSCRIBED || msgs[1].Type() != wamp.EVENT {
		t.Fatalf("got %v, want SUBSCRIBED then EVENT", msgs)
	}
}

func TestRevoke(t *testing.T) {
	b := newBroker(Config{})
	pub := newSub(1, "p", "r", nil)
	aware := newSub(2, "a", "r", nil)
	aware.ident.Roles = wamp.Dict{"subscriber": wamp.Dict{"features": wamp.Dict{"subscription_revocation": true}}}
	plain := newSub(3, "b", "r", nil)
	id := subscribe(t, b, aware, "com.t", nil)
	subscribe(t, b, plain, "com.t", nil)

	if err := b.Revoke(id+1000, 2, ""); !isWampError(err, wamp.ErrNoSuchSubscription) {
		t.Fatalf("unknown subscription: %v", err)
	}
	if err := b.Revoke(id, 99, ""); !isWampError(err, wamp.ErrNoSuchSession) {
		t.Fatalf("unknown session: %v", err)
	}
	if err := b.Revoke(id, 2, "wamp.error.not_authorized"); err != nil {
		t.Fatal(err)
	}
	msgs := aware.take()
	if len(msgs) != 1 {
		t.Fatalf("aware subscriber got %v", msgs)
	}
	u, ok := msgs[0].(*wamp.Unsubscribed)
	if !ok || u.Request != 0 || u.Details["subscription"] != id || u.Details["reason"] != "wamp.error.not_authorized" {
		t.Fatalf("revocation message %+v", msgs[0])
	}
	if err := b.Revoke(id, 3, ""); err != nil {
		t.Fatal(err)
	}
	if msgs := plain.take(); len(msgs) != 0 {
		t.Fatalf("subscriber without subscription_revocation got %v", msgs)
	}
	b.Publish(pub, &wamp.Publish{Request: 1, Topic: "com.t"})
	if len(aware.take())+len(plain.take()) != 0 {
		t.Fatal("event delivered after revocation")
	}
	if b.Count() != 0 {
		t.Fatalf("%d subscriptions left", b.Count())
	}
}

func isWampError(err error, uri wamp.URI) bool {
	e, ok := err.(*wamp.Error)
	return ok && e.URI == uri
}

// TestPublishAllocsIndependentOfSubscribers: with no option set, a
// publication allocates per subscription and serializer, never per
// subscriber (the performance budget of the fan-out).
func TestPublishAllocsIndependentOfSubscribers(t *testing.T) {
	allocs := func(n int, opts wamp.Dict) float64 {
		b := newBroker(Config{})
		pub := newSub(1, "p", "r", nil)
		for i := range n {
			s := &countSub{id: wamp.ID(100 + i), codec: jsonCodec(t)}
			b.Subscribe(s, &wamp.Subscribe{Request: 1, Topic: "com.t"})
			b.Subscribe(s, &wamp.Subscribe{Request: 2, Topic: "com", Options: wamp.Dict{"match": "prefix"}})
		}
		m := &wamp.Publish{Request: 1, Options: opts, Topic: "com.t", Payload: wamp.Payload{Args: wamp.List{"x"}}}
		return testing.AllocsPerRun(200, func() { b.Publish(pub, m) })
	}
	for _, opts := range []wamp.Dict{nil, {"exclude": wamp.List{int64(5)}, "eligible_authid": wamp.List{"a", ""}}} {
		one, many := allocs(1, opts), allocs(200, opts)
		t.Logf("options %v: %v allocations per publication (two matching subscriptions)", opts, many)
		if many != one {
			t.Errorf("options %v: %v allocations with 1 subscriber, %v with 200", opts, one, many)
		}
	}
}

// countSub is a Subscriber that only counts, so it allocates nothing.
type countSub struct {
	id    wamp.ID
	codec codec.Codec
	ident identity
	n     int
}

func (c *countSub) ID() wamp.ID                                 { return c.id }
func (c *countSub) Codec() codec.Codec                          { return c.codec }
func (c *countSub) AuthID() string                              { return c.ident.AuthID }
func (c *countSub) AuthRole() string                            { return c.ident.AuthRole }
func (c *countSub) Roles() wamp.Dict                            { return c.ident.Roles }
func (c *countSub) Send(wamp.Message) bool                      { return true }
func (c *countSub) SendEvent(frame []byte, ev *wamp.Event) bool { c.n++; return true }

func TestLeaveRemovesEverything(t *testing.T) {
	b := newBroker(Config{})
	s := newSub(1, "s", "r", nil)
	subscribe(t, b, s, "com.a", nil)
	subscribe(t, b, s, "com", wamp.Dict{"match": "prefix"})
	subscribe(t, b, s, "com..x", wamp.Dict{"match": "wildcard"})
	b.Leave(s)
	if b.Count() != 0 || b.table.Len() != 0 || len(b.bySession) != 0 {
		t.Fatalf("after Leave: %d subscriptions, table %d, bySession %d", b.Count(), b.table.Len(), len(b.bySession))
	}
}

// TestConcurrentPublishSubscribe runs publishers against subscribes and
// unsubscribes for the race detector, and checks that every subscriber saw
// SUBSCRIBED before any EVENT and nothing after UNSUBSCRIBED.
func TestConcurrentPublishSubscribe(t *testing.T) {
	b := newBroker(Config{})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for p := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pub := newSub(wamp.ID(1+p), "p", "r", nil)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				opts := wamp.Dict{"retain": i%10 == 0}
				b.Publish(pub, &wamp.Publish{Request: 1, Options: opts, Topic: "com.t"})
				pub.take()
			}
		}()
	}
	for i := range 200 {
		s := newSub(wamp.ID(1000+i), "s", "r", nil)
		opts := wamp.Dict{"get_retained": true}
		if i%2 == 1 {
			opts["match"] = "prefix"
		}
		b.Subscribe(s, &wamp.Subscribe{Request: 1, Options: opts, Topic: "com.t"})
		sid := s.take()[0].(*wamp.Subscribed).Subscription
		b.Unsubscribe(s, &wamp.Unsubscribe{Request: 2, Subscription: sid})
		msgs := s.take()
		if last := msgs[len(msgs)-1]; last.Type() != wamp.UNSUBSCRIBED {
			t.Fatalf("last message %s, want UNSUBSCRIBED", last.Type())
		}
		for _, m := range msgs[:len(msgs)-1] {
			if ev, ok := m.(*wamp.Event); !ok || ev.Subscription != sid {
				t.Fatalf("unexpected %+v", m)
			}
		}
		s.mu.Lock()
		n := len(s.msgs)
		s.mu.Unlock()
		if n != 0 {
			t.Fatalf("%d messages after UNSUBSCRIBED", n)
		}
	}
	close(stop)
	wg.Wait()
}

// identity is what the fakes know of who they are.
type identity struct {
	AuthID, AuthRole string
	Roles            wamp.Dict
}
