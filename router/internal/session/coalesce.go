package session

import "sync"

// Coalescer batches the wake-ups of session writers, so that one write
// syscall carries many messages (nats-server's pcd and flushClients). One
// Coalescer serves every session of a router.
//
// A reader is active from the moment it starts routing a message that has
// another whole message buffered behind it (transport.Buffered) until its
// transport has no further whole message buffered, or it has routed
// maxBurst messages in a row. While any reader is active, a
// message queued for a session does not wake that session's writer at once:
// the session is put on the owed list (once) and woken when the next active
// reader leaves. The reader that queued the message is itself active, so a
// wake-up is never deferred past the end of the buffered input of the reader
// that routed the message; no timer is involved and an idle router wakes
// writers at once.
//
// Why one list per router and not one per reading session, as in
// nats-server: the broker and dealer queue messages with dest.Send(m) and
// dest.SendEvent(frame, ev), which do not say which reader is routing; Go
// has no goroutine-local state to find it, and passing it down would change
// every Send call site of the broker, the dealer and the meta API. The cost
// of sharing: a reader that leaves also wakes the sessions other active
// readers owe (an earlier, never a later wake-up), and a message queued by a
// goroutine that is not a reader (a call-timeout timer) waits for the first
// active reader to leave, which is within that reader's buffered input. The
// mutex is taken twice per burst of input and once per owed session; it
// guards only a counter and a slice.
type Coalescer struct {
	mu     sync.Mutex
	active int        // readers inside a burst
	owed   []*Session // writers to wake when a reader leaves; Session.owed marks members
	spare  []*Session // the previous owed slice, for reuse
}

// maxBurst bounds the messages a reader routes before it wakes what it owes:
// a peer whose input never runs dry (an in-process publisher) must not hold
// back its subscribers' writers.
const maxBurst = 256

// NewCoalescer returns a Coalescer with no active reader.
func NewCoalescer() *Coalescer { return &Coalescer{} }

func (c *Coalescer) enter() {
	c.mu.Lock()
	c.active++
	c.mu.Unlock()
}

// leave ends a reader's burst and wakes every owed writer.
func (c *Coalescer) leave() {
	c.mu.Lock()
	c.active--
	owed := c.owed
	if len(owed) == 0 {
		c.mu.Unlock()
		return
	}
	c.owed, c.spare = c.spare[:0], nil
	for _, s := range owed {
		s.owed.Store(false) // before the signal: see Session.wakeWriter
	}
	c.mu.Unlock()
	for i, s := range owed {
		s.signal()
		owed[i] = nil
	}
	c.mu.Lock()
	if c.spare == nil && cap(owed) <= 1024 {
		c.spare = owed[:0]
	}
	c.mu.Unlock()
}

// owe defers the wake-up of s's writer to the next leave; false means no
// reader is active and the caller wakes the writer itself.
func (c *Coalescer) owe(s *Session) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.active == 0 {
		return false
	}
	if !s.owed.Load() {
		s.owed.Store(true)
		c.owed = append(c.owed, s)
	}
	return true
}

// burst is a reader's state in its Coalescer. Owned by the reader goroutine.
type burst struct {
	c      *Coalescer // nil: no coalescing
	n      int        // messages routed in this burst; 0: not active
	source interface{ Buffered() bool }
}

// start makes the reader active before it routes a message, when more
// input is buffered behind it. A lone message has nothing to coalesce with:
// its destinations' writers are woken at once and run while it is routed
// further (a PUBLISH to 1000 subscribers).
func (b *burst) start() {
	if b.n == 0 {
		if b.c == nil || b.source == nil || !b.source.Buffered() {
			return
		}
		b.c.enter()
	}
	b.n++
}

// next ends the burst after a message unless another whole message is
// buffered (and the burst is not at maxBurst).
func (b *burst) next() {
	if b.n == 0 || b.n < maxBurst && b.source != nil && b.source.Buffered() {
		return
	}
	b.stop()
}

// stop ends the burst, if any.
func (b *burst) stop() {
	if b.c != nil && b.n > 0 {
		b.c.leave()
	}
	b.n = 0
}
