package broker

import (
	"fmt"
	"log/slog"

	"github.com/edgebar/edgebar/router/codec"
	"github.com/edgebar/edgebar/router/internal/match"
	"github.com/edgebar/edgebar/router/wamp"
)

// pubOptions are the options of one PUBLISH that change its routing.
type pubOptions struct {
	ack      bool
	retain   bool
	disclose bool
	filter   filter
	ppt      wamp.Dict // ppt_* attributes (payload passthru mode), or nil
}

// parsePubOptions reads PUBLISH.Options. A malformed black/white list is an
// error (wamp.error.invalid_argument); unknown keys are ignored.
func parsePubOptions(opts wamp.Dict, publisher wamp.ID) (pubOptions, error) {
	o := pubOptions{filter: filter{excludeMe: true, publisher: publisher}}
	if len(opts) == 0 {
		return o, nil
	}
	o.ack = wamp.OptBool(opts, "acknowledge", false)
	o.retain = wamp.OptBool(opts, "retain", false)
	o.disclose = wamp.OptBool(opts, "disclose_me", false)
	o.filter.excludeMe = wamp.OptBool(opts, "exclude_me", true)
	o.ppt = wamp.PassthruAttrs(opts)
	err := o.filter.parse(opts)
	return o, err
}

// Publish handles PUBLISH on the publisher's reader goroutine: one match,
// then each subscriber's queue gets the EVENT encoded once per (matching
// subscription, serializer). Events of one publisher reach each subscriber
// in publish order because this one goroutine queues them in that order.
//
// Nothing here allocates per subscriber: the EVENT, its Details and its
// frames are per subscription and shared by all its subscribers.
//
// It returns an error wrapping ErrProtocol for a PUBLISH the spec calls a
// protocol error: payload passthru mode from a publisher that did not
// announce it.
func (b *Broker) Publish(pub Subscriber, m *wamp.Publish) error {
	o, err := parsePubOptions(m.Options, pub.ID())
	if o.ppt != nil && !announcesPassthru(pub.Roles(), "publisher") {
		return fmt.Errorf("%w: PUBLISH with ppt_scheme from a publisher that did not announce payload_passthru_mode", ErrProtocol)
	}
	if err != nil {
		// WAMP §"Publishing": errors only to a publisher that asked for
		// an acknowledgement.
		if o.ack {
			pub.Send(&wamp.ErrorMessage{RequestType: wamp.PUBLISH, Request: m.Request, Error: wamp.ErrInvalidArgument,
				Payload: wamp.Payload{Args: wamp.List{err.Error()}}})
		}
		return nil
	}
	pubID := wamp.GlobalID()
	disclosed := eventDetails(pub, &o)

	// A retaining publication takes the write lock so that storing the
	// retained event and fanning out are one step for Subscribe: a new
	// subscriber gets either this event live or as the retained one.
	if o.retain {
		b.mu.Lock()
		b.retained.put(m.Topic, pubID, &m.Payload, disclosed, &o.filter)
	} else {
		b.mu.RLock()
	}
	b.dispatchLocked(pub, m.Topic, &m.Payload, pubID, disclosed, &o.filter)
	if o.retain {
		b.mu.Unlock()
	} else {
		b.mu.RUnlock()
	}

	if o.ack {
		pub.Send(&wamp.Published{Request: m.Request, Publication: pubID})
	}
	return nil
}

// dispatchLocked sends one publication to every matching subscription and
// records it in the history of those that keep one. Called under b.mu
// (read or write lock). pub is nil for the router's own meta events.
// disclosed is the EVENT.Details of every subscription (eventDetails).
func (b *Broker) dispatchLocked(pub Subscriber, topic wamp.URI, p *wamp.Payload, pubID wamp.ID, disclosed wamp.Dict, f *filter) {
	var buf [8]*subscription
	subs := b.table.MatchAll(topic, buf[:0])
	var patternDetails wamp.Dict // shared by every pattern subscription
	for _, sub := range subs {
		details := disclosed
		if sub.policy != match.Exact {
			// WAMP §"Pattern-based Subscriptions": the concrete topic.
			if patternDetails == nil {
				patternDetails = make(wamp.Dict, len(disclosed)+1)
				for k, v := range disclosed {
					patternDetails[k] = v
				}
				patternDetails["topic"] = string(topic)
			}
			details = patternDetails
		}
		if sub.history != nil {
			sub.history.record(topic, pubID, details, p, f)
		}
		if len(sub.subscribers) == 0 {
			continue
		}
		ev := &wamp.Event{Subscription: sub.id, Publication: pubID, Details: details, Payload: *p}
		b.fanOut(sub.subscribers, pub, ev, f)
	}
}

// fanOut queues ev for every subscriber f lets through, encoding it once
// per serializer.
func (b *Broker) fanOut(subscribers []Subscriber, pub Subscriber, ev *wamp.Event, f *filter) {
	var enc frameCache
	for _, s := range subscribers {
		if s == pub && f.excludeMe {
			continue
		}
		if f.active && !f.allows(s) {
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

// publisherDetails are the EVENT.Details of a publisher that asked to be
// disclosed (WAMP §"Publisher Identification"): session id, authid and
// authrole. The router has no per-topic policy that forbids disclosure.
func publisherDetails(pub Subscriber) wamp.Dict {
	return wamp.Dict{"publisher": pub.ID(), "publisher_authid": pub.AuthID(), "publisher_authrole": pub.AuthRole()}
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
