// Package broker routes publish and subscribe within one realm: it keeps the
// subscriptions (exact, prefix and wildcard, in a match.Table), fans a
// PUBLISH out as EVENTs, keeps retained events, and answers SUBSCRIBE and
// UNSUBSCRIBE. It addresses sessions only through the Subscriber interface,
// so it knows nothing of realms or transports.
//
// Locking: one sync.RWMutex per broker. A publication is matched and fanned
// out under the read lock, so publishers on all cores route in parallel,
// and a SUBSCRIBE, UNSUBSCRIBE or revocation (write lock) is ordered against
// every publication: a subscriber never gets an EVENT of a subscription
// before its SUBSCRIBED or after its UNSUBSCRIBED (Autobahn|JS treats either
// as a protocol violation). Enqueueing to a session never blocks (EVENTs
// over the session's bound are dropped), so the lock is held only for CPU
// work.
package broker

import (
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/edgebar/edgebar/router/codec"
	"github.com/edgebar/edgebar/router/internal/match"
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
	// ev and its Details are shared with other subscribers: read only.
	SendEvent(frame []byte, ev *wamp.Event) bool
	// AuthID, AuthRole and Roles (the roles announced in HELLO) are fixed
	// at join: for black/white listing, publisher disclosure and the
	// subscription_revocation check.
	AuthID() string
	AuthRole() string
	Roles() wamp.Dict
}

// Features are the broker features announced in WELCOME: only what works.
// subscription_revocation is Revoke, reached through the meta procedure
// wamp.subscription.remove_subscriber; the realm adds the meta API
// features it serves (session_meta_api, subscription_meta_api,
// event_history).
func Features() wamp.Dict {
	return wamp.Dict{
		"publisher_exclusion":           true,
		"subscriber_blackwhite_listing": true,
		"publisher_identification":      true,
		"pattern_based_subscription":    true,
		"event_retention":               true,
		"subscription_revocation":       true,
		"payload_passthru_mode":         true,
		// The name Autobahn clients before the spec's rename look for.
		"payload_transparency": true,
	}
}

// Config bounds one realm's broker. Zero fields take the defaults.
type Config struct {
	// RetainedBytes bounds the memory held by retained events of the realm
	// (payload bytes plus a fixed overhead per event); past it the topics
	// retained longest ago lose their retained events. Default 4 MiB.
	RetainedBytes int
	// History lists the topics whose events the broker keeps for
	// wamp.subscription.get_events (WAMP §"Event History"). Each gets a
	// subscription at New that lives as long as the broker.
	History []HistoryConfig
}

// HistoryConfig is one topic (or pattern) with event history.
type HistoryConfig struct {
	Topic wamp.URI
	Match match.Policy
	// Limit is the number of events kept; default 100.
	Limit int
	// MaxBytes bounds the memory of the kept events (payload plus a fixed
	// overhead per event); the oldest go first. Default 1 MiB.
	MaxBytes int
}

const defaultRetainedBytes = 4 << 20

// MaxPatternLen caps prefix and wildcard topics: the wildcard trie costs one
// node per component. Exact topics are bounded by the message size only.
const MaxPatternLen = 1024

// subscription is one (topic pattern, policy) with its subscribers. The
// subscribers slice is replaced under Broker.mu (write lock), never
// modified in place.
type subscription struct {
	id          wamp.ID
	topic       wamp.URI
	policy      match.Policy
	created     time.Time
	subscribers []Subscriber
	// history is set for a configured history topic; such a subscription
	// is created by New and never deleted, so its id stays valid for
	// wamp.subscription.get_events while nobody subscribes.
	history *history
}

// Broker holds one realm's subscriptions and retained events.
type Broker struct {
	log *slog.Logger
	ids wamp.IDGen // subscription ids, router scope

	mu        sync.RWMutex // guards everything below
	table     *match.Table[*subscription]
	byID      map[wamp.ID]*subscription
	bySession map[wamp.ID][]*subscription
	retained  retainStore
}

// New returns an empty broker.
func New(log *slog.Logger, cfg Config) *Broker {
	if cfg.RetainedBytes <= 0 {
		cfg.RetainedBytes = defaultRetainedBytes
	}
	b := &Broker{
		log:       log,
		table:     match.NewTable[*subscription](),
		byID:      make(map[wamp.ID]*subscription),
		bySession: make(map[wamp.ID][]*subscription),
		retained:  newRetainStore(cfg.RetainedBytes),
	}
	for _, h := range cfg.History {
		if _, dup := b.table.Get(h.Topic, h.Match); dup {
			continue // the router refuses duplicates; keep the first
		}
		sub := &subscription{id: b.ids.Next(), topic: h.Topic, policy: h.Match, created: time.Now(), history: newHistory(h)}
		b.table.Set(h.Topic, h.Match, sub)
		b.byID[sub.id] = sub
	}
	return b
}

// Subscribe handles SUBSCRIBE; the realm checked the topic against the
// match policy (CheckTopic). A session that subscribes twice to the same
// (topic, policy) gets the same subscription and each event once (WAMP
// §"Subscribing and Unsubscribing"). With Options.get_retained the retained
// events of every matching topic follow the SUBSCRIBED (WAMP §"Event
// Retention").
func (b *Broker) Subscribe(s Subscriber, m *wamp.Subscribe) {
	policy, ok := match.ParsePolicy(wamp.OptString(m.Options, "match"))
	if !ok {
		s.Send(&wamp.ErrorMessage{RequestType: wamp.SUBSCRIBE, Request: m.Request, Error: wamp.ErrInvalidArgument,
			Payload: wamp.Payload{Args: wamp.List{"unknown match policy"}}})
		return
	}
	getRetained := wamp.OptBool(m.Options, "get_retained", false)

	b.mu.Lock()
	defer b.mu.Unlock()
	sub, existed := b.table.Get(m.Topic, policy)
	if !existed {
		sub = &subscription{id: b.ids.Next(), topic: m.Topic, policy: policy, created: time.Now()}
		b.table.Set(m.Topic, policy, sub)
		b.byID[sub.id] = sub
	}
	added := !slices.Contains(sub.subscribers, s)
	if added {
		next := make([]Subscriber, len(sub.subscribers), len(sub.subscribers)+1)
		copy(next, sub.subscribers)
		sub.subscribers = append(next, s)
		b.bySession[s.ID()] = append(b.bySession[s.ID()], sub)
	}
	// Under the lock: no publication can slip an EVENT in before the
	// SUBSCRIBED or between it and the retained events.
	if s.Send(&wamp.Subscribed{Request: m.Request, Subscription: sub.id}) && getRetained {
		b.sendRetainedLocked(s, sub)
	}
	// WAMP §"Subscription Meta Events": on_create, then on_subscribe,
	// under the lock so that they are ordered with the change.
	if !existed {
		b.metaLocked(TopicOnCreate, func() wamp.List { return wamp.List{s.ID(), sub.details()} })
	}
	if added {
		b.metaLocked(TopicOnSubscribe, func() wamp.List { return wamp.List{s.ID(), sub.id} })
	}
}

// CheckTopic checks a SUBSCRIBE topic for its match policy (Options.match):
// exact topics are URIs, prefix topics may end in an empty component
// ("com.myapp." or ""), wildcard topics may have empty components anywhere.
// It returns the error URI and message for the ERROR, or "" when the topic
// is fine.
func CheckTopic(topic wamp.URI, opts wamp.Dict, strict bool) (wamp.URI, string) {
	ms, isString := opts["match"].(string)
	if opts["match"] != nil && !isString {
		return wamp.ErrInvalidArgument, "match policy must be a string"
	}
	policy, ok := match.ParsePolicy(ms)
	if !ok {
		return wamp.ErrInvalidArgument, "match policy " + ms + " is not supported"
	}
	valid := false
	switch policy {
	case match.Exact:
		valid = wamp.ValidURI(topic, strict)
	case match.Prefix:
		t := topic
		if n := len(t); n > 0 && t[n-1] == '.' {
			t = t[:n-1]
		}
		valid = t == "" || wamp.ValidURI(t, strict)
	case match.Wildcard:
		valid = wamp.ValidPattern(topic, strict)
	}
	if !valid {
		return wamp.ErrInvalidURI, "invalid " + policy.String() + " topic \"" + string(topic) + "\""
	}
	if policy != match.Exact && len(topic) > MaxPatternLen {
		return wamp.ErrInvalidURI, "pattern topic longer than 1024 bytes"
	}
	return "", ""
}

// Unsubscribe handles UNSUBSCRIBE.
func (b *Broker) Unsubscribe(s Subscriber, m *wamp.Unsubscribe) {
	b.mu.Lock()
	sub := b.byID[m.Subscription]
	ok := sub != nil && b.removeLocked(sub, s)
	b.mu.Unlock()
	// After the unlock: publications still under way when the lock was
	// taken have queued their EVENTs, later ones no longer see s.
	if !ok {
		s.Send(&wamp.ErrorMessage{RequestType: wamp.UNSUBSCRIBE, Request: m.Request, Error: wamp.ErrNoSuchSubscription})
		return
	}
	s.Send(&wamp.Unsubscribed{Request: m.Request})
}

// removeLocked takes s out of sub and drops sub when it is empty (unless
// it keeps a configured history), with the meta events on_unsubscribe and
// on_delete. It reports whether s was subscribed.
func (b *Broker) removeLocked(sub *subscription, s Subscriber) bool {
	i := slices.Index(sub.subscribers, s)
	if i < 0 {
		return false
	}
	deleted := false
	if len(sub.subscribers) == 1 {
		sub.subscribers = nil
		if sub.history == nil {
			b.table.Delete(sub.topic, sub.policy)
			delete(b.byID, sub.id)
			deleted = true
		}
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
	b.metaLocked(TopicOnUnsubscribe, func() wamp.List { return wamp.List{s.ID(), sub.id} })
	if deleted {
		b.metaLocked(TopicOnDelete, func() wamp.List { return wamp.List{s.ID(), sub.id} })
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

// Count returns the number of subscriptions, configured history topics
// included (for tests and metrics).
func (b *Broker) Count() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.byID)
}
