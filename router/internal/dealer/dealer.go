// Package dealer routes remote procedure calls within one realm: it keeps
// the registrations, turns a CALL into an INVOCATION for the callee and its
// YIELD or ERROR back into a RESULT or ERROR for the caller, and answers
// every call pending on a callee that goes away. It addresses sessions only
// through the Peer interface.
//
// Advanced profile (WAMP §"Advanced Profile" RPC): progressive call results
// and invocations, call canceling (skip, kill, killnowait), call timeouts,
// caller identification, pattern-based and shared registrations with call
// rerouting, registration revocation and payload passthru mode. A plain CALL (no options, exact
// registration, single callee) allocates only its INVOCATION and its table
// entry and starts no timer; every feature costs only the calls that use it.
package dealer

import (
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/edgebar/edgebar/router/internal/match"
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

// PeerInfo is what the dealer needs to know about a session beyond Peer:
// who it is (for caller identification) and the client roles it announced
// in HELLO (HELLO.Details.roles, for the features it supports).
type PeerInfo struct {
	AuthID   string
	AuthRole string
	Roles    wamp.Dict
}

// Features are the dealer features announced in WELCOME: only what works.
// registration_revocation is also reached through the meta procedure
// wamp.registration.remove_callee; the realm adds the meta API features it
// serves (session_meta_api, registration_meta_api, testament_meta_api).
func Features() wamp.Dict {
	return wamp.Dict{
		"progressive_call_results":     true,
		"progressive_call_invocations": true,
		"call_canceling":               true,
		"call_timeout":                 true,
		"caller_identification":        true,
		"pattern_based_registration":   true,
		"shared_registration":          true,
		"call_reroute":                 true,
		"registration_revocation":      true,
		"payload_passthru_mode":        true,
		// The name Autobahn clients before the spec's rename look for.
		"payload_transparency": true,
	}
}

// Error URIs the dealer sends beyond the wamp package's.
const (
	// ErrLimitExceeded answers a CALL over the caller's pending-call limit.
	ErrLimitExceeded wamp.URI = "edgebar.error.limit_exceeded"
	// ErrDifferentInvocationPolicy answers a REGISTER whose invoke policy
	// differs from the existing shared registration's (Crossbar's URI; the
	// spec names no URI).
	ErrDifferentInvocationPolicy wamp.URI = "wamp.error.procedure_exists_with_different_invocation_policy"
	// ReasonUnregistered is UNREGISTERED.Details.reason when a registration
	// is taken over by a REGISTER with force_reregister (as Crossbar).
	ReasonUnregistered = "wamp.error.unregistered"
)

// ErrProtocol is wrapped by the errors Call and Cancel return for messages
// the spec calls protocol errors; the realm aborts the session.
var ErrProtocol = errors.New("dealer: protocol violation")

// feature is a set of client features (HELLO.Details.roles.<role>.features).
type feature uint8

const (
	fCanceling feature = 1 << iota
	fProgressiveResults
	fProgressiveInvocations
	fTimeout
	fRevocation
	fPassthru // payload_passthru_mode
)

var featureNames = []struct {
	name string
	f    feature
}{
	{"call_canceling", fCanceling},
	{"call_cancelling", fCanceling}, // the progressive invocations text spells it so
	{"progressive_call_results", fProgressiveResults},
	{"progressive_call_invocations", fProgressiveInvocations},
	{"call_timeout", fTimeout},
	{"registration_revocation", fRevocation},
	{"payload_passthru_mode", fPassthru},
	{"payload_transparency", fPassthru}, // its name in older Autobahn clients
}

func roleFeatures(roles wamp.Dict, role string) feature {
	r, _ := roles[role].(wamp.Dict)
	fs, _ := r["features"].(wamp.Dict)
	var f feature
	for _, n := range featureNames {
		if wamp.OptBool(fs, n.name, false) {
			f |= n.f
		}
	}
	// WAMP §"Progressive Call Results", §"Progressive Call Invocations": a
	// callee without call canceling is taken not to support them.
	if role == "callee" && f&fCanceling == 0 {
		f &^= fProgressiveResults | fProgressiveInvocations
	}
	return f
}

// peerState is a joined session's PeerInfo, parsed once at Join.
type peerState struct {
	authid, authrole string
	caller, callee   feature
}

// Dealer holds one realm's registrations and calls in flight.
type Dealer struct {
	log        *slog.Logger
	maxPending int64
	ids        wamp.IDGen // registration ids, router scope

	mu        sync.RWMutex // guards the fields below
	procs     *match.Table[*procedure]
	byID      map[wamp.ID]*procedure
	bySession map[wamp.ID][]*procedure
	peers     map[wamp.ID]*peerState
	meta      MetaSink // nil: no meta events

	calls invTable
}

// New returns an empty dealer; maxPending bounds the calls in flight per
// caller session.
func New(log *slog.Logger, maxPending int) *Dealer {
	d := &Dealer{
		log:        log,
		maxPending: int64(maxPending),
		procs:      match.NewTable[*procedure](),
		byID:       make(map[wamp.ID]*procedure),
		bySession:  make(map[wamp.ID][]*procedure),
		peers:      make(map[wamp.ID]*peerState),
	}
	d.calls.init()
	return d
}

// Join makes a session known before it sends anything: its identity and
// the features it announced. A session the dealer was not told about is
// treated as announcing no feature.
func (d *Dealer) Join(p Peer, info PeerInfo) {
	ps := &peerState{
		authid: info.AuthID, authrole: info.AuthRole,
		caller: roleFeatures(info.Roles, "caller"),
		callee: roleFeatures(info.Roles, "callee"),
	}
	d.mu.Lock()
	d.peers[p.ID()] = ps
	d.mu.Unlock()
}

// Leave removes a session that ended: its registrations go; every call
// pending on it as callee is answered with wamp.error.canceled; its own calls
// in flight are forgotten, and their callees that support call canceling get
// INTERRUPT with mode killnowait (WAMP §"Caller Leaving During an RPC
// Invocation").
func (d *Dealer) Leave(s Peer) {
	sid := s.ID()
	d.mu.Lock()
	for _, p := range d.bySession[sid] {
		d.dropCalleeLocked(p, sid)
	}
	delete(d.bySession, sid)
	delete(d.peers, sid)
	d.mu.Unlock()

	orphaned, abandoned := d.calls.removeSession(sid)
	for _, inv := range orphaned {
		inv.caller.Send(callError(inv.callerReq, wamp.ErrCanceled, "callee_gone", "the callee left before answering"))
	}
	for _, inv := range abandoned {
		d.interrupt(inv, "killnowait", wamp.ErrCanceled)
	}
}

// Count returns the number of registrations (for tests and metrics).
func (d *Dealer) Count() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.byID)
}

// callError is the ERROR answering a CALL that the dealer ends itself.
func callError(req wamp.ID, uri wamp.URI, reason, message string) *wamp.ErrorMessage {
	e := &wamp.ErrorMessage{RequestType: wamp.CALL, Request: req, Error: uri,
		Payload: wamp.Payload{Args: wamp.List{message}}}
	if reason != "" {
		e.Details = wamp.Dict{"reason": reason}
	}
	return e
}
