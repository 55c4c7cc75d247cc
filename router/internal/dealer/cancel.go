package dealer

import (
	"fmt"

	"github.com/edgebar/edgebar/router/wamp"
)

// Cancel handles CANCEL (WAMP §"Call Canceling"). Modes: skip answers the
// caller at once and forgets the call; killnowait does the same and sends
// INTERRUPT to the callee; kill sends INTERRUPT and lets the callee's answer
// end the call. Without a mode the dealer uses killnowait. A callee that did
// not announce call_canceling gets skip. A CANCEL for a call not in flight
// (answered already) is ignored, as is one from a caller that did not
// announce call_canceling (its calls are not indexed by request id). An
// unknown mode is a protocol error.
func (d *Dealer) Cancel(caller Peer, m *wamp.Cancel) error {
	mode := wamp.OptString(m.Options, "mode")
	switch mode {
	case "":
		mode = "killnowait"
	case "skip", "kill", "killnowait":
	default:
		return fmt.Errorf("%w: CANCEL mode %v is not skip, kill or killnowait", ErrProtocol, m.Options["mode"])
	}
	inv := d.calls.lookupCaller(caller.ID(), m.Request)
	if inv == nil {
		return nil
	}
	if inv.callee.feat&fCanceling == 0 {
		mode = "skip"
	}
	if mode == "kill" {
		sh := shardOf(&d.calls.byCallee, inv.key)
		sh.mu.Lock()
		if sh.m[inv.key] == inv && inv.state&sKilling == 0 {
			inv.state |= sKilling
			inv.callee.peer.Send(&wamp.Interrupt{Request: inv.key.req, Options: wamp.Dict{"mode": "kill", "reason": string(wamp.ErrCanceled)}})
		}
		sh.mu.Unlock()
		return nil
	}
	if !d.calls.remove(inv) {
		return nil
	}
	// INTERRUPT first: a caller that reacts to the ERROR with a new CALL
	// to the same callee cannot get its INVOCATION ahead of it.
	if mode == "killnowait" {
		d.interrupt(inv, "killnowait", wamp.ErrCanceled)
	}
	caller.Send(callError(inv.callerReq, wamp.ErrCanceled, "", "the call was canceled"))
	return nil
}

// expire ends a call whose dealer-side timeout passed (WAMP §"Call
// Timeouts"): ERROR wamp.error.timeout to the caller and, when the callee
// supports call canceling, INTERRUPT with mode killnowait (else skip).
func (d *Dealer) expire(inv *invocation) {
	if !d.calls.remove(inv) {
		return
	}
	d.interrupt(inv, "killnowait", wamp.ErrTimeout) // first, as in Cancel
	inv.caller.Send(callError(inv.callerReq, wamp.ErrTimeout, "", "the call timed out"))
}

// interrupt sends INTERRUPT for a call that was removed, if its callee
// supports call canceling.
func (d *Dealer) interrupt(inv *invocation, mode string, reason wamp.URI) {
	if inv.callee.feat&fCanceling == 0 {
		return
	}
	inv.callee.peer.Send(&wamp.Interrupt{Request: inv.key.req, Options: wamp.Dict{"mode": mode, "reason": string(reason)}})
}
