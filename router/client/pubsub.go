package client

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/edgebar/edgebar/router/wamp"
)

// Publish publishes to topic; opts are PUBLISH.Options (nil: none). Without
// opts["acknowledge"] == true it is fire and forget: it returns once the
// message is handed to the transport and ctx is not used. With it, Publish
// waits for PUBLISHED (nil) or ERROR (a *wamp.Error).
func (s *Session) Publish(ctx context.Context, topic wamp.URI, args wamp.List, kwargs wamp.Dict, opts wamp.Dict) error {
	if opts == nil {
		opts = wamp.Dict{}
	}
	m := &wamp.Publish{Options: opts, Topic: topic, Payload: wamp.Payload{Args: args, Kwargs: kwargs}}
	if !wamp.OptBool(opts, "acknowledge", false) {
		s.mu.Lock()
		ended, leaving := s.ended, s.leaving
		s.mu.Unlock()
		switch {
		case ended:
			return s.Err()
		case leaving:
			return errLeaving
		}
		m.Request = s.ids.Next()
		return s.orEndErr(s.send(m))
	}
	id, r, err := s.newRequest(wamp.PUBLISH, nil)
	if err != nil {
		return err
	}
	m.Request = id
	reply, err := s.roundTrip(ctx, id, r, m, nil)
	if err != nil {
		return err
	}
	if em, ok := reply.(*wamp.ErrorMessage); ok {
		return errorOf(em)
	}
	return nil
}

// Event is one event delivered to an EventHandler. Subscriptions of this
// session that share a router subscription get the same *Event: it must not
// be modified.
type Event struct {
	// Topic is the subscribed topic, or for a pattern subscription the
	// topic published to (Details["topic"]).
	Topic       wamp.URI
	Publication wamp.ID
	Args        wamp.List
	Kwargs      wamp.Dict
	Details     wamp.Dict
}

// EventHandler receives the events of one Subscription, one at a time and in
// the order the router sent them, on a goroutine of that subscription. A
// panic is recovered and logged; delivery goes on.
type EventHandler func(*Event)

// Subscription is a topic subscribed by this session. Its events wait in a
// queue, bounded by WithEventQueue, that one goroutine drains into the
// handler; when the queue is full the oldest event is dropped and counted.
type Subscription struct {
	s       *Session
	topic   wamp.URI
	handler EventHandler
	limit   int     // queue bound, <= 0: unbounded
	id      wamp.ID // set under s.mu by the reader on SUBSCRIBED

	dropped atomic.Uint64
	wake    chan struct{} // capacity 1: "the queue is not empty"
	done    chan struct{} // closed by stop

	mu      sync.Mutex
	queue   []*Event // guarded by mu
	stopped bool     // guarded by mu
}

// ID is the subscription id the router assigned. Subscriptions of this
// session to the same topic with the same options share it.
func (sb *Subscription) ID() wamp.ID { return sb.id }

// Topic is the subscribed topic or pattern.
func (sb *Subscription) Topic() wamp.URI { return sb.topic }

// Dropped counts the events dropped because the queue was full.
func (sb *Subscription) Dropped() uint64 { return sb.dropped.Load() }

// Subscribe subscribes handler to topic; opts are SUBSCRIBE.Options (e.g.
// "match": "prefix"; nil: none). An ERROR is returned as a *wamp.Error. If
// ctx ends before the router answers, a subscription that still succeeds is
// taken back.
func (s *Session) Subscribe(ctx context.Context, topic wamp.URI, handler EventHandler, opts wamp.Dict) (*Subscription, error) {
	if opts == nil {
		opts = wamp.Dict{}
	}
	sb := &Subscription{s: s, topic: topic, handler: handler, limit: s.evqLen,
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	// The reader installs the subscription before it reads the next
	// message, which may already be an EVENT of it.
	id, r, err := s.newRequest(wamp.SUBSCRIBE, func(m wamp.Message) {
		if sm, ok := m.(*wamp.Subscribed); ok {
			sb.id = sm.Subscription
			list := s.subs[sb.id]
			s.subs[sb.id] = append(list[:len(list):len(list)], sb)
			go sb.run()
		}
	})
	if err != nil {
		return nil, err
	}
	m := &wamp.Subscribe{Request: id, Options: opts, Topic: topic}
	reply, err := s.roundTrip(ctx, id, r, m, func(m wamp.Message) {
		if _, ok := m.(*wamp.Subscribed); ok {
			sb.Unsubscribe(s.ctx)
		}
	})
	if err != nil {
		return nil, err
	}
	if em, ok := reply.(*wamp.ErrorMessage); ok {
		return nil, errorOf(em)
	}
	return sb, nil
}

// Unsubscribe stops the delivery of events to this subscription's handler
// (one already running finishes) and, when it was the last of this session's
// subscriptions sharing the router's subscription, sends UNSUBSCRIBE.
func (sb *Subscription) Unsubscribe(ctx context.Context) error {
	s := sb.s
	s.mu.Lock()
	list := s.subs[sb.id]
	i := indexOf(list, sb)
	if i < 0 {
		s.mu.Unlock()
		if err := s.Err(); err != nil {
			return err
		}
		return fmt.Errorf("client: %s is not subscribed", sb.topic)
	}
	rest := append(list[:i:i], list[i+1:]...)
	if len(rest) == 0 {
		delete(s.subs, sb.id)
	} else {
		s.subs[sb.id] = rest
	}
	s.mu.Unlock()
	sb.stop()
	if len(rest) > 0 {
		return nil
	}
	id, r, err := s.newRequest(wamp.UNSUBSCRIBE, nil)
	if err != nil {
		return err
	}
	reply, err := s.roundTrip(ctx, id, r, &wamp.Unsubscribe{Request: id, Subscription: sb.id}, nil)
	if err != nil {
		return err
	}
	if em, ok := reply.(*wamp.ErrorMessage); ok {
		return errorOf(em)
	}
	return nil
}

func indexOf(list []*Subscription, sb *Subscription) int {
	for i, x := range list {
		if x == sb {
			return i
		}
	}
	return -1
}

// revokeSubscription handles UNSUBSCRIBED with request 0 (advanced profile
// "subscription revocation"): the router removed a subscription itself.
func (s *Session) revokeSubscription(details wamp.Dict) {
	id, ok := wamp.AsID(details["subscription"])
	if !ok {
		return
	}
	s.mu.Lock()
	list := s.subs[id]
	delete(s.subs, id)
	s.mu.Unlock()
	for _, sb := range list {
		sb.stop()
	}
	s.log.Info("client: subscription revoked by the router", "subscription", id,
		"reason", wamp.OptString(details, "reason"))
}

// event queues m for every subscription of its id. It runs on the reader
// and never blocks.
func (s *Session) event(m *wamp.Event) {
	s.mu.Lock()
	list := s.subs[m.Subscription]
	s.mu.Unlock()
	if len(list) == 0 {
		s.log.Debug("client: event for unknown subscription", "subscription", m.Subscription)
		return
	}
	args, kwargs, err := m.Values()
	if err != nil {
		s.log.Warn("client: dropped event with bad payload", "subscription", m.Subscription, "err", err)
		return
	}
	e := &Event{Topic: list[0].topic, Publication: m.Publication, Args: args, Kwargs: kwargs, Details: m.Details}
	if t := wamp.OptString(m.Details, "topic"); t != "" {
		e.Topic = wamp.URI(t)
	}
	for _, sb := range list {
		sb.push(e)
	}
}

func (sb *Subscription) push(e *Event) {
	sb.mu.Lock()
	if sb.stopped {
		sb.mu.Unlock()
		return
	}
	if sb.limit > 0 && len(sb.queue) >= sb.limit {
		sb.queue[0] = nil
		sb.queue = sb.queue[1:]
		if n := sb.dropped.Add(1); n&(n-1) == 0 { // log at 1, 2, 4, 8, ... drops
			sb.s.log.Warn("client: event queue full, dropping oldest", "topic", sb.topic, "dropped", n)
		}
	}
	sb.queue = append(sb.queue, e)
	sb.mu.Unlock()
	select {
	case sb.wake <- struct{}{}:
	default:
	}
}

// stop ends delivery; queued events are discarded. Safe to call twice.
func (sb *Subscription) stop() {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if !sb.stopped {
		sb.stopped = true
		sb.queue = nil
		close(sb.done)
	}
}

// run is the subscription's delivery goroutine; it exits on stop.
func (sb *Subscription) run() {
	for {
		select {
		case <-sb.wake:
		case <-sb.done:
			return
		}
		for {
			sb.mu.Lock()
			if sb.stopped || len(sb.queue) == 0 {
				sb.mu.Unlock()
				break
			}
			e := sb.queue[0]
			sb.queue[0] = nil
			sb.queue = sb.queue[1:]
			sb.mu.Unlock()
			sb.deliver(e)
		}
	}
}

func (sb *Subscription) deliver(e *Event) {
	defer func() {
		if p := recover(); p != nil {
			sb.s.log.Error("client: event handler panicked", "topic", sb.topic,
				"panic", p, "stack", string(debug.Stack()))
		}
	}()
	sb.handler(e)
}
