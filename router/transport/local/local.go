// Package local is the in-memory transport: two linked Peers that pass WAMP
// messages as values, without a codec. The router hands one end to a session
// and the other to an in-process component's client (router.Local), so
// components are ordinary sessions that skip only the encoding.
//
// Messages are shared, read-only values: Send hands the very message to the
// other end, so neither side may modify a message after sending it or after
// receiving it.
package local

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/edgebar/edgebar/router/codec"
	"github.com/edgebar/edgebar/router/transport"
	"github.com/edgebar/edgebar/router/wamp"
)

// errNilMessage refuses an Outgoing without a message: a nil message would
// reach the other side's reader as a nil Message with a nil error.
var errNilMessage = errors.New("local: nil message")

// Pair returns two linked peers: what a sends, b receives, and the other way
// round.
//
// Contracts, in addition to transport.Peer:
//   - Send appends to the other end's inbound queue, which is unbounded (the
//     router's session bounds its outbound queue before it calls Send). It
//     never blocks on the receiver and fails with transport.ErrClosed once
//     either end is closed.
//   - Recv returns the queued messages in order; after the other end's Close
//     it drains the queue and then returns io.EOF; after this end's Close it
//     returns transport.ErrClosed at once.
//   - Ping cannot be lost in memory, so it always succeeds while the pair is
//     open and counts as an answer at once: it increments the pinging end's
//     Activity (an in-memory peer is never half-open). After Close it returns
//     transport.ErrClosed.
//   - Activity counts messages delivered to this end's queue plus pings.
//   - Close is idempotent and closes both directions.
//   - Codec is nil; Info is {Transport: "local"}.
//   - Both ends implement transport.Buffered.
func Pair() (a, b transport.Peer) {
	x, y := newEnd(), newEnd()
	x.other, y.other = y, x
	return x, y
}

// end is one side of a pair. Its inbound queue is filled by the other end's
// Send and drained by its own Recv.
type end struct {
	other    *end
	activity atomic.Uint64

	mu     sync.Mutex
	cond   sync.Cond      // signaled on a new message or a close; uses mu
	queue  []wamp.Message // guarded by mu; queue[head:] is pending
	head   int            // guarded by mu
	closed bool           // guarded by mu; this end called Close
	eof    bool           // guarded by mu; the other end called Close
}

func newEnd() *end {
	e := &end{}
	e.cond.L = &e.mu
	return e
}

// compactAt is the number of consumed slots after which Recv moves the
// pending messages to the front, so a queue that never drains completely
// does not grow without bound.
const compactAt = 1024

func (e *end) Recv() (wamp.Message, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for {
		if e.closed {
			return nil, transport.ErrClosed
		}
		if e.head < len(e.queue) {
			m := e.queue[e.head]
			e.queue[e.head] = nil // let the message be collected
			e.head++
			switch {
			case e.head == len(e.queue):
				e.queue, e.head = e.queue[:0], 0
			case e.head >= compactAt && 2*e.head >= len(e.queue):
				n := copy(e.queue, e.queue[e.head:])
				clear(e.queue[n:])
				e.queue, e.head = e.queue[:n], 0
			}
			return m, nil
		}
		if e.eof {
			return nil, io.EOF
		}
		e.cond.Wait()
	}
}

// Buffered implements transport.Buffered: a message is waiting in the
// inbound queue, so Recv returns at once.
func (e *end) Buffered() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return !e.closed && e.head < len(e.queue)
}

// Send delivers to the other end. All messages are checked before any is
// delivered, so a failed Send delivers nothing.
func (e *end) Send(out []transport.Outgoing) error {
	for i := range out {
		if out[i].Msg == nil {
			return errNilMessage
		}
	}
	return e.other.deliver(out)
}

// deliver appends to e's inbound queue. A closed e, or an e whose other end
// (the sender) is closed, refuses the messages.
func (e *end) deliver(out []transport.Outgoing) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed || e.eof {
		return transport.ErrClosed
	}
	for i := range out {
		e.queue = append(e.queue, out[i].Msg)
	}
	e.activity.Add(uint64(len(out)))
	e.cond.Signal() // one reader per peer
	return nil
}

func (e *end) Ping() error {
	e.mu.Lock()
	open := !e.closed && !e.eof
	e.mu.Unlock()
	if !open {
		return transport.ErrClosed
	}
	e.activity.Add(1)
	return nil
}

func (e *end) Activity() uint64 { return e.activity.Load() }

// Close marks this end closed and the other end at EOF. Locks are taken one
// after the other, never nested, so two ends closing at once cannot deadlock.
func (e *end) Close() error {
	e.mu.Lock()
	e.closed = true
	e.cond.Broadcast()
	e.mu.Unlock()

	o := e.other
	o.mu.Lock()
	o.eof = true
	o.cond.Broadcast()
	o.mu.Unlock()
	return nil
}

func (e *end) Codec() codec.Codec { return nil }

func (e *end) Info() transport.Info { return transport.Info{Transport: "local"} }
