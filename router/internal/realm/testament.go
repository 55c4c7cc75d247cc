package realm

import (
	"github.com/edgebar/edgebar/router/internal/broker"
	"github.com/edgebar/edgebar/router/internal/dealer"
	"github.com/edgebar/edgebar/router/internal/session"
	"github.com/edgebar/edgebar/router/wamp"
)

// WAMP §"Session Testament": a session leaves events with the router that
// are published when it leaves or its connection drops. edgebar has no
// session resumption, so a session is detached and destroyed at the same
// moment: the detached testaments go first, then the destroyed ones, each
// scope in the order they were added.

// ErrTestament answers add_testament and flush_testaments with an unknown
// scope (Crossbar's URI; the spec names none).
const ErrTestament wamp.URI = "wamp.error.testament_error"

// maxTestaments bounds the testaments per session and scope; past it
// add_testament fails with edgebar.error.limit_exceeded.
const maxTestaments = 64

const (
	scopeDetached = iota
	scopeDestroyed
)

// testament is one event to publish for a session that is gone.
type testament struct {
	topic   wamp.URI
	opts    wamp.Dict
	payload wamp.Payload
}

// testaments are a session's, by scope.
type testaments [2][]testament

// scopeOf reads the scope keyword argument; default destroyed.
func scopeOf(kwargs wamp.Dict) (int, error) {
	v, ok := kwargs["scope"]
	if !ok || v == nil {
		return scopeDestroyed, nil
	}
	switch s, _ := wamp.AsString(v); s {
	case "detached":
		return scopeDetached, nil
	case "destroyed":
		return scopeDestroyed, nil
	}
	return 0, wamp.NewError(ErrTestament, "scope must be detached or destroyed")
}

// wamp.session.add_testament(topic, args, kwargs; publish_options?, scope?)
// -> nothing.
func (r *Realm) addTestament(s *session.Session, args wamp.List, kwargs wamp.Dict) (wamp.Payload, error) {
	topic, err := argString(args, 0, "topic")
	if err != nil {
		return wamp.Payload{}, err
	}
	if ok, why := r.checkURI(wamp.URI(topic), true); !ok {
		return wamp.Payload{}, wamp.NewError(wamp.ErrInvalidURI, why)
	}
	var t testament
	t.topic = wamp.URI(topic)
	if len(args) > 1 && args[1] != nil {
		l, ok := args[1].(wamp.List)
		if !ok {
			return wamp.Payload{}, badArg("argument 2 (args) must be a list")
		}
		t.payload.Args = l
	}
	if t.payload.Kwargs, err = optDict(args, 2, "kwargs"); err != nil {
		return wamp.Payload{}, err
	}
	if v := kwargs["publish_options"]; v != nil {
		opts, ok := v.(wamp.Dict)
		if !ok {
			return wamp.Payload{}, badArg("publish_options must be a dict")
		}
		if err := broker.CheckPublishOptions(opts); err != nil {
			return wamp.Payload{}, badArg("publish_options: %v", err)
		}
		t.opts = opts
	}
	scope, err := scopeOf(kwargs)
	if err != nil {
		return wamp.Payload{}, err
	}
	r.tmu.Lock()
	defer r.tmu.Unlock()
	ts := r.testaments[s.ID()]
	if ts == nil {
		// add_testament and Leave both run on the session's reader
		// goroutine, so Leave always sees what was added.
		ts = &testaments{}
		r.testaments[s.ID()] = ts
	}
	if len(ts[scope]) >= maxTestaments {
		return wamp.Payload{}, wamp.NewError(dealer.ErrLimitExceeded, "too many testaments in this scope")
	}
	ts[scope] = append(ts[scope], t)
	return wamp.Payload{}, nil
}

// wamp.session.flush_testaments(; scope?) -> nothing.
func (r *Realm) flushTestaments(s *session.Session, _ wamp.List, kwargs wamp.Dict) (wamp.Payload, error) {
	scope, err := scopeOf(kwargs)
	if err != nil {
		return wamp.Payload{}, err
	}
	r.tmu.Lock()
	if ts := r.testaments[s.ID()]; ts != nil {
		ts[scope] = nil
	}
	r.tmu.Unlock()
	return wamp.Payload{}, nil
}
