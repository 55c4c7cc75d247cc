// Package realm is one WAMP realm: its sessions, a broker and a dealer. It
// checks each message a session sends (URIs, message direction) and hands it
// to the broker or dealer on the session's reader goroutine. It also serves
// the meta API (meta.go): the wamp.session, wamp.registration and
// wamp.subscription procedures, the session meta events and testaments.
package realm

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/edgebar/edgebar/router/internal/broker"
	"github.com/edgebar/edgebar/router/internal/dealer"
	"github.com/edgebar/edgebar/router/internal/session"
	"github.com/edgebar/edgebar/router/wamp"
)

// Config is one realm's settings.
type Config struct {
	Name wamp.URI
	// StrictURIs checks URIs with the spec's strict rule (lowercase letters,
	// digits, underscore) instead of the loose one.
	StrictURIs bool
	// MaxPendingCalls bounds the calls in flight per caller session.
	MaxPendingCalls int
	// Broker bounds the realm's broker (retained events).
	Broker broker.Config
}

// Realm routes the messages of the sessions joined to it.
type Realm struct {
	cfg    Config
	log    *slog.Logger
	broker *broker.Broker
	dealer *dealer.Dealer

	mu       sync.RWMutex // guards sessions
	sessions map[wamp.ID]*session.Session

	tmu        sync.Mutex // guards testaments
	testaments map[wamp.ID]*testaments
}

// New returns an empty realm.
func New(cfg Config, log *slog.Logger) *Realm {
	if cfg.MaxPendingCalls <= 0 {
		cfg.MaxPendingCalls = 65536
	}
	log = log.With("realm", string(cfg.Name))
	r := &Realm{
		cfg:        cfg,
		log:        log,
		broker:     broker.New(log, cfg.Broker),
		dealer:     dealer.New(log, cfg.MaxPendingCalls),
		sessions:   make(map[wamp.ID]*session.Session),
		testaments: make(map[wamp.ID]*testaments),
	}
	r.dealer.SetMeta(r.broker) // registration meta events
	return r
}

// Name is the realm's URI.
func (r *Realm) Name() wamp.URI { return r.cfg.Name }

// Roles are the router roles and features announced in WELCOME.
func (r *Realm) Roles() wamp.Dict {
	b, d := broker.Features(), dealer.Features()
	r.metaFeatures(b, d)
	return wamp.Dict{
		"broker": wamp.Dict{"features": b},
		"dealer": wamp.Dict{"features": d},
	}
}

// Add makes a joined session known to the realm.
func (r *Realm) Add(s *session.Session) {
	r.mu.Lock()
	r.sessions[s.ID()] = s
	r.mu.Unlock()
	id := s.Identity()
	r.dealer.Join(s, dealer.PeerInfo{AuthID: id.AuthID, AuthRole: id.AuthRole, Roles: id.Roles})
	r.metaJoined(s)
}

// Sessions returns a snapshot of the realm's sessions.
func (r *Realm) Sessions() []*session.Session {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*session.Session, 0, len(r.sessions))
	for _, s := range r.sessions {
		out = append(out, s)
	}
	return out
}

// Leave implements session.Realm.
func (r *Realm) Leave(s *session.Session) {
	r.mu.Lock()
	delete(r.sessions, s.ID())
	r.mu.Unlock()
	r.broker.Leave(s)
	r.dealer.Leave(s)
	r.metaLeft(s) // testaments, then on_leave
}

// Handle implements session.Realm.
func (r *Realm) Handle(s *session.Session, m wamp.Message) error {
	switch m := m.(type) {
	case *wamp.Publish:
		if ok, why := r.checkURI(m.Topic, true); !ok {
			// WAMP §"Publishing": errors are sent only to a publisher
			// that asked for an acknowledgement.
			if wamp.OptBool(m.Options, "acknowledge", false) {
				s.Send(requestError(wamp.PUBLISH, m.Request, wamp.ErrInvalidURI, why))
			}
			return nil
		}
		if err := r.broker.Publish(s, m); err != nil {
			return fmt.Errorf("%w: %w", session.ErrProtocol, err)
		}
	case *wamp.Subscribe:
		// The match policy decides which topics are valid (WAMP
		// §"Pattern-based Subscriptions").
		if uri, why := broker.CheckTopic(m.Topic, m.Options, r.cfg.StrictURIs); uri != "" {
			s.Send(requestError(wamp.SUBSCRIBE, m.Request, uri, why))
		} else {
			r.broker.Subscribe(s, m)
		}
	case *wamp.Unsubscribe:
		r.broker.Unsubscribe(s, m)
	case *wamp.Call:
		if ok, why := r.checkURI(m.Procedure, false); !ok {
			s.Send(requestError(wamp.CALL, m.Request, wamp.ErrInvalidURI, why))
			return nil
		}
		if isMeta(m.Procedure) {
			r.metaCall(s, m) // the reserved namespace is the router's
			return nil
		}
		if err := r.dealer.Call(s, m); err != nil {
			return fmt.Errorf("%w: %w", session.ErrProtocol, err)
		}
	case *wamp.Register:
		// The match policy decides which procedure URIs are valid (WAMP
		// §"Pattern-based Registrations").
		if uri, why := dealer.CheckProcedure(m.Procedure, m.Options, r.cfg.StrictURIs); uri != "" {
			s.Send(requestError(wamp.REGISTER, m.Request, uri, why))
		} else {
			r.dealer.Register(s, m)
		}
	case *wamp.Unregister:
		r.dealer.Unregister(s, m)
	case *wamp.Yield:
		if err := r.dealer.Yield(s, m); err != nil {
			return fmt.Errorf("%w: %w", session.ErrProtocol, err)
		}
	case *wamp.ErrorMessage:
		if m.RequestType != wamp.INVOCATION {
			return fmt.Errorf("%w: ERROR for %s: only INVOCATION can be answered with ERROR", session.ErrProtocol, m.RequestType)
		}
		if err := r.dealer.InvocationError(s, m); err != nil {
			return fmt.Errorf("%w: %w", session.ErrProtocol, err)
		}
	case *wamp.Cancel:
		if err := r.dealer.Cancel(s, m); err != nil {
			return fmt.Errorf("%w: %w", session.ErrProtocol, err)
		}
	default:
		// WELCOME, CHALLENGE, EVENT, RESULT, INVOCATION, ... only travel
		// from router to client; AUTHENTICATE only before WELCOME.
		return fmt.Errorf("%w: %s is not sent to a router", session.ErrProtocol, m.Type())
	}
	return nil
}

// checkURI applies the realm's URI rule. Application messages may not use
// the reserved "wamp." namespace to register or publish (WAMP §"Reserved URIs").
func (r *Realm) checkURI(u wamp.URI, reservedForbidden bool) (bool, string) {
	if !wamp.ValidURI(u, r.cfg.StrictURIs) {
		return false, fmt.Sprintf("invalid URI %q", string(u))
	}
	if reservedForbidden && strings.HasPrefix(string(u), "wamp.") {
		return false, fmt.Sprintf("URI %q is in the reserved wamp namespace", string(u))
	}
	return true, ""
}

func requestError(t wamp.MessageType, req wamp.ID, uri wamp.URI, message string) *wamp.ErrorMessage {
	return &wamp.ErrorMessage{RequestType: t, Request: req, Error: uri, Payload: wamp.Payload{Args: wamp.List{message}}}
}
