package router_test

import (
	"sync"
	"testing"

	"github.com/edgebar/edgebar/router"
	"github.com/edgebar/edgebar/router/transport"
	"github.com/edgebar/edgebar/router/transport/local"
	"github.com/edgebar/edgebar/router/wamp"
)

// batchPeer records the number of INVOCATIONs in each Send batch.
type batchPeer struct {
	transport.Peer
	mu      sync.Mutex
	batches []int
}

func (p *batchPeer) Send(out []transport.Outgoing) error {
	n := 0
	for _, o := range out {
		if _, ok := o.Msg.(*wamp.Invocation); ok {
			n++
		}
	}
	if n > 0 {
		p.mu.Lock()
		p.batches = append(p.batches, n)
		p.mu.Unlock()
	}
	return p.Peer.Send(out)
}

// TestBurstWakesCalleeOnce: CALLs that arrive together are routed as one
// burst, and the callee's writer is woken once for all their INVOCATIONs,
// which then leave in one batch (one write on a socket).
func TestBurstWakesCalleeOnce(t *testing.T) {
	tr := startRouter(t, router.Config{})
	routerEnd, calleeEnd := local.Pair()
	bp := &batchPeer{Peer: routerEnd}
	tr.Attach(bp)
	callee := newConn(t, calleeEnd)
	callee.join("realm1")
	callee.register("com.example.echo")

	caller := newConn(t, tr.Local())
	caller.join("realm1")
	const calls = 100
	msgs := make([]wamp.Message, calls)
	for i := range msgs {
		msgs[i] = &wamp.Call{Request: wamp.ID(i + 1), Procedure: "com.example.echo"}
	}
	caller.send(msgs...) // one delivery: all buffered before the router reads
	for range calls {
		expectType[*wamp.Invocation](t, callee.recv())
	}
	bp.mu.Lock()
	defer bp.mu.Unlock()
	if len(bp.batches) != 1 || bp.batches[0] != calls {
		t.Fatalf("INVOCATIONs went out in batches %v, want one batch of %d", bp.batches, calls)
	}
}
