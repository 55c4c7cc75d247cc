package realm

import (
	"slices"

	"github.com/edgebar/edgebar/router/internal/session"
	"github.com/edgebar/edgebar/router/wamp"
)

// WAMP §"Session Meta API": procedures.

// sessionsWhere returns the realm's sessions that keep says yes to.
func (r *Realm) sessionsWhere(keep func(*session.Session) bool) []*session.Session {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []*session.Session
	for _, s := range r.sessions {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}

// byAuthRoles reads the optional filter_authroles argument.
func byAuthRoles(args wamp.List) (func(*session.Session) bool, error) {
	roles, present, err := optStrings(args, 0, "filter_authroles")
	if err != nil {
		return nil, err
	}
	return func(s *session.Session) bool { return !present || slices.Contains(roles, s.AuthRole()) }, nil
}

// wamp.session.count(filter_authroles?) -> count
func (r *Realm) sessionCount(_ *session.Session, args wamp.List, _ wamp.Dict) (wamp.Payload, error) {
	keep, err := byAuthRoles(args)
	if err != nil {
		return wamp.Payload{}, err
	}
	return result(int64(len(r.sessionsWhere(keep)))), nil
}

// wamp.session.list(filter_authroles?) -> session_ids
func (r *Realm) sessionList(_ *session.Session, args wamp.List, _ wamp.Dict) (wamp.Payload, error) {
	keep, err := byAuthRoles(args)
	if err != nil {
		return wamp.Payload{}, err
	}
	ss := r.sessionsWhere(keep)
	ids := make(wamp.List, len(ss))
	for i, s := range ss {
		ids[i] = s.ID()
	}
	return result(ids), nil
}

// wamp.session.get(session) -> details
func (r *Realm) sessionGet(_ *session.Session, args wamp.List, _ wamp.Dict) (wamp.Payload, error) {
	id, err := argID(args, 0, "session")
	if err != nil {
		return wamp.Payload{}, err
	}
	r.mu.RLock()
	s := r.sessions[id]
	r.mu.RUnlock()
	if s == nil {
		return wamp.Payload{}, wamp.NewError(wamp.ErrNoSuchSession, "no session with this id in the realm")
	}
	return result(sessionDetails(s)), nil
}

// killReason reads the reason and message keyword arguments of the kill
// procedures; the reason defaults to wamp.close.killed (WAMP §"Session
// Meta API"). Positional reason and message after pos are read as well
// (Crossbar's wamp.session.kill takes them so), keywords win.
func (r *Realm) killReason(args wamp.List, pos int, kwargs wamp.Dict) (wamp.URI, string, error) {
	reason, message := any(nil), any(nil)
	if len(args) > pos {
		reason = args[pos]
	}
	if len(args) > pos+1 {
		message = args[pos+1]
	}
	if v, ok := kwargs["reason"]; ok {
		reason = v
	}
	if v, ok := kwargs["message"]; ok {
		message = v
	}
	uri := wamp.CloseKilled
	if reason != nil {
		s, ok := wamp.AsString(reason)
		if !ok || !wamp.ValidURI(wamp.URI(s), r.cfg.StrictURIs) {
			return "", "", wamp.NewError(wamp.ErrInvalidURI, "reason must be a valid, non-empty URI")
		}
		uri = wamp.URI(s)
	}
	msg := ""
	if message != nil {
		s, ok := wamp.AsString(message)
		if !ok {
			return "", "", badArg("message must be a string")
		}
		msg = s
	}
	return uri, msg, nil
}

// kill ends the sessions with GOODBYE and returns their ids.
func kill(ss []*session.Session, reason wamp.URI, message string) wamp.List {
	ids := make(wamp.List, len(ss))
	for i, s := range ss {
		s.Kick(reason, message, session.ReasonKilled)
		ids[i] = s.ID()
	}
	return ids
}

// wamp.session.kill(session; reason?, message?): not the caller's own
// session (wamp.error.no_such_session, as the spec says).
func (r *Realm) sessionKill(caller *session.Session, args wamp.List, kwargs wamp.Dict) (wamp.Payload, error) {
	id, err := argID(args, 0, "session")
	if err != nil {
		return wamp.Payload{}, err
	}
	reason, message, err := r.killReason(args, 1, kwargs)
	if err != nil {
		return wamp.Payload{}, err
	}
	ss := r.sessionsWhere(func(s *session.Session) bool { return s.ID() == id && s != caller })
	if len(ss) == 0 {
		return wamp.Payload{}, wamp.NewError(wamp.ErrNoSuchSession, "no other session with this id in the realm")
	}
	kill(ss, reason, message)
	return wamp.Payload{}, nil
}

// wamp.session.kill_by_authid(authid; reason?, message?) -> sessions (the
// killed session ids), the caller excluded.
func (r *Realm) sessionKillByAuthID(caller *session.Session, args wamp.List, kwargs wamp.Dict) (wamp.Payload, error) {
	authid, err := argString(args, 0, "authid")
	if err != nil {
		return wamp.Payload{}, err
	}
	reason, message, err := r.killReason(nil, 0, kwargs)
	if err != nil {
		return wamp.Payload{}, err
	}
	ss := r.sessionsWhere(func(s *session.Session) bool { return s != caller && s.AuthID() == authid })
	return result(kill(ss, reason, message)), nil
}

// wamp.session.kill_by_authrole(authrole; reason?, message?) -> count, the
// caller excluded.
func (r *Realm) sessionKillByAuthRole(caller *session.Session, args wamp.List, kwargs wamp.Dict) (wamp.Payload, error) {
	authrole, err := argString(args, 0, "authrole")
	if err != nil {
		return wamp.Payload{}, err
	}
	reason, message, err := r.killReason(nil, 0, kwargs)
	if err != nil {
		return wamp.Payload{}, err
	}
	ss := r.sessionsWhere(func(s *session.Session) bool { return s != caller && s.AuthRole() == authrole })
	return result(int64(len(kill(ss, reason, message)))), nil
}

// wamp.session.kill_all(; reason?, message?) -> count, the caller excluded.
func (r *Realm) sessionKillAll(caller *session.Session, _ wamp.List, kwargs wamp.Dict) (wamp.Payload, error) {
	reason, message, err := r.killReason(nil, 0, kwargs)
	if err != nil {
		return wamp.Payload{}, err
	}
	ss := r.sessionsWhere(func(s *session.Session) bool { return s != caller })
	return result(int64(len(kill(ss, reason, message)))), nil
}
