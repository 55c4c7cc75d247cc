// Package broker routes publish and subscribe within one realm: it keeps the
// subscriptions, fans a PUBLISH out as EVENTs, and answers SUBSCRIBE and
// UNSUBSCRIBE. It addresses sessions only through the Subscriber interface,
// so it knows nothing of sessions, realms or transports.
package broker

import (
	"log/slog"
	"slices"
	"sync"

	"github.com/edgebar/edgebar/router/codec"
	"github.com/edgebar/edgebar/router/wamp"
)

// Subscriber is a session as the broker sees it.
type Subscriber interface {
	ID() wamp.ID
	// Codec is the session's serializer, nil for in-memory sessions.
	Codec() codec.Codec
	// Send queues a reply that must not be lost.
	Send(m wamp.Message) bool
	// SendEvent queues an EVENT: frame is ev encoded with Codec() (nil for
	// in-memory sessions). It may be dropped under the session's policy.
	SendEvent(frame []byte, ev *wamp.Event) bool
}

// Features are the broker features announced in WELCOME: only what works.
func Features() wamp.Dict {
	return wamp.Dict{"publisher_exclusion": true}
}

// subscription is one topic with its subscribers. The subscribers slice is
// copy-on-write: it is replaced under Broker.mu, never modified in place, so
// a publisher can range over a snapshot without holding the lock.
type subscription struct {
	id          wamp.ID
	topic       wamp.URI
	subscribers []Subscriber
}

// Broker holds one realm's subscriptions. Publishing takes only the read
// lock, so publishers on all cores route in parallel.
type Broker struct {
	log *slog.Logger
	ids wamp.IDGen // subscription ids, router scope

	mu        sync.RWMutex // guards the maps below
	topics    map[wamp.URI]*subscription
	byID      map[wamp.ID]*subscription
	bySession map[wamp.ID][]*subscription
}

// New returns an empty broker.
func New(log *slog.Logger) *Broker {
	return &Broker{
		log:       log,
		topics:    make(map[wamp.URI]*subscription),
		byID:      make(map[wamp.ID]*subscription),
		bySession: make(map[wamp.ID][]*subscription),
	}
}

// Subscribe handles SUBSCRIBE; the topic was validated by the realm. A
// session that subscribes twice to the same topic gets the same subscription
// and is delivered each event once (WAMP §"Subscribing and Unsubscribing").
func (b *Broker) Subscribe(s Subscriber, m *wamp.Subscribe) {
	b.mu.Lock()
	sub := b.topics[m.Topic]
	if sub == nil {
		sub = &subscription{id: b.ids.Next(), topic: m.Topic}
		b.topics[m.Topic] = sub
		b.byID[sub.id] = sub
	}
	if !slices.Contains(sub.subscribers, s) {
		next := make([]Subscriber, len(sub.subscribers), len(sub.subscribers)+1)
		copy(next, sub.subscribers)
		sub.subscribers = append(next, s)
		b.bySession[s.ID()] = append(b.bySession[s.ID()], sub)
	}
	id := sub.id
	b.mu.Unlock()
	s.Send(&wamp.Subscribed{Request: m.Request, Subscription: id})
}

// Unsubscribe handles UNSUBSCRIBE.
func (b *Broker) Unsubscribe(s Subscriber, m *wamp.Unsubscribe) {
	b.mu.Lock()
	sub := b.byID[m.Subscription]
	ok := sub != nil && b.removeLocked(sub, s)
	b.mu.Unlock()
	if !ok {
		s.Send(&wamp.ErrorMessage{RequestType: wamp.UNSUBSCRIBE, Request: m.Request, Error: wamp.ErrNoSuchSubscription})
		return
	}
	s.Send(&wamp.Unsubscribed{Request: m.Request})
}

// removeLocked takes s out of sub and drops sub when it is empty. It
// reports whether s was subscribed.
func (b *Broker) removeLocked(sub *subscription, s Subscriber) bool {
	i := slices.Index(sub.subscribers, s)
	if i < 0 {
		return false
	}
	if len(sub.subscribers) == 1 {
		delete(b.topics, sub.topic)
		delete(b.byID, sub.id)
		sub.subscribers = nil
	} else {
		next := make([]Subscriber, 0, len(sub.subscribers)-1)
		next = append(next, sub.subscribers[:i]...)
		sub.subscribers = append(next, sub.subscribers[i+1:]...)
	}
	own := b.bySession[s.ID()]
	if j := slices.Index(own, sub); j >= 0 {
		own = slices.Delete(own, j, j+1)
	}
	if len(own) == 0 {
		delete(b.bySession, s.ID())
	} else {
		b.bySession[s.ID()] = own
	}
	return true
}

// Leave removes every subscription of a session that ended.
func (b *Broker) Leave(s Subscriber) {
	b.mu.Lock()
	for _, sub := range slices.Clone(b.bySession[s.ID()]) {
		b.removeLocked(sub, s)
	}
	delete(b.bySession, s.ID())
	b.mu.Unlock()
}

// Publish handles PUBLISH on the publisher's reader goroutine: one lookup,
// then each subscriber's queue gets the EVENT encoded once per serializer.
// Events of one publisher reach each subscriber in publish order because
// they are queued in that order by this one goroutine.
func (b *Broker) Publish(pub Subscriber, m *wamp.Publish) {
	b.mu.RLock()
	sub := b.topics[m.Topic]
	var subs []Subscriber
	var subID wamp.ID
	if sub != nil {
		subs, subID = sub.subscribers, sub.id
	}
	b.mu.RUnlock()

	pubID := wamp.GlobalID()
	if len(subs) > 0 {
		excludeMe := wamp.OptBool(m.Options, "exclude_me", true)
		ev := &wamp.Event{Subscription: subID, Publication: pubID, Payload: m.Payload}
		var enc frameCache
		for _, s := range subs {
			if excludeMe && s == pub {
				continue
			}
			c := s.Codec()
			if c == nil {
				s.SendEvent(nil, ev)
				continue
			}
			if frame := enc.get(c, ev, b.log); frame != nil {
				s.SendEvent(frame, ev)
			}
		}
	}
	if wamp.OptBool(m.Options, "acknowledge", false) {
		pub.Send(&wamp.Published{Request: m.Request, Publication: pubID})
	}
}

// frameCache holds one encoding of an EVENT per serializer, shared by all
// subscribers of that serializer (the frames are never modified).
type frameCache struct {
	codecs [4]codec.Codec
	frames [4][]byte
	n      int
}

func (fc *frameCache) get(c codec.Codec, ev *wamp.Event, log *slog.Logger) []byte {
	for i := range fc.n {
		if fc.codecs[i] == c {
			return fc.frames[i]
		}
	}
	frame, err := c.Encode(nil, ev)
	if err != nil {
		// A payload one serializer cannot carry (say a big integer for
		// JSON) fails for that serializer's subscribers only.
		log.Warn("broker: cannot encode event", "serializer", c.Name(), "err", err)
		frame = nil
	}
	if fc.n < len(fc.codecs) {
		fc.codecs[fc.n], fc.frames[fc.n] = c, frame
		fc.n++
	}
	return frame
}

// Count returns the number of subscriptions (for tests and metrics).
func (b *Broker) Count() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.byID)
}
