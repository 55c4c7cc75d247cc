// Package dealer routes remote procedure calls within one realm: it keeps
// the registrations, turns a CALL into an INVOCATION for the callee and its
// YIELD or ERROR back into a RESULT or ERROR for the caller, and answers
// every call pending on a callee that goes away. It addresses sessions only
// through the Peer interface.
package dealer

import (
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/edgebar/edgebar/router/wamp"
)

// Peer is a session as the dealer sees it, as caller or callee.
type Peer interface {
	ID() wamp.ID
	// Send queues a message that must not be lost; false means the session
	// is gone (closing, or just closed as a slow consumer).
	Send(m wamp.Message) bool
	// NextRequestID numbers INVOCATIONs in the callee's session scope.
	NextRequestID() wamp.ID
	// PendingCalls counts this session's calls in flight as a caller.
	PendingCalls() *atomic.Int64
}

// Features are the dealer features announced in WELCOME: only what works.
func Features() wamp.Dict { return wamp.Dict{} }

// ErrLimitExceeded answers a CALL over the caller's pending-call limit.
const ErrLimitExceeded wamp.URI = "edgebar.error.limit_exceeded"

type registration struct {
	id     wamp.ID
	uri    wamp.URI
	callee Peer
}

// invocation is a call in flight, keyed by (callee, INVOCATION.Request).
type invocation struct {
	caller    Peer
	callerReq wamp.ID
	callee    Peer
}

type invKey struct{ callee, req wamp.ID }

// invShard is one slice of the table of calls in flight. Sharding keeps
// callers on different cores from contending on one mutex.
type invShard struct {
	mu sync.Mutex
	m  map[invKey]*invocation
}

const shards = 32

// Dealer holds one realm's registrations and calls in flight.
type Dealer struct {
	log        *slog.Logger
	maxPending int64
	ids        wamp.IDGen // registration ids, router scope

	mu        sync.RWMutex // guards the maps below
	procs     map[wamp.URI]*registration
	byID      map[wamp.ID]*registration
	bySession map[wamp.ID][]*registration

	inv [shards]invShard
}

// New returns an empty dealer; maxPending bounds the calls in flight per
// caller session.
func New(log *slog.Logger, maxPending int) *Dealer {
	d := &Dealer{
		log:        log,
		maxPending: int64(maxPending),
		procs:      make(map[wamp.URI]*registration),
		byID:       make(map[wamp.ID]*registration),
		bySession:  make(map[wamp.ID][]*registration),
	}
	for i := range d.inv {
		d.inv[i].m = make(map[invKey]*invocation)
	}
	return d
}

func (d *Dealer) shard(k invKey) *invShard { return &d.inv[(k.callee^k.req)%shards] }

// take removes and returns a call in flight, nil when it is not there (it
// was answered already, or its callee or caller left).
func (d *Dealer) take(k invKey) *invocation {
	sh := d.shard(k)
	sh.mu.Lock()
	inv := sh.m[k]
	if inv != nil {
		delete(sh.m, k)
	}
	sh.mu.Unlock()
	if inv != nil {
		inv.caller.PendingCalls().Add(-1)
	}
	return inv
}

// Register handles REGISTER; the URI was validated by the realm.
func (d *Dealer) Register(s Peer, m *wamp.Register) {
	d.mu.Lock()
	if d.procs[m.Procedure] != nil {
		d.mu.Unlock()
		s.Send(&wamp.ErrorMessage{RequestType: wamp.REGISTER, Request: m.Request, Error: wamp.ErrProcedureAlreadyExists})
		return
	}
	reg := &registration{id: d.ids.Next(), uri: m.Procedure, callee: s}
	d.procs[m.Procedure] = reg
	d.byID[reg.id] = reg
	d.bySession[s.ID()] = append(d.bySession[s.ID()], reg)
	d.mu.Unlock()
	s.Send(&wamp.Registered{Request: m.Request, Registration: reg.id})
}

// Unregister handles UNREGISTER. Calls already invoked stay in flight and
// are answered normally.
func (d *Dealer) Unregister(s Peer, m *wamp.Unregister) {
	d.mu.Lock()
	reg := d.byID[m.Registration]
	if reg == nil || reg.callee != s {
		d.mu.Unlock()
		s.Send(&wamp.ErrorMessage{RequestType: wamp.UNREGISTER, Request: m.Request, Error: wamp.ErrNoSuchRegistration})
		return
	}
	d.removeLocked(reg)
	d.mu.Unlock()
	s.Send(&wamp.Unregistered{Request: m.Request})
}

func (d *Dealer) removeLocked(reg *registration) {
	delete(d.procs, reg.uri)
	delete(d.byID, reg.id)
	sid := reg.callee.ID()
	own := d.bySession[sid]
	if i := slices.Index(own, reg); i >= 0 {
		own = slices.Delete(own, i, i+1)
	}
	if len(own) == 0 {
		delete(d.bySession, sid)
	} else {
		d.bySession[sid] = own
	}
}

// Call handles CALL on the caller's reader goroutine.
func (d *Dealer) Call(caller Peer, m *wamp.Call) {
	d.mu.RLock()
	reg := d.procs[m.Procedure]
	d.mu.RUnlock()
	if reg == nil {
		caller.Send(&wamp.ErrorMessage{RequestType: wamp.CALL, Request: m.Request, Error: wamp.ErrNoSuchProcedure})
		return
	}
	if caller.PendingCalls().Add(1) > d.maxPending {
		caller.PendingCalls().Add(-1)
		caller.Send(&wamp.ErrorMessage{RequestType: wamp.CALL, Request: m.Request, Error: ErrLimitExceeded,
			Payload: wamp.Payload{Args: wamp.List{"too many calls in flight for this session"}}})
		return
	}
	callee := reg.callee
	k := invKey{callee.ID(), callee.NextRequestID()}
	sh := d.shard(k)
	sh.mu.Lock()
	sh.m[k] = &invocation{caller: caller, callerReq: m.Request, callee: callee}
	sh.mu.Unlock()
	// The invocation is in the table before it is sent, so a callee that
	// leaves from now on finds it and answers it; if the callee is already
	// gone, Send fails and whoever takes the entry first answers.
	if !callee.Send(&wamp.Invocation{Request: k.req, Registration: reg.id, Payload: m.Payload}) {
		if inv := d.take(k); inv != nil {
			caller.Send(canceled(m.Request))
		}
	}
}

// canceled is the answer to a call whose callee went away.
func canceled(req wamp.ID) *wamp.ErrorMessage {
	return &wamp.ErrorMessage{
		RequestType: wamp.CALL, Request: req,
		Details: wamp.Dict{"reason": "callee_gone"},
		Error:   wamp.ErrCanceled,
		Payload: wamp.Payload{Args: wamp.List{"the callee left before answering"}},
	}
}

// Yield handles YIELD from a callee. A YIELD for no call in flight (its
// caller left) is dropped.
func (d *Dealer) Yield(callee Peer, m *wamp.Yield) {
	inv := d.take(invKey{callee.ID(), m.Request})
	if inv == nil {
		return
	}
	inv.caller.Send(&wamp.Result{Request: inv.callerReq, Payload: m.Payload})
}

// InvocationError handles ERROR for an INVOCATION: forwarded to the caller
// as the ERROR of its CALL.
func (d *Dealer) InvocationError(callee Peer, m *wamp.ErrorMessage) {
	inv := d.take(invKey{callee.ID(), m.Request})
	if inv == nil {
		return
	}
	inv.caller.Send(&wamp.ErrorMessage{RequestType: wamp.CALL, Request: inv.callerReq,
		Details: m.Details, Error: m.Error, Payload: m.Payload})
}

// Leave removes a session that ended: its registrations go, every call
// pending on it as callee is answered with wamp.error.canceled at once, and
// its own calls in flight are forgotten (their late results are dropped).
func (d *Dealer) Leave(s Peer) {
	d.mu.Lock()
	for _, reg := range slices.Clone(d.bySession[s.ID()]) {
		d.removeLocked(reg)
	}
	d.mu.Unlock()

	sid := s.ID()
	var orphaned []*invocation
	for i := range d.inv {
		sh := &d.inv[i]
		sh.mu.Lock()
		for k, inv := range sh.m {
			if k.callee == sid || inv.caller.ID() == sid {
				delete(sh.m, k)
				inv.caller.PendingCalls().Add(-1)
				if k.callee == sid && inv.caller.ID() != sid {
					orphaned = append(orphaned, inv)
				}
			}
		}
		sh.mu.Unlock()
	}
	for _, inv := range orphaned {
		inv.caller.Send(canceled(inv.callerReq))
	}
}

// Count returns the number of registrations (for tests and metrics).
func (d *Dealer) Count() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.byID)
}
