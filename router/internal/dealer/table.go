package dealer

import (
	"sync"
	"time"

	"github.com/edgebar/edgebar/router/wamp"
)

// invKey names a call in flight: a session and a request id in its scope.
type invKey struct{ session, req wamp.ID }

// invocation is a call in flight, keyed by (callee, INVOCATION.Request).
// The fields from state on are guarded by the lock of the invocation's shard
// in invTable.byCallee; the others are fixed once it is in the table.
type invocation struct {
	key       invKey // (callee, INVOCATION.Request)
	caller    Peer
	callerReq wamp.ID
	callee    *callee
	proc      *procedure
	x         *invExtra // nil for a plain call
	// indexed: the call is also in invTable.byCaller under
	// (caller, CALL.Request), for CANCEL and progressive CALLs.
	indexed bool

	state invState
	timer *time.Timer // runs the dealer-side call timeout; nil without one
}

// invExtra is what only calls with options or on shared registrations
// need, kept apart so that a plain call's table entry stays small.
type invExtra struct {
	opts callOpts
	// call is the CALL kept for rerouting (shared registrations other than
	// single); details the first INVOCATION's (progressive invocations).
	call    *wamp.Call
	details wamp.Dict
	tried   []wamp.ID // callees that answered wamp.error.unavailable
}

type invState uint8

const (
	// sProgress: RESULTs with progress are forwarded to the caller.
	sProgress invState = 1 << iota
	// sStreaming: the caller is still sending progressive CALLs.
	sStreaming
	// sKilling: a CANCEL with mode kill sent INTERRUPT; the callee's answer
	// still ends the call.
	sKilling
)

// shards slice the tables of calls in flight so that callers on different
// cores do not contend on one mutex.
const shards = 32

type invShard struct {
	mu sync.Mutex
	m  map[invKey]*invocation
}

// invTable holds the calls in flight, by callee and, for callers that may
// cancel or stream, by caller.
type invTable struct {
	byCallee [shards]invShard
	byCaller [shards]invShard
}

func (t *invTable) init() {
	for i := range t.byCallee {
		t.byCallee[i].m = make(map[invKey]*invocation)
		t.byCaller[i].m = make(map[invKey]*invocation)
	}
}

func shardOf(s *[shards]invShard, k invKey) *invShard { return &s[(k.session^k.req)%shards] }

// lookupCaller returns the call the caller knows as req, nil if it is not
// in flight or not indexed.
func (t *invTable) lookupCaller(caller, req wamp.ID) *invocation {
	sh := shardOf(&t.byCaller, invKey{caller, req})
	sh.mu.Lock()
	inv := sh.m[invKey{caller, req}]
	sh.mu.Unlock()
	return inv
}

// lookupCallee returns the call in flight under k (callee, INVOCATION.Request),
// nil if there is none.
func (t *invTable) lookupCallee(k invKey) *invocation {
	sh := shardOf(&t.byCallee, k)
	sh.mu.Lock()
	inv := sh.m[k]
	sh.mu.Unlock()
	return inv
}

// take removes and returns the call in flight under k, nil when it is not
// there (answered already, canceled, or its callee or caller left).
func (t *invTable) take(k invKey) *invocation {
	sh := shardOf(&t.byCallee, k)
	sh.mu.Lock()
	inv := sh.m[k]
	if inv != nil {
		delete(sh.m, k)
		inv.stopTimer()
	}
	sh.mu.Unlock()
	if inv != nil {
		t.forget(inv)
	}
	return inv
}

// remove takes inv out of the table if it is still there; false means
// someone else ended the call first.
func (t *invTable) remove(inv *invocation) bool {
	sh := shardOf(&t.byCallee, inv.key)
	sh.mu.Lock()
	ok := sh.m[inv.key] == inv
	if ok {
		delete(sh.m, inv.key)
		inv.stopTimer()
	}
	sh.mu.Unlock()
	if ok {
		t.forget(inv)
	}
	return ok
}

// forget finishes a removal: the caller index entry and the pending count.
func (t *invTable) forget(inv *invocation) {
	if inv.indexed {
		k := invKey{inv.caller.ID(), inv.callerReq}
		sh := shardOf(&t.byCaller, k)
		sh.mu.Lock()
		if sh.m[k] == inv {
			delete(sh.m, k)
		}
		sh.mu.Unlock()
	}
	inv.caller.PendingCalls().Add(-1)
}

func (inv *invocation) stopTimer() {
	if inv.timer != nil {
		inv.timer.Stop()
		inv.timer = nil
	}
}

// removeSession removes every call with sid as callee or caller. orphaned
// are the calls whose callee left (their callers must be answered);
// abandoned those whose caller left (their callees may be interrupted).
func (t *invTable) removeSession(sid wamp.ID) (orphaned, abandoned []*invocation) {
	var gone []*invocation
	for i := range t.byCallee {
		sh := &t.byCallee[i]
		sh.mu.Lock()
		for k, inv := range sh.m {
			callerGone := inv.caller.ID() == sid
			if k.session != sid && !callerGone {
				continue
			}
			delete(sh.m, k)
			inv.stopTimer()
			gone = append(gone, inv)
			switch {
			case k.session == sid && !callerGone:
				orphaned = append(orphaned, inv)
			case k.session != sid:
				abandoned = append(abandoned, inv)
			}
		}
		sh.mu.Unlock()
	}
	for _, inv := range gone {
		t.forget(inv)
	}
	return orphaned, abandoned
}
