package realm

import (
	"errors"
	"fmt"

	"github.com/edgebar/edgebar/router/internal/session"
	"github.com/edgebar/edgebar/router/wamp"
)

// The meta API (WAMP §"Meta API"): the realm itself answers CALLs to the
// procedures below, on the caller's reader goroutine, and publishes the
// meta events through its broker with the router as publisher. Clients
// cannot register in the reserved "wamp." namespace, so nothing else can
// answer these URIs. Every session may call them until the authorization
// work adds roles.

// Session meta events (WAMP §"Session Meta API").
const (
	topicOnJoin  wamp.URI = "wamp.session.on_join"
	topicOnLeave wamp.URI = "wamp.session.on_leave"
)

// metaFunc answers one meta procedure: the RESULT payload, or a
// *wamp.Error for the ERROR.
type metaFunc func(r *Realm, caller *session.Session, args wamp.List, kwargs wamp.Dict) (wamp.Payload, error)

// metaProcs are the meta procedures by URI; set in init because some of
// them reach metaCall's helpers.
var metaProcs map[wamp.URI]metaFunc

func init() {
	metaProcs = map[wamp.URI]metaFunc{
		"wamp.session.count":            (*Realm).sessionCount,
		"wamp.session.list":             (*Realm).sessionList,
		"wamp.session.get":              (*Realm).sessionGet,
		"wamp.session.kill":             (*Realm).sessionKill,
		"wamp.session.kill_by_authid":   (*Realm).sessionKillByAuthID,
		"wamp.session.kill_by_authrole": (*Realm).sessionKillByAuthRole,
		"wamp.session.kill_all":         (*Realm).sessionKillAll,
		"wamp.session.add_testament":    (*Realm).addTestament,
		"wamp.session.flush_testaments": (*Realm).flushTestaments,

		"wamp.registration.list":          (*Realm).registrationList,
		"wamp.registration.lookup":        (*Realm).registrationLookup,
		"wamp.registration.match":         (*Realm).registrationMatch,
		"wamp.registration.get":           (*Realm).registrationGet,
		"wamp.registration.list_callees":  (*Realm).registrationListCallees,
		"wamp.registration.count_callees": (*Realm).registrationCountCallees,
		"wamp.registration.remove_callee": (*Realm).registrationRemoveCallee,

		"wamp.subscription.list":              (*Realm).subscriptionList,
		"wamp.subscription.lookup":            (*Realm).subscriptionLookup,
		"wamp.subscription.match":             (*Realm).subscriptionMatch,
		"wamp.subscription.get":               (*Realm).subscriptionGet,
		"wamp.subscription.list_subscribers":  (*Realm).subscriptionListSubscribers,
		"wamp.subscription.count_subscribers": (*Realm).subscriptionCountSubscribers,
		"wamp.subscription.remove_subscriber": (*Realm).subscriptionRemoveSubscriber,
		"wamp.subscription.get_events":        (*Realm).subscriptionGetEvents,
	}
}

// isMeta reports whether a CALL goes to the meta API: every procedure in
// the reserved namespace is the router's.
func isMeta(procedure wamp.URI) bool {
	return len(procedure) > 5 && procedure[:5] == "wamp."
}

// metaCall answers a CALL to the meta API.
func (r *Realm) metaCall(s *session.Session, m *wamp.Call) {
	fn := metaProcs[m.Procedure]
	if fn == nil {
		s.Send(&wamp.ErrorMessage{RequestType: wamp.CALL, Request: m.Request, Error: wamp.ErrNoSuchProcedure})
		return
	}
	args, kwargs, err := m.Payload.Values()
	var res wamp.Payload
	if err != nil {
		err = wamp.NewError(wamp.ErrInvalidArgument, err.Error())
	} else {
		res, err = fn(r, s, args, kwargs)
	}
	if err != nil {
		var we *wamp.Error
		if !errors.As(err, &we) {
			we = wamp.NewError(wamp.ErrInvalidArgument, err.Error())
		}
		s.Send(&wamp.ErrorMessage{RequestType: wamp.CALL, Request: m.Request, Details: we.Details, Error: we.URI,
			Payload: wamp.Payload{Args: we.Args, Kwargs: we.Kwargs}})
		return
	}
	s.Send(&wamp.Result{Request: m.Request, Details: wamp.Dict{}, Payload: res})
}

// metaFeatures adds the meta API features to the broker's and dealer's
// WELCOME features (WAMP: session_meta_api on both roles).
func (r *Realm) metaFeatures(b, d wamp.Dict) {
	b["session_meta_api"] = true
	b["subscription_meta_api"] = true
	if len(r.cfg.Broker.History) > 0 {
		b["event_history"] = true
	}
	d["session_meta_api"] = true
	d["registration_meta_api"] = true
	d["testament_meta_api"] = true
}

// sessionDetails is the spec's session details dict (wamp.session.get,
// wamp.session.on_join); transport is edgebar's {type, serializer, peer}.
func sessionDetails(s *session.Session) wamp.Dict {
	id := s.Identity()
	info := s.Info()
	return wamp.Dict{
		"session": s.ID(), "authid": id.AuthID, "authrole": id.AuthRole,
		"authmethod": id.AuthMethod, "authprovider": id.AuthProvider,
		"transport": wamp.Dict{"type": info.Transport, "serializer": info.Serializer, "peer": info.RemoteAddr},
	}
}

// metaJoined publishes wamp.session.on_join for s.
func (r *Realm) metaJoined(s *session.Session) {
	if r.broker.Wants(topicOnJoin) {
		r.broker.PublishMeta(topicOnJoin, wamp.List{sessionDetails(s)})
	}
}

// metaLeft publishes s's testaments (WAMP §"Session Testament": detached,
// then destroyed, as a router without session resumption must) and then
// wamp.session.on_leave (session, authid, authrole).
func (r *Realm) metaLeft(s *session.Session) {
	r.tmu.Lock()
	ts := r.testaments[s.ID()]
	delete(r.testaments, s.ID())
	r.tmu.Unlock()
	if ts != nil {
		for _, scope := range ts {
			for _, t := range scope {
				if err := r.broker.PublishAs(s, t.topic, t.opts, t.payload); err != nil {
					r.log.Warn("realm: testament not published", "session", s.ID(), "topic", string(t.topic), "err", err)
				}
			}
		}
	}
	if r.broker.Wants(topicOnLeave) {
		r.broker.PublishMeta(topicOnLeave, wamp.List{s.ID(), s.AuthID(), s.AuthRole()})
	}
}

// ---- argument helpers: each failure is ERROR wamp.error.invalid_argument ----

func badArg(format string, a ...any) error {
	return wamp.NewError(wamp.ErrInvalidArgument, fmt.Sprintf(format, a...))
}

// argID reads a required id argument.
func argID(args wamp.List, i int, name string) (wamp.ID, error) {
	if i >= len(args) {
		return 0, badArg("missing argument %d (%s)", i+1, name)
	}
	id, ok := wamp.AsID(args[i])
	if !ok {
		return 0, badArg("argument %d (%s) must be an id, not %T", i+1, name, args[i])
	}
	return id, nil
}

// argString reads a required string argument.
func argString(args wamp.List, i int, name string) (string, error) {
	if i >= len(args) {
		return "", badArg("missing argument %d (%s)", i+1, name)
	}
	s, ok := wamp.AsString(args[i])
	if !ok {
		return "", badArg("argument %d (%s) must be a string, not %T", i+1, name, args[i])
	}
	return s, nil
}

// optDict reads an optional dict argument (absent or null: nil).
func optDict(args wamp.List, i int, name string) (wamp.Dict, error) {
	if i >= len(args) || args[i] == nil {
		return nil, nil
	}
	d, ok := args[i].(wamp.Dict)
	if !ok {
		return nil, badArg("argument %d (%s) must be a dict, not %T", i+1, name, args[i])
	}
	return d, nil
}

// optStrings reads an optional list of strings (absent or null: nil, false).
func optStrings(args wamp.List, i int, name string) ([]string, bool, error) {
	if i >= len(args) || args[i] == nil {
		return nil, false, nil
	}
	l, ok := args[i].(wamp.List)
	if !ok {
		return nil, false, badArg("argument %d (%s) must be a list of strings", i+1, name)
	}
	out := make([]string, len(l))
	for j, v := range l {
		if out[j], ok = wamp.AsString(v); !ok {
			return nil, false, badArg("argument %d (%s) must be a list of strings", i+1, name)
		}
	}
	return out, true, nil
}

// result is a RESULT payload of positional values.
func result(v ...any) wamp.Payload { return wamp.Payload{Args: wamp.List(v)} }

// orNull turns a missing id into null (the spec's "Nullable" results).
func orNull(id wamp.ID, ok bool) any {
	if !ok {
		return nil
	}
	return id
}

func idList(ids []wamp.ID) wamp.List {
	l := make(wamp.List, len(ids))
	for i, id := range ids {
		l[i] = id
	}
	return l
}
