// Package router is the edgebar WAMP router as a library: realms with their
// broker and dealer, sessions over any transport.Peer, and the accept side of
// the WebSocket and RawSocket transports. It knows nothing of the node,
// hardware or OTA: those are WAMP components that join through Local or a
// socket like any client.
package router

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/edgebar/edgebar/router/internal/broker"
	"github.com/edgebar/edgebar/router/internal/match"
	"github.com/edgebar/edgebar/router/internal/realm"
	"github.com/edgebar/edgebar/router/internal/session"
	"github.com/edgebar/edgebar/router/transport"
	"github.com/edgebar/edgebar/router/transport/local"
	"github.com/edgebar/edgebar/router/wamp"
)

// Config is the router's configuration: plain data, defaults on the fields.
type Config struct {
	Realms  []RealmConfig
	Session SessionConfig
}

// RealmConfig is one realm.
type RealmConfig struct {
	Name wamp.URI
	// StrictURIs checks URIs with the spec's strict rule; default loose.
	StrictURIs bool
	// RetainedBytes bounds the memory of the realm's retained events
	// (payload plus 256 bytes per event); 0: 4 MiB.
	RetainedBytes int
	// History lists the topics whose events the realm keeps for
	// wamp.subscription.get_events (WAMP §"Event History"); none by default.
	History []HistoryConfig
}

// HistoryConfig is one topic or pattern with event history. The realm
// creates its subscription at start, so the subscription id exists (and
// events are kept) before anyone subscribes.
type HistoryConfig struct {
	Topic wamp.URI
	// Match is "exact" (or ""), "prefix" or "wildcard", as SUBSCRIBE's.
	Match string
	// Limit is the number of events kept; 0: 100.
	Limit int
	// MaxBytes bounds the memory of the kept events (payload plus 256
	// bytes per event); the oldest go first. 0: 1 MiB.
	MaxBytes int
}

// SessionConfig bounds every session.
type SessionConfig struct {
	MaxMessageSize    int           // largest frame accepted; 0: 16 MiB (applied by the transports)
	OutQueueBytes     int           // outbound bytes before EVENTs are dropped; 0: 8 MiB
	OutQueueMessages  int           // outbound messages before EVENTs are dropped; 0: 8192
	MaxPendingCalls   int           // calls in flight per caller session; 0: 65536
	HelloTimeout      time.Duration // connect to HELLO; 0: 10 s
	KeepaliveInterval time.Duration // idle time before a ping; 0: 30 s, < 0: off
	KeepaliveTimeout  time.Duration // answer time after a ping; 0: 10 s
}

// Option is a code hook for New; configuration that is data goes in Config.
type Option func(*Router)

// WithLogger sets the logger (default: slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(r *Router) { r.log = l } }

// Router routes WAMP messages between sessions.
type Router struct {
	cfg    Config
	log    *slog.Logger
	realms map[wamp.URI]*realm.Realm // read-only after New
	wakes  *session.Coalescer        // batches writer wake-ups of all sessions

	mu        sync.Mutex // guards the fields below
	sessions  map[wamp.ID]*session.Session
	listeners map[net.Listener]struct{}
	closing   bool
	wg        sync.WaitGroup // one per session and per accept loop
}

// New checks cfg and returns a router ready to attach sessions.
func New(cfg Config, opts ...Option) (*Router, error) {
	r := &Router{
		cfg:       cfg,
		log:       slog.Default(),
		realms:    make(map[wamp.URI]*realm.Realm),
		sessions:  make(map[wamp.ID]*session.Session),
		listeners: make(map[net.Listener]struct{}),
		wakes:     session.NewCoalescer(),
	}
	for _, o := range opts {
		o(r)
	}
	for i, rc := range cfg.Realms {
		if !wamp.ValidURI(rc.Name, rc.StrictURIs) {
			return nil, fmt.Errorf("router: realms[%d].name: invalid URI %q", i, rc.Name)
		}
		if r.realms[rc.Name] != nil {
			return nil, fmt.Errorf("router: realms[%d].name: duplicate realm %q", i, rc.Name)
		}
		bc, err := brokerConfig(i, rc)
		if err != nil {
			return nil, err
		}
		r.realms[rc.Name] = realm.New(realm.Config{
			Name: rc.Name, StrictURIs: rc.StrictURIs, MaxPendingCalls: cfg.Session.MaxPendingCalls, Broker: bc,
		}, r.log)
	}
	return r, nil
}

// brokerConfig checks realm i's retention and history settings.
func brokerConfig(i int, rc RealmConfig) (broker.Config, error) {
	bc := broker.Config{RetainedBytes: rc.RetainedBytes}
	seen := map[string]int{}
	for j, h := range rc.History {
		path := fmt.Sprintf("router: realms[%d].history[%d]", i, j)
		p, ok := match.ParsePolicy(h.Match)
		if !ok {
			return bc, fmt.Errorf("%s.match: %q is not exact, prefix or wildcard", path, h.Match)
		}
		opts := wamp.Dict{"match": p.String()}
		if uri, why := broker.CheckTopic(h.Topic, opts, rc.StrictURIs); uri != "" {
			return bc, fmt.Errorf("%s.topic: %s", path, why)
		}
		key := p.String() + " " + string(h.Topic)
		if k, dup := seen[key]; dup {
			return bc, fmt.Errorf("%s.topic: %s %q is history[%d] already", path, p, h.Topic, k)
		}
		seen[key] = j
		if h.Limit < 0 || h.MaxBytes < 0 {
			return bc, fmt.Errorf("%s: limit and max_bytes must not be negative", path)
		}
		bc.History = append(bc.History, broker.HistoryConfig{Topic: h.Topic, Match: p, Limit: h.Limit, MaxBytes: h.MaxBytes})
	}
	return bc, nil
}

func (r *Router) limits() session.Limits {
	c := r.cfg.Session
	return session.Limits{
		QueueBytes: c.OutQueueBytes, QueueMessages: c.OutQueueMessages, HelloTimeout: c.HelloTimeout,
		KeepaliveInterval: c.KeepaliveInterval, KeepaliveTimeout: c.KeepaliveTimeout,
	}
}

// ErrShutdown is returned by the serve functions after Shutdown.
var ErrShutdown = errors.New("router: shut down")

// Attach runs a session on p in its own goroutines and returns at once. After
// Shutdown the peer is closed instead.
func (r *Router) Attach(p transport.Peer) {
	r.mu.Lock()
	if r.closing {
		r.mu.Unlock()
		p.Close()
		return
	}
	id := wamp.GlobalID()
	for r.sessions[id] != nil {
		id = wamp.GlobalID()
	}
	s := session.New(id, p, r.limits(), r.log, r.wakes)
	r.sessions[id] = s
	r.wg.Add(1)
	r.mu.Unlock()
	go r.run(s)
}

// run owns one session from attach to its end; a panic anywhere in routing
// for this session ends only this session.
func (r *Router) run(s *session.Session) {
	defer r.wg.Done()
	defer func() {
		r.mu.Lock()
		delete(r.sessions, s.ID())
		r.mu.Unlock()
	}()
	defer func() {
		if v := recover(); v != nil {
			r.log.Error("router: session panicked", "session", s.ID(), "panic", v)
			s.Kill(session.ReasonKilled)
		}
	}()
	s.Run(r)
	id := s.Identity()
	info := s.Info()
	if id.Realm == "" {
		r.log.Debug("connection closed before join", "session", s.ID(), "reason", s.Reason(),
			"transport", info.Transport, "remote", info.RemoteAddr)
		return
	}
	r.log.Info("session closed", "session", s.ID(), "realm", string(id.Realm), "authid", id.AuthID,
		"reason", s.Reason(), "dropped_events", s.Dropped())
}

// Join implements session.Joiner: anonymous authentication to a configured
// realm (authentication methods come with the auth issue).
func (r *Router) Join(s *session.Session, h *wamp.Hello) (session.Realm, wamp.Dict, error) {
	rl := r.realms[h.Realm]
	if rl == nil {
		return nil, nil, wamp.NewError(wamp.ErrNoSuchRealm, fmt.Sprintf("no realm %q on this router", h.Realm))
	}
	roles, _ := h.Details["roles"].(wamp.Dict)
	if len(roles) == 0 {
		return nil, nil, wamp.NewError(wamp.ErrProtocolViolation, "HELLO.Details.roles must announce at least one role")
	}
	if methods, ok := h.Details["authmethods"].(wamp.List); ok && len(methods) > 0 && !containsString(methods, "anonymous") {
		return nil, nil, wamp.NewError(wamp.ErrNoAuthMethod, "this router offers anonymous authentication only")
	}
	authid := wamp.OptString(h.Details, "authid")
	if authid == "" {
		authid = randomAuthID()
	}
	s.SetIdentity(session.Identity{
		Realm: h.Realm, AuthID: authid, AuthRole: "anonymous", AuthMethod: "anonymous", AuthProvider: "static",
		Roles: roles,
	})
	rl.Add(s)
	info := s.Info()
	r.log.Info("session open", "session", s.ID(), "realm", string(h.Realm), "authid", authid,
		"transport", info.Transport, "serializer", info.Serializer, "remote", info.RemoteAddr)
	return rl, wamp.Dict{
		"realm":        string(h.Realm),
		"authid":       authid,
		"authrole":     "anonymous",
		"authmethod":   "anonymous",
		"authprovider": "static",
		"roles":        rl.Roles(),
	}, nil
}

func containsString(l wamp.List, s string) bool {
	for _, v := range l {
		if v == s {
			return true
		}
	}
	return false
}

// randomAuthID returns an anonymous authid like Crossbar's, e.g. "QX4T-7M2K-VR9C".
func randomAuthID() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	var b [12]byte
	rand.Read(b[:])
	out := make([]byte, 0, 14)
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			out = append(out, '-')
		}
		out = append(out, alphabet[int(c)%len(alphabet)])
	}
	return string(out)
}

// Local returns the client end of an in-memory session: an in-process
// component joins through it like any client, with HELLO and WELCOME.
func (r *Router) Local() transport.Peer {
	a, b := local.Pair()
	r.Attach(a)
	return b
}

// Shutdown stops accepting, ends every session with GOODBYE
// wamp.close.system_shutdown, and waits for them until ctx is done; then it
// closes whatever is left.
func (r *Router) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	r.closing = true
	for ln := range r.listeners {
		ln.Close()
	}
	sessions := make([]*session.Session, 0, len(r.sessions))
	for _, s := range r.sessions {
		sessions = append(sessions, s)
	}
	r.mu.Unlock()
	for _, s := range sessions {
		if s.Identity().Realm == "" {
			s.Kill(session.ReasonShutdown)
		} else {
			s.Goodbye(wamp.CloseSystemShutdown, "the router is shutting down")
		}
	}
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		r.mu.Lock()
		for _, s := range r.sessions {
			s.Kill(session.ReasonShutdown)
		}
		r.mu.Unlock()
		<-done
		return ctx.Err()
	}
}

// SessionCount returns the number of live connections (joined or not).
func (r *Router) SessionCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sessions)
}
