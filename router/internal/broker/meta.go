package broker

import (
	"slices"
	"time"

	"github.com/edgebar/edgebar/router/internal/match"
	"github.com/edgebar/edgebar/router/wamp"
)

// Subscription meta events (WAMP §"Subscription Meta API"), published by
// the broker itself under its write lock, so that they are ordered with the
// changes they report.
const (
	TopicOnCreate      wamp.URI = "wamp.subscription.on_create"
	TopicOnSubscribe   wamp.URI = "wamp.subscription.on_subscribe"
	TopicOnUnsubscribe wamp.URI = "wamp.subscription.on_unsubscribe"
	TopicOnDelete      wamp.URI = "wamp.subscription.on_delete"
)

// TimeFormat is how the meta API writes times ("created", "timestamp"):
// RFC 3339 in UTC with milliseconds, the spec's "yyyy-MM-ddThh:mm:ss.SSSZ".
const TimeFormat = "2006-01-02T15:04:05.000Z"

// noFilter lets a meta event through to every subscriber: the router is no
// session, so nobody is excluded.
var noFilter = filter{}

// wantsLocked reports whether a publication to topic would reach anyone (a
// subscriber or a history). Under b.mu; allocates nothing.
func (b *Broker) wantsLocked(topic wamp.URI) bool {
	var buf [8]*subscription
	for _, sub := range b.table.MatchAll(topic, buf[:0]) {
		if len(sub.subscribers) > 0 || sub.history != nil {
			return true
		}
	}
	return false
}

// metaLocked publishes a meta event with the router as publisher, building
// its arguments only when someone would receive it. Under b.mu.
func (b *Broker) metaLocked(topic wamp.URI, args func() wamp.List) {
	if !b.wantsLocked(topic) {
		return
	}
	b.dispatchLocked(nil, topic, &wamp.Payload{Args: args()}, wamp.GlobalID(), nil, &noFilter)
}

// Wants reports whether a publication to topic would reach anyone: callers
// check it before they build a meta event's payload.
func (b *Broker) Wants(topic wamp.URI) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.wantsLocked(topic)
}

// PublishMeta publishes an event with the router as publisher (meta events
// of the session and registration meta APIs): no session is excluded and
// nothing is disclosed.
func (b *Broker) PublishMeta(topic wamp.URI, args wamp.List) {
	b.mu.RLock()
	b.dispatchLocked(nil, topic, &wamp.Payload{Args: args}, wamp.GlobalID(), nil, &noFilter)
	b.mu.RUnlock()
}

// PublishAs publishes on behalf of a session that may be gone (a
// testament, WAMP §"Session Testament"): PUBLISH.Options apply as for the
// session's own publication, but nothing is acknowledged. It reports a
// malformed black/white list (nothing is published then). Testaments are
// rare, so it takes the write lock whether or not it retains.
func (b *Broker) PublishAs(pub Subscriber, topic wamp.URI, opts wamp.Dict, p wamp.Payload) error {
	o, err := parsePubOptions(opts, pub.ID())
	if err != nil {
		return err
	}
	pubID := wamp.GlobalID()
	disclosed := eventDetails(pub, &o)
	b.mu.Lock()
	if o.retain {
		b.retained.put(topic, pubID, &p, disclosed, &o.filter)
	}
	b.dispatchLocked(pub, topic, &p, pubID, disclosed, &o.filter)
	b.mu.Unlock()
	return nil
}

// CheckPublishOptions reports a PUBLISH.Options dict the broker would refuse
// (a malformed black/white list).
func CheckPublishOptions(opts wamp.Dict) error {
	_, err := parsePubOptions(opts, 0)
	return err
}

// SubscriptionInfo is one subscription as the meta API shows it.
type SubscriptionInfo struct {
	ID          wamp.ID
	Created     time.Time
	URI         wamp.URI
	Match       match.Policy
	Subscribers []wamp.ID
	History     bool // a configured history topic
}

func (sub *subscription) details() wamp.Dict {
	return wamp.Dict{
		"id": sub.id, "created": sub.created.UTC().Format(TimeFormat),
		"uri": string(sub.topic), "match": sub.policy.String(),
	}
}

// Details is the spec's SubscriptionDetails dict.
func (si *SubscriptionInfo) Details() wamp.Dict {
	return wamp.Dict{
		"id": si.ID, "created": si.Created.UTC().Format(TimeFormat),
		"uri": string(si.URI), "match": si.Match.String(),
	}
}

// Subscription returns the subscription id's info.
func (b *Broker) Subscription(id wamp.ID) (SubscriptionInfo, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	sub := b.byID[id]
	if sub == nil {
		return SubscriptionInfo{}, false
	}
	si := SubscriptionInfo{ID: sub.id, Created: sub.created, URI: sub.topic, Match: sub.policy, History: sub.history != nil}
	si.Subscribers = make([]wamp.ID, len(sub.subscribers))
	for i, s := range sub.subscribers {
		si.Subscribers[i] = s.ID()
	}
	return si, true
}

// Subscriptions returns the subscription ids by match policy, each list
// sorted by topic (wamp.subscription.list).
func (b *Broker) Subscriptions() (byPolicy [3][]wamp.ID) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for i := range byPolicy {
		byPolicy[i] = []wamp.ID{}
	}
	b.table.Each(func(_ wamp.URI, p match.Policy, sub *subscription) bool {
		byPolicy[p] = append(byPolicy[p], sub.id)
		return true
	})
	return byPolicy
}

// Lookup returns the subscription of (topic, policy), the one a SUBSCRIBE
// with these would join (wamp.subscription.lookup).
func (b *Broker) Lookup(topic wamp.URI, p match.Policy) (wamp.ID, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	sub, ok := b.table.Get(topic, p)
	if !ok {
		return 0, false
	}
	return sub.id, true
}

// Match returns the subscriptions a publication to topic goes out on, in
// the broker's dispatch order (wamp.subscription.match).
func (b *Broker) Match(topic wamp.URI) []wamp.ID {
	b.mu.RLock()
	defer b.mu.RUnlock()
	subs := b.table.MatchAll(topic, nil)
	ids := make([]wamp.ID, len(subs))
	for i, sub := range subs {
		ids[i] = sub.id
	}
	return slices.Clip(ids)
}
