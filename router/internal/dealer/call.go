package dealer

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/edgebar/edgebar/router/internal/match"
	"github.com/edgebar/edgebar/router/wamp"
)

// callOpts are the CALL options the dealer acts on; the zero value is a
// plain call.
type callOpts struct {
	timeout         time.Duration // CALL.Options.timeout, in milliseconds on the wire
	receiveProgress bool
	progress        bool // a progressive call invocation follows
	discloseMe      bool
	ppt             wamp.Dict // ppt_* attributes (payload passthru mode), or nil
}

func parseCallOpts(opts wamp.Dict) (callOpts, string) {
	var o callOpts
	if v, ok := opts["timeout"]; ok && v != nil {
		ms, ok := wamp.AsInt64(v)
		if !ok || ms < 0 {
			return o, fmt.Sprintf("timeout %v is not a number of milliseconds >= 0", v)
		}
		o.timeout = time.Duration(min(ms, int64(1<<40))) * time.Millisecond
	}
	o.receiveProgress = wamp.OptBool(opts, "receive_progress", false)
	o.progress = wamp.OptBool(opts, "progress", false)
	o.discloseMe = wamp.OptBool(opts, "disclose_me", false)
	o.ppt = wamp.PassthruAttrs(opts)
	return o, ""
}

// Call handles CALL on the caller's reader goroutine. It returns an error
// wrapping ErrProtocol for a CALL the spec calls a protocol error.
func (d *Dealer) Call(caller Peer, m *wamp.Call) error {
	var o callOpts
	if len(m.Options) > 0 {
		var bad string
		if o, bad = parseCallOpts(m.Options); bad != "" {
			caller.Send(callError(m.Request, wamp.ErrInvalidArgument, "", bad))
			return nil
		}
	}
	d.mu.RLock()
	p, _, _, found := d.procs.MatchBest(m.Procedure)
	var c *callee
	if found {
		c = p.pick(nil)
	}
	ps := d.peers[caller.ID()]
	d.mu.RUnlock()
	var cf feature
	var authid, authrole string
	if ps != nil {
		cf, authid, authrole = ps.caller, ps.authid, ps.authrole
	}
	if o.ppt != nil && cf&fPassthru == 0 {
		// WAMP §"Payload Passthru Mode": a protocol error when the caller
		// did not announce the feature.
		return fmt.Errorf("%w: CALL with ppt_scheme from a caller that did not announce payload_passthru_mode", ErrProtocol)
	}
	if cf&fProgressiveInvocations != 0 {
		if inv := d.calls.lookupCaller(caller.ID(), m.Request); inv != nil {
			return d.continueCall(inv, m, o)
		}
	} else if o.progress {
		// WAMP §"Progressive Call Invocations": a protocol error when the
		// caller did not announce the feature.
		return fmt.Errorf("%w: CALL with progress from a caller that did not announce progressive_call_invocations", ErrProtocol)
	}
	if c == nil {
		caller.Send(&wamp.ErrorMessage{RequestType: wamp.CALL, Request: m.Request, Error: wamp.ErrNoSuchProcedure})
		return nil
	}
	if o.progress && c.feat&fProgressiveInvocations == 0 {
		caller.Send(callError(m.Request, wamp.ErrFeatureNotSupported, "",
			"the callee does not support progressive call invocations"))
		return nil
	}
	if o.ppt != nil && c.feat&fPassthru == 0 {
		caller.Send(callError(m.Request, wamp.ErrFeatureNotSupported, "",
			"the callee does not support payload passthru mode"))
		return nil
	}
	if caller.PendingCalls().Add(1) > d.maxPending {
		caller.PendingCalls().Add(-1)
		caller.Send(callError(m.Request, ErrLimitExceeded, "", "too many calls in flight for this session"))
		return nil
	}
	inv := &invocation{
		caller: caller, callerReq: m.Request, callee: c, proc: p,
		indexed: cf&(fCanceling|fProgressiveInvocations) != 0,
	}
	if len(m.Options) > 0 || p.invoke != invokeSingle {
		inv.x = &invExtra{opts: o}
		if p.invoke != invokeSingle && !o.progress {
			inv.x.call = m // for rerouting; a progressive call cannot be replayed
		}
	}
	d.invoke(inv, m, d.details(inv, m, authid, authrole))
	return nil
}

// details builds INVOCATION.Details for inv from the CALL; nil for a plain
// call. It sets inv.state for the features it forwards.
func (d *Dealer) details(inv *invocation, m *wamp.Call, authid, authrole string) wamp.Dict {
	var det wamp.Dict
	set := func(k string, v any) {
		if det == nil {
			det = wamp.Dict{}
		}
		det[k] = v
	}
	if inv.x == nil && inv.proc.policy == match.Exact && !inv.callee.discloseCaller {
		return nil
	}
	var o callOpts
	if inv.x != nil {
		o = inv.x.opts
	}
	c := inv.callee
	if inv.proc.policy != match.Exact {
		set("procedure", string(m.Procedure)) // WAMP §"Concrete procedure called"
	}
	if o.receiveProgress && c.feat&fProgressiveResults != 0 {
		set("receive_progress", true)
		inv.state |= sProgress
	}
	if o.discloseMe || c.discloseCaller {
		set("caller", inv.caller.ID())
		set("caller_authid", authid)
		set("caller_authrole", authrole)
	}
	if o.timeout > 0 && c.forwardTimeout {
		set("timeout", o.timeout.Milliseconds())
	}
	for k, v := range o.ppt {
		set(k, v) // WAMP §"Payload Passthru Mode"
	}
	if o.progress {
		set("progress", true)
		inv.state |= sStreaming
		inv.x.details = det
	}
	return det
}

// invoke puts inv in the tables and sends the INVOCATION.
func (d *Dealer) invoke(inv *invocation, m *wamp.Call, details wamp.Dict) {
	callee := inv.callee.peer
	inv.key = invKey{callee.ID(), callee.NextRequestID()}
	if inv.indexed {
		k := invKey{inv.caller.ID(), inv.callerReq}
		sh := shardOf(&d.calls.byCaller, k)
		sh.mu.Lock()
		sh.m[k] = inv
		sh.mu.Unlock()
	}
	sh := shardOf(&d.calls.byCallee, inv.key)
	sh.mu.Lock()
	sh.m[inv.key] = inv
	// The timer starts under the shard lock, so its callback finds inv.
	if inv.x != nil && inv.x.opts.timeout > 0 && !inv.callee.forwardTimeout {
		inv.timer = time.AfterFunc(inv.x.opts.timeout, func() { d.expire(inv) })
	}
	sh.mu.Unlock()
	// The invocation is in the table before it is sent, so a callee that
	// leaves from now on finds it and answers it; if the callee is already
	// gone, Send fails and whoever takes the entry first answers.
	if !callee.Send(&wamp.Invocation{Request: inv.key.req, Registration: inv.proc.id, Details: details, Payload: m.Payload}) {
		if d.calls.remove(inv) {
			inv.caller.Send(callError(inv.callerReq, wamp.ErrCanceled, "callee_gone", "the callee left before answering"))
		}
	}
}

// continueCall handles a CALL that continues a progressive call invocation
// (WAMP §"Progressive Call Invocations"): it goes to the same callee under
// the same INVOCATION.Request, with the options of the first CALL.
func (d *Dealer) continueCall(inv *invocation, m *wamp.Call, o callOpts) error {
	sh := shardOf(&d.calls.byCallee, inv.key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.m[inv.key] != inv {
		return nil // ended meanwhile (answered, timed out): the chunk is dropped
	}
	if inv.state&sStreaming == 0 {
		return fmt.Errorf("%w: CALL reuses request id %d of a call in flight that is not progressive", ErrProtocol, m.Request)
	}
	det := maps.Clone(inv.x.details)
	if o.progress {
		det["progress"] = true
	} else {
		delete(det, "progress")
		inv.state &^= sStreaming
	}
	// Sent under the shard lock, so chunks keep their order against a
	// concurrent cancel or timeout.
	inv.callee.peer.Send(&wamp.Invocation{Request: inv.key.req, Registration: inv.proc.id, Details: det, Payload: m.Payload})
	return nil
}

// Yield handles YIELD from a callee. A YIELD for no call in flight (its
// caller left, or the call was canceled or timed out) is dropped. It
// returns an error wrapping ErrProtocol for a YIELD the spec calls a
// protocol error.
func (d *Dealer) Yield(callee Peer, m *wamp.Yield) error {
	k := invKey{callee.ID(), m.Request}
	var ppt wamp.Dict
	if len(m.Options) > 0 {
		if ppt = wamp.PassthruAttrs(m.Options); ppt != nil {
			if d.features(callee.ID()).callee&fPassthru == 0 {
				return fmt.Errorf("%w: YIELD with ppt_scheme from a callee that did not announce payload_passthru_mode", ErrProtocol)
			}
		}
		progress := wamp.OptBool(m.Options, "progress", false)
		if ppt != nil && d.pptRefused(k, progress) {
			return nil
		}
		if progress {
			d.progressResult(k, m, ppt)
			return nil
		}
	}
	inv := d.calls.take(k)
	if inv == nil {
		return nil
	}
	inv.caller.Send(&wamp.Result{Request: inv.callerReq, Details: ppt, Payload: m.Payload})
	return nil
}

// features returns the features a joined session announced; the zero
// peerState for a session the dealer does not know.
func (d *Dealer) features(id wamp.ID) peerState {
	d.mu.RLock()
	ps := d.peers[id]
	d.mu.RUnlock()
	if ps == nil {
		return peerState{}
	}
	return *ps
}

// pptRefused ends the call k with ERROR wamp.error.feature_not_supported to
// its caller when the caller did not announce payload_passthru_mode, for a
// YIELD or ERROR of the callee that uses it (WAMP §"Payload Passthru
// Mode"). WAMP has no ERROR answering a YIELD, so the callee cannot be told
// as the spec asks; after a progressive YIELD a callee that supports call
// canceling gets INTERRUPT (killnowait), so that it stops the stream.
func (d *Dealer) pptRefused(k invKey, progress bool) bool {
	inv := d.calls.lookupCallee(k)
	if inv == nil || d.features(inv.caller.ID()).caller&fPassthru != 0 {
		return false
	}
	if !d.calls.remove(inv) {
		return true // ended meanwhile: the answer is dropped
	}
	if progress {
		d.interrupt(inv, "killnowait", wamp.ErrFeatureNotSupported)
	}
	inv.caller.Send(callError(inv.callerReq, wamp.ErrFeatureNotSupported, "",
		"the callee answered in payload passthru mode, which the caller does not support"))
	return true
}

// progressResult forwards a progressive YIELD as RESULT with progress, when
// the caller asked for progressive results; the call stays in flight and its
// timeout starts again (WAMP §"Progressive Call Results", "Timeouts").
func (d *Dealer) progressResult(k invKey, m *wamp.Yield, ppt wamp.Dict) {
	sh := shardOf(&d.calls.byCallee, k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	inv := sh.m[k]
	if inv == nil || inv.state&sProgress == 0 {
		return
	}
	if inv.timer != nil {
		inv.timer.Reset(inv.x.opts.timeout)
	}
	// Sent under the shard lock: no progressive RESULT can follow the
	// final RESULT or ERROR, which is sent only after the entry is gone.
	det := wamp.Dict{"progress": true}
	for k, v := range ppt {
		det[k] = v
	}
	inv.caller.Send(&wamp.Result{Request: inv.callerReq, Details: det, Payload: m.Payload})
}

// InvocationError handles ERROR for an INVOCATION: forwarded to the caller
// as the ERROR of its CALL, Details (ppt_* attributes included) as they
// came. wamp.error.unavailable reroutes the call to another callee of a
// shared registration (WAMP §"Call Re-Routing"). An ERROR in payload
// passthru mode is checked as a YIELD is; it returns an error wrapping
// ErrProtocol when the callee did not announce the feature.
func (d *Dealer) InvocationError(callee Peer, m *wamp.ErrorMessage) error {
	k := invKey{callee.ID(), m.Request}
	if len(m.Details) > 0 && wamp.PassthruAttrs(m.Details) != nil {
		if d.features(callee.ID()).callee&fPassthru == 0 {
			return fmt.Errorf("%w: ERROR with ppt_scheme from a callee that did not announce payload_passthru_mode", ErrProtocol)
		}
		if d.pptRefused(k, false) {
			return nil
		}
	}
	inv := d.calls.take(k)
	if inv == nil {
		return nil
	}
	if m.Error == wamp.ErrUnavailable {
		d.reroute(inv)
		return nil
	}
	inv.caller.Send(&wamp.ErrorMessage{RequestType: wamp.CALL, Request: inv.callerReq,
		Details: m.Details, Error: m.Error, Payload: m.Payload})
	return nil
}

// reroute invokes the next callee of the procedure by its invoke policy,
// as if the callees that answered unavailable did not exist; the call's
// timeout starts again. With none left, or for an invoke policy of single,
// the caller gets wamp.error.no_available_callee.
func (d *Dealer) reroute(old *invocation) {
	var c *callee
	var ps *peerState
	var tried []wamp.ID
	if old.x != nil && old.x.call != nil {
		tried = append(slices.Clip(old.x.tried), old.callee.peer.ID())
		d.mu.RLock()
		if d.byID[old.proc.id] == old.proc {
			c = old.proc.pick(tried)
		}
		ps = d.peers[old.caller.ID()]
		d.mu.RUnlock()
	}
	if c == nil {
		old.caller.Send(callError(old.callerReq, wamp.ErrNoAvailableCallee, "", "no callee of the procedure is available"))
		return
	}
	if old.x.opts.ppt != nil && c.feat&fPassthru == 0 {
		old.caller.Send(callError(old.callerReq, wamp.ErrFeatureNotSupported, "",
			"the callee does not support payload passthru mode"))
		return
	}
	old.caller.PendingCalls().Add(1) // take dropped it
	inv := &invocation{
		caller: old.caller, callerReq: old.callerReq, callee: c, proc: old.proc,
		indexed: old.indexed, x: &invExtra{opts: old.x.opts, call: old.x.call, tried: tried},
	}
	var authid, authrole string
	if ps != nil {
		authid, authrole = ps.authid, ps.authrole
	}
	d.invoke(inv, old.x.call, d.details(inv, old.x.call, authid, authrole))
	// The caller may have left while this ran on the callee's goroutine:
	// Leave drops the caller from peers before it sweeps the calls, so
	// either the sweep sees inv or this check sees the caller gone.
	d.mu.RLock()
	gone := d.peers[inv.caller.ID()] == nil
	d.mu.RUnlock()
	if gone && d.calls.remove(inv) {
		d.interrupt(inv, "killnowait", wamp.ErrCanceled)
	}
}
