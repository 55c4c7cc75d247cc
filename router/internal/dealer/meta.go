package dealer

import (
	"github.com/edgebar/edgebar/router/internal/match"
	"github.com/edgebar/edgebar/router/wamp"
)

// Registration meta events (WAMP §"Registration Meta API").
const (
	TopicOnCreate     wamp.URI = "wamp.registration.on_create"
	TopicOnRegister   wamp.URI = "wamp.registration.on_register"
	TopicOnUnregister wamp.URI = "wamp.registration.on_unregister"
	TopicOnDelete     wamp.URI = "wamp.registration.on_delete"
)

// timeFormat is the meta API's "created": RFC 3339, UTC, milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z"

// MetaSink publishes the dealer's meta events; the realm passes its broker.
// Wants is asked first, so that nobody subscribing costs one match and no
// payload. Both are called under the dealer's write lock, so the events are
// ordered with the changes they report; they must not call the dealer.
type MetaSink interface {
	Wants(topic wamp.URI) bool
	PublishMeta(topic wamp.URI, args wamp.List)
}

// SetMeta sets where the registration meta events go; before any session
// joins.
func (d *Dealer) SetMeta(m MetaSink) {
	d.mu.Lock()
	d.meta = m
	d.mu.Unlock()
}

// metaLocked publishes a meta event if anyone would receive it. Under d.mu.
func (d *Dealer) metaLocked(topic wamp.URI, args func() wamp.List) {
	if d.meta == nil || !d.meta.Wants(topic) {
		return
	}
	d.meta.PublishMeta(topic, args())
}

// details is the spec's RegistrationDetails.
func (p *procedure) details() wamp.Dict {
	return wamp.Dict{
		"id": p.id, "created": p.created.UTC().Format(timeFormat),
		"uri": string(p.uri), "match": p.policy.String(), "invoke": p.invoke.String(),
	}
}

// RegistrationInfo is one registration as the meta API shows it.
type RegistrationInfo struct {
	// Details is the spec's RegistrationDetails dict {id, created, uri,
	// match, invoke}.
	Details wamp.Dict
	Callees []wamp.ID // in registration order
}

// Registration returns registration id's info.
func (d *Dealer) Registration(id wamp.ID) (RegistrationInfo, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	p := d.byID[id]
	if p == nil {
		return RegistrationInfo{}, false
	}
	ri := RegistrationInfo{Details: p.details(), Callees: make([]wamp.ID, len(p.callees))}
	for i, c := range p.callees {
		ri.Callees[i] = c.peer.ID()
	}
	return ri, true
}

// Registrations returns the registration ids by match policy, each list
// sorted by URI (wamp.registration.list).
func (d *Dealer) Registrations() (byPolicy [3][]wamp.ID) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for i := range byPolicy {
		byPolicy[i] = []wamp.ID{}
	}
	d.procs.Each(func(_ wamp.URI, pol match.Policy, p *procedure) bool {
		byPolicy[pol] = append(byPolicy[pol], p.id)
		return true
	})
	return byPolicy
}

// Lookup returns the registration of (uri, policy), the one a REGISTER
// with these would join (wamp.registration.lookup).
func (d *Dealer) Lookup(uri wamp.URI, pol match.Policy) (wamp.ID, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	p, ok := d.procs.Get(uri, pol)
	if !ok {
		return 0, false
	}
	return p.id, true
}

// Match returns the registration a CALL of uri goes to
// (wamp.registration.match).
func (d *Dealer) Match(uri wamp.URI) (wamp.ID, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	p, _, _, ok := d.procs.MatchBest(uri)
	if !ok {
		return 0, false
	}
	return p.id, true
}
