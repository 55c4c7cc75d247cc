package broker

import (
	"sync"
	"time"

	"github.com/edgebar/edgebar/router/wamp"
)

// WAMP §"Event History": the broker keeps the events published on the
// subscriptions of configured history topics, in the order it received
// them, bounded per topic in count and bytes, in memory (lost on restart).
//
// Eligibility: an event published with a session-id list (exclude,
// eligible) is not kept at all, as the spec says, since session ids do not
// outlive sessions; one with authid or authrole lists is kept with them and
// replayed only to a caller those lists let through. exclude_me is not
// applied on replay: the history is read by sessions other than the
// publication's, and a publisher's own events are no secret to it.

// ErrHistoryUnavailable answers wamp.subscription.get_events for a
// subscription without configured history (Crossbar's URI; the spec names
// none).
const ErrHistoryUnavailable wamp.URI = "wamp.error.history_unavailable"

const (
	defaultHistoryLimit = 100
	defaultHistoryBytes = 1 << 20
)

// histEvent is one kept publication; its payload is a private copy.
type histEvent struct {
	at          time.Time
	topic       wamp.URI
	publication wamp.ID
	details     wamp.Dict // the EVENT.Details the subscription's subscribers got; read only
	payload     wamp.Payload
	filter      filter // authid/authrole lists only
	size        int
}

// history is one subscription's kept events, a ring oldest first.
type history struct {
	limit, maxBytes int

	mu   sync.Mutex // guards the fields below; taken under Broker.mu (any mode)
	ring []*histEvent
	head int // index of the oldest event
	n    int
	size int
}

func newHistory(c HistoryConfig) *history {
	if c.Limit <= 0 {
		c.Limit = defaultHistoryLimit
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = defaultHistoryBytes
	}
	return &history{limit: c.Limit, maxBytes: c.MaxBytes, ring: make([]*histEvent, c.Limit)}
}

// record keeps one publication (see the eligibility rules above).
func (h *history) record(topic wamp.URI, pubID wamp.ID, details wamp.Dict, p *wamp.Payload, f *filter) {
	if f.exclude.present || f.eligible.present {
		return
	}
	ev := &histEvent{at: time.Now().Truncate(time.Millisecond), topic: topic, publication: pubID, details: details, payload: ownPayload(p), filter: *f}
	ev.filter.excludeMe = false
	ev.size = retainedOverhead + len(topic) + ev.payload.Size()
	if ev.size > h.maxBytes {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for h.n > 0 && (h.n == h.limit || h.size+ev.size > h.maxBytes) {
		h.size -= h.ring[h.head].size
		h.ring[h.head] = nil
		h.head = (h.head + 1) % h.limit
		h.n--
	}
	h.ring[(h.head+h.n)%h.limit] = ev
	h.n++
	h.size += ev.size
}

// snapshot returns the kept events, oldest first.
func (h *history) snapshot() []*histEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*histEvent, h.n)
	for i := range h.n {
		out[i] = h.ring[(h.head+i)%h.limit]
	}
	return out
}

// HistoryQuery is the ArgumentsKw of wamp.subscription.get_events; zero
// fields do not filter. Bounds combine with AND.
type HistoryQuery struct {
	Reverse bool
	Limit   int
	// FromTime >=, AfterTime >, BeforeTime <, UntilTime <=.
	FromTime, AfterTime, BeforeTime, UntilTime time.Time
	Topic                                      wamp.URI
	// FromPublication and UntilPublication include the event with that
	// id, AfterPublication and BeforePublication exclude it. An id that is
	// not in the history selects nothing.
	FromPublication, AfterPublication, BeforePublication, UntilPublication wamp.ID
}

// GetEvents returns the history of subscription subID that reader may see,
// as the spec's event dicts {timestamp, subscription, publication, details,
// args, kwargs}. Errors are *wamp.Error: no_such_subscription,
// history_unavailable.
func (b *Broker) GetEvents(subID wamp.ID, q HistoryQuery, reader Subscriber) ([]any, error) {
	b.mu.RLock()
	sub := b.byID[subID]
	var h *history
	if sub != nil {
		h = sub.history
	}
	b.mu.RUnlock()
	if sub == nil {
		return nil, wamp.NewError(wamp.ErrNoSuchSubscription, "no subscription with this id")
	}
	if h == nil {
		return nil, wamp.NewError(ErrHistoryUnavailable, "no event history is kept for this subscription")
	}
	evs := selectEvents(h.snapshot(), &q)
	out := []any{}
	for i := range evs {
		ev := evs[i]
		if q.Reverse {
			ev = evs[len(evs)-1-i]
		}
		if q.Limit > 0 && len(out) >= q.Limit {
			break
		}
		if ev.filter.active && !ev.filter.allows(reader) {
			continue
		}
		if d := eventDict(subID, ev); d != nil {
			out = append(out, d)
		}
	}
	return out, nil
}

// selectEvents applies the publication and time bounds and the topic.
func selectEvents(evs []*histEvent, q *HistoryQuery) []*histEvent {
	lo, hi := 0, len(evs)
	bound := func(id wamp.ID, offset int, isLow bool) {
		if id == 0 {
			return
		}
		i := len(evs) // not found: select nothing
		for j, ev := range evs {
			if ev.publication == id {
				i = j
				break
			}
		}
		if i == len(evs) {
			lo, hi = 0, 0
			return
		}
		if isLow {
			lo = max(lo, i+offset)
		} else {
			hi = min(hi, i+offset)
		}
	}
	bound(q.FromPublication, 0, true)
	bound(q.AfterPublication, 1, true)
	bound(q.BeforePublication, 0, false)
	bound(q.UntilPublication, 1, false)
	if lo >= hi {
		return nil
	}
	var out []*histEvent
	for _, ev := range evs[lo:hi] {
		t := ev.at
		if !q.FromTime.IsZero() && t.Before(q.FromTime) || !q.AfterTime.IsZero() && !t.After(q.AfterTime) ||
			!q.BeforeTime.IsZero() && !t.Before(q.BeforeTime) || !q.UntilTime.IsZero() && t.After(q.UntilTime) ||
			q.Topic != "" && ev.topic != q.Topic {
			continue
		}
		out = append(out, ev)
	}
	return out
}

// eventDict is the spec's Event object of get_events' result; nil when the
// kept payload cannot be decoded (never for payloads the broker copied).
func eventDict(subID wamp.ID, ev *histEvent) wamp.Dict {
	args, kwargs, err := ev.payload.Values()
	if err != nil {
		return nil
	}
	details := wamp.Dict{}
	for k, v := range ev.details {
		details[k] = v
	}
	d := wamp.Dict{
		"timestamp": ev.at.UTC().Format(TimeFormat), "subscription": subID,
		"publication": ev.publication, "details": details,
	}
	if args != nil {
		d["args"] = args
	}
	if kwargs != nil {
		d["kwargs"] = kwargs
	}
	return d
}
