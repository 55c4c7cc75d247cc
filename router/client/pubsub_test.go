package client

import (
	"context"
	"errors"
	"testing"

	"github.com/edgebar/edgebar/router/wamp"
)

func ack() wamp.Dict { return wamp.Dict{"acknowledge": true} }

func TestPublishSubscribe(t *testing.T) {
	s, f := joinFake(t, nil)
	ctx := context.Background()
	got := make(chan *Event, 1)
	sub, err := s.Subscribe(ctx, "com.topic", func(e *Event) { got <- e }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(ctx, "com.topic", wamp.List{"hi"}, wamp.Dict{"n": int64(1)}, nil); err != nil {
		t.Fatal(err)
	}
	e := <-got
	if e.Topic != "com.topic" || e.Args[0] != "hi" || e.Kwargs["n"] != int64(1) || e.Publication == 0 {
		t.Errorf("event %+v", e)
	}
	if err := s.Publish(ctx, "fake.denied", nil, nil, ack()); !errors.Is(err, &wamp.Error{URI: wamp.ErrNotAuthorized}) {
		t.Errorf("acknowledged Publish = %v", err)
	}
	if err := sub.Unsubscribe(ctx); err != nil {
		t.Fatal(err)
	}
	if m := f.expect(wamp.UNSUBSCRIBE).(*wamp.Unsubscribe); m.Subscription != sub.ID() {
		t.Errorf("UNSUBSCRIBE %d, subscribed %d", m.Subscription, sub.ID())
	}
	if err := sub.Unsubscribe(ctx); err == nil {
		t.Error("second Unsubscribe succeeded")
	}
}

// TestSubscriptionOrderAndIndependence publishes interleaved events to two
// topics while the first topic's handler is stuck: the second still gets all
// its events, and both see theirs in publication order.
func TestSubscriptionOrderAndIndependence(t *testing.T) {
	s, _ := joinFake(t, nil, WithEventQueue(0))
	ctx := context.Background()
	const n = 1000
	unblock := make(chan struct{})
	var gotA, gotB []int64
	doneA, doneB := make(chan struct{}), make(chan struct{})
	record := func(got *[]int64, done chan struct{}, block bool) EventHandler {
		return func(e *Event) {
			if block && len(*got) == 0 {
				<-unblock
			}
			x, _ := wamp.AsInt64(e.Args[0])
			*got = append(*got, x)
			if len(*got) == n {
				close(done)
			}
		}
	}
	if _, err := s.Subscribe(ctx, "com.a", record(&gotA, doneA, true), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Subscribe(ctx, "com.b", record(&gotB, doneB, false), nil); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		for _, topic := range []wamp.URI{"com.a", "com.b"} {
			if err := s.Publish(ctx, topic, wamp.List{int64(i)}, nil, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	<-doneB // while com.a's handler is still blocked
	close(unblock)
	<-doneA
	for name, got := range map[string][]int64{"a": gotA, "b": gotB} {
		for i, x := range got {
			if x != int64(i) {
				t.Fatalf("%s: event %d carries %d", name, i, x)
			}
		}
	}
}

func TestEventQueueDropsOldest(t *testing.T) {
	s, _ := joinFake(t, nil, WithEventQueue(2))
	ctx := context.Background()
	entered, unblock := make(chan struct{}), make(chan struct{})
	got := make(chan int64, 10)
	sub, err := s.Subscribe(ctx, "com.t", func(e *Event) {
		x, _ := wamp.AsInt64(e.Args[0])
		if x == 0 {
			close(entered)
			<-unblock
		}
		got <- x
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(ctx, "com.t", wamp.List{int64(0)}, nil, ack()); err != nil {
		t.Fatal(err)
	}
	<-entered
	// The fake sends EVENT before PUBLISHED, so when the acknowledged
	// Publish returns, its event is queued.
	for i := int64(1); i <= 9; i++ {
		if err := s.Publish(ctx, "com.t", wamp.List{i}, nil, ack()); err != nil {
			t.Fatal(err)
		}
	}
	if d := sub.Dropped(); d != 7 {
		t.Errorf("Dropped = %d, want 7", d)
	}
	close(unblock)
	for _, want := range []int64{0, 8, 9} {
		if x := <-got; x != want {
			t.Fatalf("got event %d, want %d", x, want)
		}
	}
}

// TestSharedSubscription subscribes twice to one topic: the router answers
// with one id, both handlers get each event, and UNSUBSCRIBE goes out only
// with the last Unsubscribe.
func TestSharedSubscription(t *testing.T) {
	s, f := joinFake(t, nil)
	ctx := context.Background()
	got1, got2 := make(chan *Event, 1), make(chan *Event, 1)
	sub1, err := s.Subscribe(ctx, "com.t", func(e *Event) { got1 <- e }, nil)
	if err != nil {
		t.Fatal(err)
	}
	sub2, err := s.Subscribe(ctx, "com.t", func(e *Event) { got2 <- e }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sub1.ID() != sub2.ID() {
		t.Fatalf("ids %d, %d", sub1.ID(), sub2.ID())
	}
	s.Publish(ctx, "com.t", wamp.List{"x"}, nil, nil)
	if e1, e2 := <-got1, <-got2; e1 != e2 {
		t.Error("handlers got different events")
	}
	if err := sub1.Unsubscribe(ctx); err != nil {
		t.Fatal(err)
	}
	s.Publish(ctx, "com.t", wamp.List{"y"}, nil, ack())
	if e := <-got2; e.Args[0] != "y" {
		t.Errorf("sub2 got %v", e.Args)
	}
	if err := sub2.Unsubscribe(ctx); err != nil {
		t.Fatal(err)
	}
	// The fake saw exactly one UNSUBSCRIBE, after the second PUBLISH.
	f.expect(wamp.PUBLISH)
	f.expect(wamp.PUBLISH)
	if m := <-f.seen; m.Type() != wamp.UNSUBSCRIBE {
		t.Errorf("after the publications the router saw %v", m.Type())
	}
	select {
	case e := <-got1:
		t.Errorf("unsubscribed handler got %v", e.Args)
	default:
	}
}

func TestSubscriptionRevoked(t *testing.T) {
	s, f := joinFake(t, nil)
	ctx := context.Background()
	sub, err := s.Subscribe(ctx, "com.t", func(*Event) {}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.send(&wamp.Unsubscribed{Request: 0, Details: wamp.Dict{"subscription": sub.ID(), "reason": "gone"}})
	// Ordered behind the revocation:
	if _, err := s.Call(ctx, "fake.echo", nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := sub.Unsubscribe(ctx); err == nil {
		t.Error("Unsubscribe of a revoked subscription succeeded")
	}
}
