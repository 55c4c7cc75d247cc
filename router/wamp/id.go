package wamp

import (
	"math/rand/v2"
	"sync/atomic"
)

// GlobalID returns a global-scope id: drawn at random from a uniform
// distribution over [1, 2^53] (WAMP §"Global Scope IDs"). Used for session
// and publication ids.
func GlobalID() ID { return ID(rand.Uint64N(uint64(MaxID))) + 1 }

// IDGen hands out router- or session-scope ids: 1, 2, 3, ... wrapping back to
// 1 after 2^53 (WAMP §"Router Scope IDs", §"Session Scope IDs"). The zero
// value is ready and safe for concurrent use.
type IDGen struct{ n atomic.Uint64 }

// Next returns the next id.
func (g *IDGen) Next() ID {
	for {
		old := g.n.Load()
		next := old + 1
		if next > uint64(MaxID) {
			next = 1
		}
		if g.n.CompareAndSwap(old, next) {
			return ID(next)
		}
	}
}
