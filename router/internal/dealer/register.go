package dealer

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/edgebar/edgebar/router/internal/match"
	"github.com/edgebar/edgebar/router/wamp"
)

// invokePolicy is REGISTER.Options.invoke (WAMP §"Shared Registration").
type invokePolicy uint8

const (
	invokeSingle invokePolicy = iota
	invokeRoundRobin
	invokeRandom
	invokeFirst
	invokeLast
)

var invokeNames = [...]string{"single", "roundrobin", "random", "first", "last"}

func (p invokePolicy) String() string { return invokeNames[p] }

func parseInvoke(v any) (invokePolicy, bool) {
	if v == nil {
		return invokeSingle, true
	}
	s, _ := v.(string)
	i := slices.Index(invokeNames[:], s)
	return invokePolicy(max(i, 0)), i >= 0
}

// procedure is one registration: a (URI, match policy) with its callees. A
// shared registration has one id for all its callees, as in Crossbar and the
// registration meta API (wamp.registration.list_callees).
type procedure struct {
	id      wamp.ID
	uri     wamp.URI
	policy  match.Policy
	invoke  invokePolicy
	created time.Time
	// callees in registration order; copy-on-write: replaced under
	// Dealer.mu, never modified in place, so a Call can use a snapshot.
	callees []*callee
	rr      atomic.Uint64 // round-robin position
}

// callee is one session's membership in a procedure, with its register
// options.
type callee struct {
	peer           Peer
	feat           feature // the callee features it announced
	discloseCaller bool    // REGISTER.Options.disclose_caller
	forwardTimeout bool    // REGISTER.Options.forward_timeout: the callee runs the timeout
}

// RegisterOptions are the REGISTER options the dealer acts on.
type registerOptions struct {
	policy         match.Policy
	invoke         invokePolicy
	discloseCaller bool
	forwardTimeout bool
	force          bool
}

// ParseMatch reads REGISTER.Options.match; the realm uses it to pick the
// URI rule (wildcard patterns may have empty components). A JavaScript
// client may send "match": undefined, decoded as nil: that is the default.
func ParseMatch(opts wamp.Dict) (match.Policy, bool) {
	v := opts["match"]
	if v == nil {
		return match.Exact, true
	}
	s, ok := v.(string)
	if !ok {
		return match.Exact, false
	}
	return match.ParsePolicy(s)
}

func parseRegisterOptions(opts wamp.Dict) (registerOptions, string) {
	var o registerOptions
	var ok bool
	if o.policy, ok = ParseMatch(opts); !ok {
		return o, fmt.Sprintf("match policy %v is not supported", opts["match"])
	}
	if o.invoke, ok = parseInvoke(opts["invoke"]); !ok {
		return o, fmt.Sprintf("invoke policy %v is not supported", opts["invoke"])
	}
	o.discloseCaller = wamp.OptBool(opts, "disclose_caller", false)
	o.forwardTimeout = wamp.OptBool(opts, "forward_timeout", false)
	o.force = wamp.OptBool(opts, "force_reregister", false)
	return o, ""
}

// Register handles REGISTER; the URI was validated by the realm for the
// match policy (see ParseMatch).
func (d *Dealer) Register(s Peer, m *wamp.Register) {
	o, bad := parseRegisterOptions(m.Options)
	if bad != "" {
		s.Send(&wamp.ErrorMessage{RequestType: wamp.REGISTER, Request: m.Request, Error: wamp.ErrInvalidArgument,
			Payload: wamp.Payload{Args: wamp.List{bad}}})
		return
	}
	sid := s.ID()
	d.mu.Lock()
	c := &callee{peer: s, discloseCaller: o.discloseCaller, forwardTimeout: o.forwardTimeout}
	if ps := d.peers[sid]; ps != nil {
		c.feat = ps.callee
	}
	var revoked []*callee
	var revokedID wamp.ID
	p, exists := d.procs.Get(m.Procedure, o.policy)
	if exists && o.force {
		revoked, revokedID = slices.Clone(p.callees), p.id
		for _, old := range revoked {
			d.dropCalleeLocked(p, old.peer.ID())
			d.unlinkLocked(old.peer.ID(), p)
		}
		exists = false
	}
	if exists {
		if uri := conflict(p, o, sid); uri != "" {
			d.mu.Unlock()
			s.Send(&wamp.ErrorMessage{RequestType: wamp.REGISTER, Request: m.Request, Error: uri})
			return
		}
		p.callees = append(slices.Clip(p.callees), c)
	} else {
		p = &procedure{id: d.ids.Next(), uri: m.Procedure, policy: o.policy, invoke: o.invoke, callees: []*callee{c}, created: time.Now()}
		d.procs.Set(m.Procedure, o.policy, p)
		d.byID[p.id] = p
		d.metaLocked(TopicOnCreate, func() wamp.List { return wamp.List{sid, p.details()} })
	}
	d.bySession[sid] = append(d.bySession[sid], p)
	d.metaLocked(TopicOnRegister, func() wamp.List { return wamp.List{sid, p.id} })
	d.mu.Unlock()
	for _, old := range revoked {
		if old.peer != s {
			revoke(old, revokedID, ReasonUnregistered)
		}
	}
	s.Send(&wamp.Registered{Request: m.Request, Registration: p.id})
}

// conflict returns the error URI for joining an existing registration, ""
// when the session may join it (WAMP §"Shared Registration").
func conflict(p *procedure, o registerOptions, sid wamp.ID) wamp.URI {
	switch {
	case p.invoke == invokeSingle:
		return wamp.ErrProcedureAlreadyExists
	case o.invoke != p.invoke:
		return ErrDifferentInvocationPolicy
	case slices.ContainsFunc(p.callees, func(c *callee) bool { return c.peer.ID() == sid }):
		return wamp.ErrProcedureAlreadyExists
	}
	return ""
}

// revoke tells a callee that lost a registration, when it announced
// registration_revocation: [UNREGISTERED, 0, {registration, reason}].
func revoke(c *callee, reg wamp.ID, reason string) {
	if c.feat&fRevocation == 0 {
		return
	}
	c.peer.Send(&wamp.Unregistered{Request: 0, Details: wamp.Dict{"registration": reg, "reason": reason}})
}

// Unregister handles UNREGISTER. Calls already invoked stay in flight and
// are answered normally.
func (d *Dealer) Unregister(s Peer, m *wamp.Unregister) {
	sid := s.ID()
	d.mu.Lock()
	p := d.byID[m.Registration]
	if p == nil || !d.dropCalleeLocked(p, sid) {
		d.mu.Unlock()
		s.Send(&wamp.ErrorMessage{RequestType: wamp.UNREGISTER, Request: m.Request, Error: wamp.ErrNoSuchRegistration})
		return
	}
	d.unlinkLocked(sid, p)
	d.mu.Unlock()
	s.Send(&wamp.Unregistered{Request: m.Request})
}

// Revoke removes callee session sid from registration reg, telling it with
// UNREGISTERED when it supports registration revocation (for the meta API
// wamp.registration.remove_callee). It reports whether there was such a
// callee.
func (d *Dealer) Revoke(reg, sid wamp.ID, reason string) bool {
	d.mu.Lock()
	p := d.byID[reg]
	var c *callee
	if p != nil {
		if i := slices.IndexFunc(p.callees, func(c *callee) bool { return c.peer.ID() == sid }); i >= 0 {
			c = p.callees[i]
		}
	}
	if c == nil {
		d.mu.Unlock()
		return false
	}
	d.dropCalleeLocked(p, sid)
	d.unlinkLocked(sid, p)
	d.mu.Unlock()
	revoke(c, reg, reason)
	return true
}

// dropCalleeLocked removes session sid from p's callees, and p itself when
// it has none left, with the meta events on_unregister and on_delete; it
// does not touch bySession. False if sid was not a callee of p.
func (d *Dealer) dropCalleeLocked(p *procedure, sid wamp.ID) bool {
	i := slices.IndexFunc(p.callees, func(c *callee) bool { return c.peer.ID() == sid })
	if i < 0 {
		return false
	}
	d.metaLocked(TopicOnUnregister, func() wamp.List { return wamp.List{sid, p.id} })
	if len(p.callees) == 1 {
		p.callees = nil
		d.procs.Delete(p.uri, p.policy)
		delete(d.byID, p.id)
		d.metaLocked(TopicOnDelete, func() wamp.List { return wamp.List{sid, p.id} })
		return true
	}
	// Copy, never modify in place: Calls may hold the old slice.
	p.callees = slices.Delete(slices.Clone(p.callees), i, i+1)
	return true
}

// unlinkLocked removes p from the registrations of session sid.
func (d *Dealer) unlinkLocked(sid wamp.ID, p *procedure) {
	own := d.bySession[sid]
	if i := slices.Index(own, p); i >= 0 {
		own = slices.Delete(own, i, i+1)
	}
	if len(own) == 0 {
		delete(d.bySession, sid)
	} else {
		d.bySession[sid] = own
	}
}

// pick chooses a callee by the invoke policy, skipping those in tried
// (WAMP §"Shared Registration", §"Call Re-Routing"); nil when none is left.
// Under Dealer.mu (read lock at least).
func (p *procedure) pick(tried []wamp.ID) *callee {
	cs := p.callees
	if len(tried) > 0 {
		cs = slices.DeleteFunc(slices.Clone(cs), func(c *callee) bool { return slices.Contains(tried, c.peer.ID()) })
	}
	switch {
	case len(cs) == 0:
		return nil
	case len(cs) == 1:
		return cs[0]
	}
	switch p.invoke {
	case invokeRoundRobin:
		return cs[(p.rr.Add(1)-1)%uint64(len(cs))]
	case invokeRandom:
		return cs[rand.IntN(len(cs))]
	case invokeLast:
		return cs[len(cs)-1]
	}
	return cs[0]
}

// maxPatternLen bounds prefix and wildcard patterns: the match tries cost
// memory per byte or component.
const maxPatternLen = 1024

// CheckProcedure checks REGISTER.Procedure with its match policy: the URI
// rule of the realm (strict or loose), empty components only for wildcard
// patterns, and no registrations in the reserved "wamp." namespace (WAMP
// §"Reserved URIs"). It returns the error URI and a message, or "" when the
// REGISTER may go on.
func CheckProcedure(u wamp.URI, opts wamp.Dict, strict bool) (wamp.URI, string) {
	p, ok := ParseMatch(opts)
	if !ok {
		return wamp.ErrInvalidArgument, fmt.Sprintf("match policy %v is not supported", opts["match"])
	}
	valid := wamp.ValidURI(u, strict)
	if p == match.Wildcard {
		valid = wamp.ValidPattern(u, strict)
	}
	if !valid || (p != match.Exact && len(u) > maxPatternLen) {
		return wamp.ErrInvalidURI, fmt.Sprintf("invalid %s procedure URI %q", p, string(u))
	}
	if strings.HasPrefix(string(u), "wamp.") {
		return wamp.ErrInvalidURI, fmt.Sprintf("URI %q is in the reserved wamp namespace", string(u))
	}
	return "", ""
}
