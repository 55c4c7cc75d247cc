package broker

import (
	"bytes"
	"container/list"
	"slices"

	"github.com/edgebar/edgebar/router/codec"
	"github.com/edgebar/edgebar/router/internal/match"
	"github.com/edgebar/edgebar/router/wamp"
)

// WAMP §"Event Retention": a publication with Options.retain becomes the
// topic's retained event, sent with Details.retained to a later subscriber
// that asks with Options.get_retained, and only if that subscriber would
// have received the publication (exclude_me, black/white lists).
//
// Per topic the store keeps the latest retained event that had no
// black/white list, plus up to maxRestricted newer ones that had one: a
// subscriber gets the newest of these it is eligible for, which is the
// most recent retained event it would have received. Across topics the
// store is bounded in bytes; the topics retained longest ago go first.

// maxRestricted bounds the retained events with black/white lists kept per
// topic besides the latest unrestricted one.
const maxRestricted = 4

// retainedOverhead is what one retained event costs besides its payload
// bytes: structs, the filter, the list element, map entry.
const retainedOverhead = 256

// retainedEvent is one stored publication. Its payload is a private copy.
type retainedEvent struct {
	publication wamp.ID
	payload     wamp.Payload
	publisher   wamp.Dict // disclosed publisher details and ppt_* attributes, or nil
	filter      filter
	size        int
}

// retainedTopic is a topic's retained events.
type retainedTopic struct {
	topic      wamp.URI
	base       *retainedEvent   // latest without lists, or nil
	restricted []*retainedEvent // newer than base, with lists, oldest first
	size       int
	elem       *list.Element // in retainStore.lru
}

// retainStore holds the retained events of a realm. Guarded by Broker.mu
// (write lock for put, read or write lock for the rest).
type retainStore struct {
	max    int
	size   int
	topics map[wamp.URI]*retainedTopic
	lru    *list.List // of *retainedTopic, least recently retained first
}

func newRetainStore(max int) retainStore {
	return retainStore{max: max, topics: make(map[wamp.URI]*retainedTopic), lru: list.New()}
}

// put stores a publication as the topic's retained event.
func (rs *retainStore) put(topic wamp.URI, pubID wamp.ID, p *wamp.Payload, publisher wamp.Dict, f *filter) {
	ev := &retainedEvent{publication: pubID, payload: ownPayload(p), publisher: publisher, filter: *f}
	ev.size = retainedOverhead + ev.payload.Size()
	if ev.size > rs.max {
		return // never fits: best effort (the spec allows ignoring retain)
	}
	t := rs.topics[topic]
	if t == nil {
		t = &retainedTopic{topic: topic, size: len(topic)}
		t.elem = rs.lru.PushBack(t)
		rs.topics[topic] = t
		rs.size += t.size
	} else {
		rs.lru.MoveToBack(t.elem)
	}
	before := t.size
	if f.active {
		t.restricted = append(t.restricted, ev)
		t.size += ev.size
		if len(t.restricted) > maxRestricted {
			t.size -= t.restricted[0].size
			t.restricted = slices.Delete(t.restricted, 0, 1)
		}
	} else {
		for _, r := range t.restricted {
			t.size -= r.size
		}
		t.restricted = nil
		if t.base != nil {
			t.size -= t.base.size
		}
		t.base = ev
		t.size += ev.size
	}
	rs.size += t.size - before
	for rs.size > rs.max {
		rs.evict(rs.lru.Front().Value.(*retainedTopic))
	}
}

func (rs *retainStore) evict(t *retainedTopic) {
	rs.lru.Remove(t.elem)
	delete(rs.topics, t.topic)
	rs.size -= t.size
}

// latest returns the newest retained event of t that s may receive.
func (t *retainedTopic) latest(s Subscriber) *retainedEvent {
	for i := len(t.restricted) - 1; i >= 0; i-- {
		if ev := t.restricted[i]; ev.filter.allowsID(s) {
			return ev
		}
	}
	if t.base != nil && t.base.filter.allowsID(s) {
		return t.base
	}
	return nil
}

// ownPayload copies a payload so the retained event does not pin or share
// the publisher's read buffer. A payload of values (in-memory publishers)
// is encoded once with msgpack, which also gives it an exact size.
func ownPayload(p *wamp.Payload) wamp.Payload {
	if p.IsRaw() {
		return wamp.Payload{Raw: wamp.RawPayload{Enc: p.Raw.Enc, Args: bytes.Clone(p.Raw.Args), Kwargs: bytes.Clone(p.Raw.Kwargs)}}
	}
	mp, _ := codec.ByName("msgpack")
	var raw wamp.RawPayload
	var err error
	if p.Args != nil {
		raw.Args, err = mp.EncodeValue(nil, p.Args)
	}
	if err == nil && p.Kwargs != nil {
		raw.Kwargs, err = mp.EncodeValue(nil, p.Kwargs)
	}
	if err != nil {
		// Values msgpack cannot carry cannot be sent to anyone either.
		return wamp.Payload{}
	}
	raw.Enc = mp
	return wamp.Payload{Raw: raw}
}

// sendRetainedLocked sends s, just subscribed to sub, the retained events
// of every topic sub matches, in topic order. Called under b.mu.
func (b *Broker) sendRetainedLocked(s Subscriber, sub *subscription) {
	if sub.policy == match.Exact {
		if t := b.retained.topics[sub.topic]; t != nil {
			b.sendRetainedEvent(s, sub, t)
		}
		return
	}
	// A pattern: test every retained topic against it. The store is
	// bounded, and this runs once per SUBSCRIBE with get_retained.
	one := match.NewTable[bool]()
	one.Set(sub.topic, sub.policy, true)
	var hits []*retainedTopic
	var buf [1]bool
	for topic, t := range b.retained.topics {
		if len(one.MatchAll(topic, buf[:0])) > 0 {
			hits = append(hits, t)
		}
	}
	slices.SortFunc(hits, func(x, y *retainedTopic) int {
		return bytes.Compare([]byte(x.topic), []byte(y.topic))
	})
	for _, t := range hits {
		b.sendRetainedEvent(s, sub, t)
	}
}

func (b *Broker) sendRetainedEvent(s Subscriber, sub *subscription, t *retainedTopic) {
	ev := t.latest(s)
	if ev == nil {
		return
	}
	details := make(wamp.Dict, len(ev.publisher)+2)
	for k, v := range ev.publisher {
		details[k] = v
	}
	details["retained"] = true
	if sub.policy != match.Exact {
		details["topic"] = string(t.topic)
	}
	m := &wamp.Event{Subscription: sub.id, Publication: ev.publication, Details: details, Payload: ev.payload}
	c := s.Codec()
	if c == nil {
		s.SendEvent(nil, m)
		return
	}
	frame, err := c.Encode(nil, m)
	if err != nil {
		b.log.Warn("broker: cannot encode retained event", "serializer", c.Name(), "err", err)
		return
	}
	s.SendEvent(frame, m)
}
