// Package session runs one WAMP session over a transport.Peer: the
// HELLO/WELCOME handshake with its timeout, one reader goroutine that hands
// every message to the realm synchronously, one writer goroutine that drains
// a bounded outbound queue in batches, keepalive, and the close reasons.
//
// Wake-up coalescing (Coalescer): messages the reader routes from input that
// was already buffered in its transport wake their destinations' writers
// once, when that input is used up, so one write carries many messages.
//
// Backpressure policy (README "Backpressure and slow consumers"): the
// outbound queue is bounded in bytes and messages. EVENTs over the bound are
// dropped and counted (Dropped); the publisher never waits. Every other
// message (RESULT, INVOCATION, ERROR, WELCOME, GOODBYE, ...) is never dropped:
// it may use the queue up to twice the bound, and a session that still cannot
// take it is closed as a slow consumer, which fails every call pending on it.
package session

import (
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edgebar/edgebar/router/codec"
	"github.com/edgebar/edgebar/router/transport"
	"github.com/edgebar/edgebar/router/wamp"
)

// Limits bound one session. Zero fields take the defaults below.
type Limits struct {
	QueueBytes        int           // outbound bytes before EVENTs are dropped; default 8 MiB
	QueueMessages     int           // outbound messages before EVENTs are dropped; default 8192
	HelloTimeout      time.Duration // from connect to HELLO; default 10 s
	KeepaliveInterval time.Duration // idle time before a ping; default 30 s, < 0 disables keepalive
	KeepaliveTimeout  time.Duration // wait for any inbound frame after a ping; default 10 s
}

func (l Limits) withDefaults() Limits {
	if l.QueueBytes <= 0 {
		l.QueueBytes = 8 << 20
	}
	if l.QueueMessages <= 0 {
		l.QueueMessages = 8192
	}
	if l.HelloTimeout <= 0 {
		l.HelloTimeout = 10 * time.Second
	}
	if l.KeepaliveInterval == 0 {
		l.KeepaliveInterval = 30 * time.Second
	}
	if l.KeepaliveTimeout <= 0 {
		l.KeepaliveTimeout = 10 * time.Second
	}
	return l
}

// Joiner admits a session to a realm. The router implements it; the session
// calls it with the HELLO on the reader goroutine.
type Joiner interface {
	// Join returns the realm for the session and the WELCOME details, or a
	// *wamp.Error that becomes the ABORT. On success the session's identity
	// fields must be set (SetIdentity) before Join returns.
	Join(s *Session, hello *wamp.Hello) (Realm, wamp.Dict, error)
}

// Realm routes a joined session's messages.
type Realm interface {
	// Handle routes one message, synchronously on the session's reader
	// goroutine, and answers request errors itself. It returns an error
	// wrapping ErrProtocol for a message that breaks the protocol.
	Handle(s *Session, m wamp.Message) error
	// Leave removes every trace of the session: called once, after the
	// session stopped accepting messages, on the reader goroutine.
	Leave(s *Session)
}

// ErrProtocol wraps a message that breaks the protocol: the session answers
// it with ABORT wamp.error.protocol_violation and closes.
var ErrProtocol = errors.New("protocol violation")

// Identity is who a session is, fixed at join.
type Identity struct {
	Realm      wamp.URI
	AuthID     string
	AuthRole   string
	AuthMethod string
	// AuthProvider is who authenticated the session ("static" for the
	// built-in methods).
	AuthProvider string
	// Roles are the client roles announced in HELLO (caller, callee,
	// publisher, subscriber) with their feature dicts.
	Roles wamp.Dict
}

// Session is one WAMP session. Its exported methods are safe for concurrent
// use unless they say otherwise.
type Session struct {
	id     wamp.ID
	peer   transport.Peer
	codec  codec.Codec // nil for in-memory peers
	limits Limits
	log    *slog.Logger
	ident  Identity // written once by Join before the session is visible to others

	// reqIDs numbers the requests the router sends to this session
	// (INVOCATION), in the session's scope.
	reqIDs wamp.IDGen

	mu       sync.Mutex // guards the fields below
	queue    []transport.Outgoing
	qBytes   int
	closing  bool                // no more enqueues
	holding  bool                // a last message waits until the session left its realm
	final    *transport.Outgoing // the message held back while holding
	finished bool                // the last message is queued: the writer closes after draining
	killed   bool                // closed without draining
	reason   string              // why the session closed
	wake     chan struct{}

	co   *Coalescer  // nil: every enqueue wakes the writer at once
	owed atomic.Bool // on co's owed list: a wake-up will follow; written under co.mu

	dropped    atomic.Uint64 // EVENTs dropped for this slow subscriber
	pending    atomic.Int64  // calls in flight as a caller, counted by the dealer
	done       chan struct{} // closed when both goroutines have exited
	writerDone chan struct{}
}

// New returns a session on p with the given id; Run starts it. Sessions
// that share co coalesce their writers' wake-ups (see Coalescer); co may be
// nil.
func New(id wamp.ID, p transport.Peer, limits Limits, log *slog.Logger, co *Coalescer) *Session {
	return &Session{
		id:         id,
		peer:       p,
		codec:      p.Codec(),
		limits:     limits.withDefaults(),
		log:        log,
		co:         co,
		wake:       make(chan struct{}, 1),
		done:       make(chan struct{}),
		writerDone: make(chan struct{}),
	}
}

// ID is the session id (global scope).
func (s *Session) ID() wamp.ID { return s.id }

// Codec is the serializer of the session's peer, nil for in-memory peers.
func (s *Session) Codec() codec.Codec { return s.codec }

// Identity returns who the session is; valid after join.
func (s *Session) Identity() *Identity { return &s.ident }

// AuthID is the session's authid.
func (s *Session) AuthID() string { return s.ident.AuthID }

// AuthRole is the session's authrole.
func (s *Session) AuthRole() string { return s.ident.AuthRole }

// Roles are the client roles and features announced in HELLO.
func (s *Session) Roles() wamp.Dict { return s.ident.Roles }

// SetIdentity is called by Joiner.Join.
func (s *Session) SetIdentity(id Identity) { s.ident = id }

// Info describes the session's transport.
func (s *Session) Info() transport.Info { return s.peer.Info() }

// NextRequestID returns the next id for a request the router sends to this
// session (INVOCATION.Request), sequential in the session's scope.
func (s *Session) NextRequestID() wamp.ID { return s.reqIDs.Next() }

// Dropped is the number of EVENTs dropped because the session was too slow.
func (s *Session) Dropped() uint64 { return s.dropped.Load() }

// PendingCalls counts the session's calls in flight as a caller.
func (s *Session) PendingCalls() *atomic.Int64 { return &s.pending }

// Done is closed when the session has ended and left its realm.
func (s *Session) Done() <-chan struct{} { return s.done }

// Send queues a message that must not be lost (anything but EVENT). It
// returns false when the session is closing or was just closed as a slow
// consumer; the caller then treats the session as gone.
func (s *Session) Send(m wamp.Message) bool {
	o, size, ok := s.outgoing(m)
	if !ok {
		return false
	}
	return s.enqueue(o, size, true)
}

// SendEvent queues an EVENT already encoded with the session's codec (frame),
// or, for in-memory peers, the event itself. Over the queue bound the event
// is dropped and counted; the return value says whether it was queued.
func (s *Session) SendEvent(frame []byte, ev *wamp.Event) bool {
	if s.codec == nil {
		return s.enqueue(transport.Outgoing{Msg: ev}, 64+ev.Payload.Size(), false)
	}
	return s.enqueue(transport.Outgoing{Frame: frame}, len(frame), false)
}

// outgoing encodes m for the peer. An encoding failure (a value the codec
// cannot represent) is logged and the message not sent.
func (s *Session) outgoing(m wamp.Message) (transport.Outgoing, int, bool) {
	if s.codec == nil {
		size := 64
		if p := payloadOf(m); p != nil {
			size += p.Size()
		}
		return transport.Outgoing{Msg: m}, size, true
	}
	frame, err := s.codec.Encode(nil, m)
	if err != nil {
		s.log.Warn("session: cannot encode message", "session", s.id, "type", m.Type(), "err", err)
		return transport.Outgoing{}, 0, false
	}
	return transport.Outgoing{Frame: frame}, len(frame), true
}

func payloadOf(m wamp.Message) *wamp.Payload {
	switch m := m.(type) {
	case *wamp.Result:
		return &m.Payload
	case *wamp.Invocation:
		return &m.Payload
	case *wamp.ErrorMessage:
		return &m.Payload
	case *wamp.Event:
		return &m.Payload
	case *wamp.Call:
		return &m.Payload
	case *wamp.Yield:
		return &m.Payload
	case *wamp.Publish:
		return &m.Payload
	}
	return nil
}

// enqueue applies the backpressure policy (see the package doc).
func (s *Session) enqueue(o transport.Outgoing, size int, must bool) bool {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return false
	}
	over := s.qBytes+size > s.limits.QueueBytes || len(s.queue) >= s.limits.QueueMessages
	if over && !must {
		s.mu.Unlock()
		if n := s.dropped.Add(1); n&(n-1) == 0 { // log at 1, 2, 4, 8, ... drops
			s.log.Warn("session: slow subscriber, events dropped", "session", s.id, "dropped", n)
		}
		return false
	}
	if must && (s.qBytes+size > 2*s.limits.QueueBytes || len(s.queue) >= 2*s.limits.QueueMessages) {
		s.mu.Unlock()
		s.Kill(ReasonSlowConsumer)
		return false
	}
	s.queue = append(s.queue, o)
	s.qBytes += size
	s.mu.Unlock()
	s.wakeWriter()
	return true
}

// wakeWriter wakes the writer after an enqueue, or leaves that to the
// Coalescer while a reader is active. When owed is already set, the leave
// that clears it signals afterwards, and it cannot have drained the queue
// before our append: that drain would have happened-before our enqueue
// (through s.mu) and with it the clear, so we would not see owed set.
func (s *Session) wakeWriter() {
	if s.owed.Load() {
		return
	}
	if s.co != nil && s.co.owe(s) {
		return
	}
	s.signal()
}

func (s *Session) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// maxSpare is the largest batch slice the writer keeps for the next batch.
const maxSpare = 256

// flushTimeout bounds how long a closing session waits to write its last
// messages.
const flushTimeout = 10 * time.Second

// Close reasons, logged once per session.
const (
	ReasonGoodbye          = "goodbye"
	ReasonShutdown         = "router shutdown"
	ReasonTransportClosed  = "transport closed"
	ReasonTransportError   = "transport error"
	ReasonProtocol         = "protocol violation"
	ReasonSlowConsumer     = "slow consumer"
	ReasonKeepaliveTimeout = "keepalive timeout"
	ReasonHelloTimeout     = "hello timeout"
	ReasonAborted          = "aborted"
	ReasonKilled           = "killed"
)

// Kill closes the session at once, without draining its queue.
func (s *Session) Kill(reason string) {
	s.mu.Lock()
	if s.killed {
		s.mu.Unlock()
		return
	}
	s.killed = true
	s.closing = true
	if s.reason == "" {
		s.reason = reason
	}
	s.queue = nil
	s.qBytes = 0
	s.mu.Unlock()
	s.peer.Close()
	s.signal()
}

// closeAfter queues a last message (may be nil) and closes the session once
// the writer has written everything before it. While the reader is still
// to take the session out of its realm (holding), the last message waits
// for that: a client that reads our GOODBYE or ABORT finds its registrations
// and subscriptions gone.
func (s *Session) closeAfter(m wamp.Message, reason string) { s.closeWith(m, reason, false) }

// closeWith is closeAfter; now sends the last message at once even while
// holding, for a GOODBYE the router starts (the reader then waits for the
// client's answer before the session leaves its realm).
func (s *Session) closeWith(m wamp.Message, reason string, now bool) {
	var o transport.Outgoing
	ok := m == nil
	size := 0
	if m != nil {
		o, size, ok = s.outgoing(m)
	}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return
	}
	s.closing = true
	if s.reason == "" {
		s.reason = reason
	}
	hold := s.holding && !now
	if ok && m != nil {
		if hold {
			s.final = &o
		} else {
			s.queue = append(s.queue, o)
			s.qBytes += size
		}
	}
	if !hold {
		s.finished = true
	}
	s.mu.Unlock()
	s.signal()
}

// release queues the message held back by closeAfter, once the session
// has left its realm, and lets the writer close.
func (s *Session) release() {
	s.mu.Lock()
	s.holding = false
	if s.final != nil && !s.killed {
		s.queue = append(s.queue, *s.final)
	}
	s.final = nil
	s.closing, s.finished = true, true
	if s.reason == "" {
		s.reason = ReasonTransportClosed
	}
	s.mu.Unlock()
	s.signal()
}

// Goodbye asks the session to end with GOODBYE reason (router shutdown,
// wamp.session.kill): the message is written, then the transport closed.
func (s *Session) Goodbye(reason wamp.URI, message string) {
	d := wamp.Dict{}
	if message != "" {
		d["message"] = message
	}
	s.closeWith(&wamp.Goodbye{Details: d, Reason: reason}, ReasonShutdown, true)
}

// Kick ends the session on the router's initiative with GOODBYE reason
// (wamp.session.kill): like Goodbye, but logged with close reason why.
func (s *Session) Kick(reason wamp.URI, message, why string) {
	d := wamp.Dict{}
	if message != "" {
		d["message"] = message
	}
	s.closeWith(&wamp.Goodbye{Details: d, Reason: reason}, why, true)
}

// Reason is why the session closed ("" while open).
func (s *Session) Reason() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reason
}

// IsClosing reports whether the session stopped accepting messages.
func (s *Session) IsClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// writer is the only goroutine that writes to the peer. It drains the
// whole queue per wake-up and hands it to the transport as one batch; it
// also runs the keepalive, since pings are writes.
func (s *Session) writer() {
	defer close(s.writerDone)
	var spare []transport.Outgoing
	ka := newKeepalive(s.limits, s.peer)
	defer ka.stop()
	for {
		select {
		case <-s.wake:
		case <-ka.c():
			if err := ka.tick(); err != nil {
				s.Kill(ReasonKeepaliveTimeout)
				return
			}
			continue
		}
		s.mu.Lock()
		batch := s.queue
		s.queue = spare[:0]
		s.qBytes = 0
		finished, killed := s.finished, s.killed
		s.mu.Unlock()
		if killed {
			return
		}
		if len(batch) > 0 {
			if err := s.peer.Send(batch); err != nil {
				s.Kill(ReasonTransportError)
				return
			}
			clear(batch) // drop references to frames for the GC
		}
		spare = nil
		if cap(batch) <= maxSpare {
			spare = batch // a burst's large slice is not kept by an idle session
		}
		if finished {
			s.mu.Lock()
			empty := len(s.queue) == 0
			s.mu.Unlock()
			if empty {
				s.peer.Close()
				return
			}
		}
	}
}

// keepalive pings an idle peer and fails it when nothing arrives within the
// timeout after the ping. Owned by the writer goroutine.
type keepalive struct {
	l      Limits
	p      transport.Peer
	t      *time.Timer
	last   uint64
	pinged bool
}

func newKeepalive(l Limits, p transport.Peer) *keepalive {
	k := &keepalive{l: l, p: p}
	if l.KeepaliveInterval > 0 {
		k.t = time.NewTimer(l.KeepaliveInterval)
		k.last = p.Activity()
	}
	return k
}

func (k *keepalive) c() <-chan time.Time {
	if k.t == nil {
		return nil
	}
	return k.t.C
}

func (k *keepalive) stop() {
	if k.t != nil {
		k.t.Stop()
	}
}

var errKeepalive = errors.New("session: no answer to keepalive ping")

func (k *keepalive) tick() error {
	if a := k.p.Activity(); a != k.last {
		k.last, k.pinged = a, false
		k.t.Reset(k.l.KeepaliveInterval)
		return nil
	}
	if k.pinged {
		return errKeepalive
	}
	if err := k.p.Ping(); err != nil {
		return err
	}
	k.pinged = true
	k.t.Reset(k.l.KeepaliveTimeout)
	return nil
}

// Run runs the session until it ends: it starts the writer, performs the
// handshake and reads messages on the calling goroutine. It returns after
// the session left its realm and both goroutines exited.
func (s *Session) Run(j Joiner) {
	go s.writer()
	realm := s.handshake(j)
	if realm != nil {
		s.readLoop(realm)
		realm.Leave(s)
	}
	s.release()
	// The writer drains what is queued (a final GOODBYE or ABORT) and closes
	// the peer; if the peer is dead it fails and closes too. A peer that
	// neither reads nor fails gets flushTimeout.
	select {
	case <-s.writerDone:
	case <-time.After(flushTimeout):
		s.Kill(ReasonTransportError)
		<-s.writerDone
	}
	s.peer.Close()
	close(s.done)
}

// handshake waits for HELLO and joins a realm; nil means the session ended.
func (s *Session) handshake(j Joiner) Realm {
	timer := time.AfterFunc(s.limits.HelloTimeout, func() { s.Kill(ReasonHelloTimeout) })
	m, err := s.peer.Recv()
	timer.Stop()
	if err != nil {
		s.recvFailed(err)
		return nil
	}
	hello, ok := m.(*wamp.Hello)
	if !ok {
		s.abort(wamp.ErrProtocolViolation, "expected HELLO, got "+m.Type().String(), ReasonProtocol)
		return nil
	}
	realm, details, err := j.Join(s, hello)
	if err != nil {
		var we *wamp.Error
		if !errors.As(err, &we) {
			we = &wamp.Error{URI: wamp.ErrProtocolViolation}
		}
		s.abort(we.URI, firstString(we.Args), ReasonAborted)
		return nil
	}
	s.mu.Lock()
	s.holding = true
	s.mu.Unlock()
	if !s.Send(&wamp.Welcome{Session: s.id, Details: details}) {
		return realm // the session closed while joining: it still leaves the realm
	}
	return realm
}

// readLoop routes messages until the session ends. Messages already
// buffered in the transport are routed as one burst, with the writers they
// wake woken once at its end (see Coalescer).
func (s *Session) readLoop(realm Realm) {
	b := burst{c: s.co}
	if bp, ok := s.peer.(transport.Buffered); ok {
		b.source = bp
	}
	defer b.stop()
	for {
		b.next()
		m, err := s.peer.Recv()
		if err != nil {
			s.recvFailed(err)
			return
		}
		switch m.(type) {
		case *wamp.Goodbye:
			// WAMP §"Session Closing": answer GOODBYE with GOODBYE, unless
			// it is the answer to ours.
			s.mu.Lock()
			closing := s.closing
			s.mu.Unlock()
			if !closing {
				s.closeAfter(&wamp.Goodbye{Details: wamp.Dict{}, Reason: wamp.CloseGoodbyeAndOut}, ReasonGoodbye)
			}
			return
		case *wamp.Abort:
			s.closeAfter(nil, ReasonAborted)
			return
		case *wamp.Hello:
			s.abort(wamp.ErrProtocolViolation, "HELLO received on an established session", ReasonProtocol)
			return
		}
		b.start()
		if err := realm.Handle(s, m); err != nil {
			if errors.Is(err, ErrProtocol) {
				s.abort(wamp.ErrProtocolViolation, err.Error(), ReasonProtocol)
				return
			}
			s.log.Warn("session: routing failed", "session", s.id, "type", m.Type(), "err", err)
		}
	}
}

func (s *Session) recvFailed(err error) {
	var pe *transport.ProtocolError
	switch {
	case errors.As(err, &pe):
		s.abort(wamp.ErrProtocolViolation, pe.Err.Error(), ReasonProtocol)
	case errors.Is(err, io.EOF):
		s.closeAfter(nil, ReasonTransportClosed)
	default:
		s.closeAfter(nil, ReasonTransportError)
	}
}

// abort sends ABORT with reason and a message, then closes. The message
// goes into the close reason too, so the log says what was wrong.
func (s *Session) abort(reason wamp.URI, message, why string) {
	d := wamp.Dict{}
	if message != "" {
		d["message"] = message
		why += ": " + message
	}
	s.closeAfter(&wamp.Abort{Details: d, Reason: reason}, why)
}

func firstString(l wamp.List) string {
	if len(l) > 0 {
		if s, ok := l[0].(string); ok {
			return s
		}
	}
	return ""
}
