package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/edgebar/edgebar/router/codec"
	"github.com/edgebar/edgebar/router/transport"
	"github.com/edgebar/edgebar/router/wamp"
)

// ErrSessionClosed is wrapped by every error caused by the end of the
// session: pending requests, requests after the end, and Err.
var ErrSessionClosed = errors.New("client: session closed")

// errLeaving refuses new requests once Leave sent GOODBYE.
var errLeaving = fmt.Errorf("%w: leaving", ErrSessionClosed)

// agent is HELLO.Details.agent.
const agent = "edgebar-client"

// Session is a joined WAMP session. Its methods are safe for concurrent use.
type Session struct {
	peer    transport.Peer
	enc     codec.Codec // peer.Codec(); nil for in-memory peers
	log     *slog.Logger
	realm   wamp.URI
	id      wamp.ID   // set by the handshake, then read-only
	details wamp.Dict // WELCOME.Details, read-only
	cancels bool      // the dealer announced call_canceling
	evqLen  int       // per-subscription queue bound, <= 0: unbounded

	ids wamp.IDGen // session-scope request ids
	wmu sync.Mutex // serializes peer.Send: a Peer takes one sender at a time

	ctx        context.Context // canceled at the end; parent of handler contexts
	cancel     context.CancelFunc
	done       chan struct{} // closed at the end, after err and reason are set
	readerDone chan struct{} // closed when the reader goroutine returns

	mu      sync.Mutex
	ended   bool                                // guarded by mu
	err     error                               // guarded by mu; set once, before done closes
	reason  wamp.URI                            // guarded by mu; set once, before done closes
	leaving bool                                // guarded by mu; Leave sent GOODBYE
	pending map[wamp.ID]*request                // guarded by mu; requests awaiting a reply
	regs    map[wamp.ID]*Registration           // guarded by mu
	subs    map[wamp.ID][]*Subscription         // guarded by mu; slices are replaced, never modified
	invs    map[wamp.ID]context.CancelCauseFunc // guarded by mu; running invocations
}

// Join opens a session on realm over peer: HELLO, an optional CHALLENGE /
// AUTHENTICATE exchange, WELCOME. An ABORT is returned as a *wamp.Error with
// the reason URI. Join owns peer: on failure it closes it, on success the
// Session does. Canceling ctx aborts the handshake; it does not affect the
// joined session.
func Join(ctx context.Context, peer transport.Peer, realm wamp.URI, opts ...Option) (*Session, error) {
	if !wamp.ValidURI(realm, false) {
		peer.Close()
		return nil, fmt.Errorf("client: invalid realm %q", realm)
	}
	cfg := newConfig(opts)
	s := &Session{
		peer:       peer,
		enc:        peer.Codec(),
		log:        cfg.log,
		realm:      realm,
		evqLen:     cfg.eventQueue,
		done:       make(chan struct{}),
		readerDone: make(chan struct{}),
		pending:    make(map[wamp.ID]*request),
		regs:       make(map[wamp.ID]*Registration),
		subs:       make(map[wamp.ID][]*Subscription),
		invs:       make(map[wamp.ID]context.CancelCauseFunc),
	}
	// Recv has no context: closing the peer is what unblocks it.
	stop := context.AfterFunc(ctx, func() { peer.Close() })
	err := s.handshake(ctx, &cfg)
	if !stop() && err == nil {
		err = ctx.Err() // ctx fired just after WELCOME; the peer is closed
	}
	if err != nil {
		peer.Close()
		if ctx.Err() != nil && !isWAMPError(err) {
			return nil, fmt.Errorf("client: join %s: %w", realm, ctx.Err())
		}
		return nil, err
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.log = s.log.With("session", s.id, "realm", realm)
	go s.read()
	return s, nil
}

func isWAMPError(err error) bool {
	var we *wamp.Error
	return errors.As(err, &we)
}

func (s *Session) handshake(ctx context.Context, cfg *config) error {
	if err := s.send(&wamp.Hello{Realm: s.realm, Details: helloDetails(cfg)}); err != nil {
		return fmt.Errorf("client: join %s: %w", s.realm, err)
	}
	for {
		m, err := s.peer.Recv()
		if err != nil {
			return fmt.Errorf("client: join %s: %w", s.realm, err)
		}
		switch m := m.(type) {
		case *wamp.Welcome:
			s.id, s.details = m.Session, m.Details
			s.cancels = routerFeature(m.Details, "dealer", "call_canceling")
			return nil
		case *wamp.Abort:
			return abortError(m.Reason, m.Details)
		case *wamp.Challenge:
			if cfg.respond == nil {
				s.abort(wamp.ErrAuthenticationFailed, "authentication not supported")
				return fmt.Errorf("client: join %s: authentication not supported yet (challenge %q)", s.realm, m.AuthMethod)
			}
			sig, extra, err := cfg.respond(ctx, m)
			if err != nil {
				s.abort(wamp.ErrAuthenticationFailed, "cannot answer the challenge")
				return fmt.Errorf("client: join %s: authenticate: %w", s.realm, err)
			}
			if extra == nil {
				extra = wamp.Dict{}
			}
			if err := s.send(&wamp.Authenticate{Signature: sig, Extra: extra}); err != nil {
				return fmt.Errorf("client: join %s: %w", s.realm, err)
			}
		default:
			s.abort(wamp.ErrProtocolViolation, "unexpected "+m.Type().String()+" during the handshake")
			return fmt.Errorf("client: join %s: unexpected %v", s.realm, m.Type())
		}
	}
}

// helloDetails announces the four client roles with only the features this
// package implements: call canceling as caller (CANCEL) and callee
// (INTERRUPT).
func helloDetails(cfg *config) wamp.Dict {
	cancel := wamp.Dict{"features": wamp.Dict{"call_canceling": true}}
	d := wamp.Dict{
		"agent": agent,
		"roles": wamp.Dict{
			"caller":     cancel,
			"callee":     wamp.Dict{"features": wamp.Dict{"call_canceling": true}},
			"publisher":  wamp.Dict{},
			"subscriber": wamp.Dict{},
		},
	}
	if cfg.authID != "" {
		d["authid"] = cfg.authID
	}
	if cfg.authRole != "" {
		d["authrole"] = cfg.authRole
	}
	if len(cfg.authMethods) > 0 {
		ms := make(wamp.List, len(cfg.authMethods))
		for i, m := range cfg.authMethods {
			ms[i] = m
		}
		d["authmethods"] = ms
	}
	if cfg.authExtra != nil {
		d["authextra"] = cfg.authExtra
	}
	return d
}

// routerFeature reads WELCOME.Details.roles.<role>.features.<feature>.
func routerFeature(details wamp.Dict, role, feature string) bool {
	roles, _ := details["roles"].(wamp.Dict)
	r, _ := roles[role].(wamp.Dict)
	fs, _ := r["features"].(wamp.Dict)
	return wamp.OptBool(fs, feature, false)
}

// abortError turns the reason and details of ABORT or GOODBYE into an error;
// a details "message" becomes the first argument, so it shows in Error().
func abortError(reason wamp.URI, details wamp.Dict) *wamp.Error {
	e := &wamp.Error{URI: reason, Details: details}
	if msg := wamp.OptString(details, "message"); msg != "" {
		e.Args = wamp.List{msg}
	}
	return e
}

// abort sends ABORT; the caller closes the peer.
func (s *Session) abort(reason wamp.URI, msg string) {
	if err := s.send(&wamp.Abort{Details: wamp.Dict{"message": msg}, Reason: reason}); err != nil {
		s.log.Debug("client: send ABORT", "err", err)
	}
}

// ID is the session id the router assigned.
func (s *Session) ID() wamp.ID { return s.id }

// Realm is the realm the session joined.
func (s *Session) Realm() wamp.URI { return s.realm }

// Details is WELCOME.Details (authid, authrole, the router's roles, ...). It
// must not be modified.
func (s *Session) Details() wamp.Dict { return s.details }

// Done is closed when the session has ended.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err is nil until Done is closed. Then it wraps ErrSessionClosed and, when
// the session did not end by Close or Leave, the cause: a *wamp.Error with
// the reason of the router's GOODBYE or ABORT, or the transport's error.
func (s *Session) Err() error {
	select {
	case <-s.done:
	default:
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// CloseReason is the reason URI of the GOODBYE or ABORT that ended the
// session: the router's when it closed the session, ours when Leave did. It
// is "" while the session runs and when the connection dropped or Close ended
// it.
func (s *Session) CloseReason() wamp.URI {
	select {
	case <-s.done:
	default:
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reason
}

// endErr is the error of requests that fail because the session ended.
func (s *Session) endErr() error {
	<-s.done
	return s.Err()
}

// end ends the session once: it records why, fails pending requests (their
// waiters watch done), cancels handler contexts, stops subscription queues
// and closes the peer, which stops the reader.
func (s *Session) end(cause error, reason wamp.URI) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended = true
	s.err = ErrSessionClosed
	if cause != nil {
		s.err = fmt.Errorf("%w: %w", ErrSessionClosed, cause)
	}
	s.reason = reason
	subs := s.subs
	s.subs = nil
	s.mu.Unlock()

	s.cancel()
	for _, list := range subs {
		for _, sub := range list {
			sub.stop()
		}
	}
	close(s.done)
	s.peer.Close()
}

// Close ends the session without the GOODBYE handshake (see Leave) and closes
// the connection. It waits for the reader goroutine, not for running
// handlers, whose contexts are canceled. It is safe to call more than once.
func (s *Session) Close() error {
	s.end(nil, "")
	<-s.readerDone
	return nil
}

// Leave closes the session politely: it sends GOODBYE wamp.close.normal,
// waits for the router's GOODBYE (wamp.close.goodbye_and_out) or ctx, then
// closes the connection. New requests fail once GOODBYE is sent; pending ones
// fail when the session ends. Leave returns nil when the router answered.
func (s *Session) Leave(ctx context.Context) error {
	s.mu.Lock()
	first := !s.leaving && !s.ended
	s.leaving = true
	s.mu.Unlock()
	if first {
		if err := s.send(&wamp.Goodbye{Details: wamp.Dict{}, Reason: wamp.CloseNormal}); err != nil {
			s.end(err, "")
		}
	}
	var err error
	select {
	case <-s.done:
		if cerr := s.Err(); cerr != ErrSessionClosed {
			err = cerr
		}
	case <-ctx.Done():
		err = fmt.Errorf("client: leave: %w", ctx.Err())
	}
	s.Close()
	return err
}

// send encodes m for the peer's codec (outside the lock, so concurrent
// senders encode in parallel) and writes it. A failed write closes the peer:
// the reader then ends the session.
func (s *Session) send(m wamp.Message) error {
	out := transport.Outgoing{Msg: m}
	if s.enc != nil {
		f, err := s.enc.Encode(nil, m)
		if err != nil {
			return fmt.Errorf("client: encode %v: %w", m.Type(), err)
		}
		out = transport.Outgoing{Frame: f}
	}
	s.wmu.Lock()
	err := s.peer.Send([]transport.Outgoing{out})
	s.wmu.Unlock()
	if err != nil {
		s.peer.Close()
		return fmt.Errorf("client: send %v: %w", m.Type(), err)
	}
	return nil
}
