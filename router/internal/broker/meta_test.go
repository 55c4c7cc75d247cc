package broker

import (
	"testing"

	"github.com/edgebar/edgebar/router/internal/match"
	"github.com/edgebar/edgebar/router/wamp"
)

// A meta event nobody receives costs one match and nothing else: its
// payload is never built and nothing is allocated.
func TestMetaEventWithoutSubscribersIsFree(t *testing.T) {
	b := newBroker(Config{})
	subscribe(t, b, newSub(1, "a", "r", nil), "com.example", wamp.Dict{"match": "prefix"})
	built := false
	allocs := testing.AllocsPerRun(100, func() {
		b.mu.Lock()
		b.metaLocked(TopicOnSubscribe, func() wamp.List { built = true; return wamp.List{int64(1)} })
		b.mu.Unlock()
		if b.Wants(TopicOnDelete) {
			t.Fatal("Wants without subscribers")
		}
	})
	if allocs != 0 || built {
		t.Errorf("meta event without subscribers: %v allocations, payload built %v", allocs, built)
	}
	w := newSub(2, "w", "r", nil)
	subscribe(t, b, w, "wamp.subscription.", wamp.Dict{"match": "prefix"})
	w.take()
	if !b.Wants(TopicOnDelete) {
		t.Fatal("Wants false with a prefix subscriber")
	}
	b.mu.Lock()
	b.metaLocked(TopicOnSubscribe, func() wamp.List { return wamp.List{int64(1)} })
	b.mu.Unlock()
	if evs := w.events(t); len(evs) != 1 || evs[0].Details["topic"] != string(TopicOnSubscribe) {
		t.Fatalf("meta event to a pattern subscriber: %+v", evs)
	}
}

func TestHistoryBounds(t *testing.T) {
	big := make([]byte, 3000)
	tests := []struct {
		name  string
		cfg   HistoryConfig
		sizes []int // payload bytes per publication
		want  int   // events kept
	}{
		{"count", HistoryConfig{Limit: 3}, []int{1, 1, 1, 1, 1}, 3},
		{"bytes", HistoryConfig{Limit: 100, MaxBytes: 8000}, []int{3000, 3000, 3000, 3000}, 2},
		{"too big for the bound", HistoryConfig{Limit: 100, MaxBytes: 1000}, []int{3000, 10}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Topic, tt.cfg.Match = "com.h", match.Exact
			b := newBroker(Config{History: []HistoryConfig{tt.cfg}})
			pub := newSub(1, "p", "r", nil)
			var last wamp.ID
			for i, n := range tt.sizes {
				b.Publish(pub, &wamp.Publish{Request: wamp.ID(i + 1), Options: wamp.Dict{"acknowledge": true}, Topic: "com.h",
					Payload: wamp.Payload{Args: wamp.List{big[:n]}}})
				last = pub.take()[0].(*wamp.Published).Publication
			}
			id, ok := b.Lookup("com.h", match.Exact)
			if !ok {
				t.Fatal("no history subscription")
			}
			evs, err := b.GetEvents(id, HistoryQuery{}, pub)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != tt.want || asPub(evs[len(evs)-1]) != last {
				t.Fatalf("%d events kept (last %v), want %d ending with %v", len(evs), evs[len(evs)-1], tt.want, last)
			}
		})
	}
}

func asPub(e any) wamp.ID { return e.(wamp.Dict)["publication"].(wamp.ID) }
