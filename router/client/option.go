package client

import (
	"context"
	"log/slog"

	"github.com/edgebar/edgebar/router/wamp"
)

// DefaultEventQueue is the number of events a Subscription buffers for its
// handler before it drops the oldest (see WithEventQueue).
const DefaultEventQueue = 4096

// AuthFunc answers a CHALLENGE with the signature and extra of an
// AUTHENTICATE message. It runs during Join, with Join's context.
type AuthFunc func(ctx context.Context, c *wamp.Challenge) (signature string, extra wamp.Dict, err error)

// Option configures Join (and Dial).
type Option func(*config)

type config struct {
	authID      string
	authRole    string
	authMethods []string
	authExtra   wamp.Dict
	respond     AuthFunc
	log         *slog.Logger
	eventQueue  int
}

func newConfig(opts []Option) config {
	c := config{eventQueue: DefaultEventQueue}
	for _, o := range opts {
		o(&c)
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c
}

// WithAuthID sets HELLO.Details.authid, the identity the client claims.
func WithAuthID(id string) Option { return func(c *config) { c.authID = id } }

// WithAuthRole sets HELLO.Details.authrole, the role the client asks for; the
// router decides the role it gets.
func WithAuthRole(role string) Option { return func(c *config) { c.authRole = role } }

// WithAuthExtra sets HELLO.Details.authextra (e.g. a cryptosign pubkey).
func WithAuthExtra(extra wamp.Dict) Option { return func(c *config) { c.authExtra = extra } }

// WithAuth announces authmethods and authid in HELLO and answers a CHALLENGE
// with respond. Without it a CHALLENGE fails Join.
func WithAuth(methods []string, authid string, respond AuthFunc) Option {
	return func(c *config) {
		c.authMethods = methods
		c.authID = authid
		c.respond = respond
	}
}

// WithLogger sets the logger for session events (protocol oddities, dropped
// events, handler panics). The default discards.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// WithEventQueue bounds each Subscription's event queue to n events; when a
// handler falls that far behind, the oldest queued event is dropped and
// counted in (*Subscription).Dropped. n <= 0 makes the queues unbounded.
func WithEventQueue(n int) Option { return func(c *config) { c.eventQueue = n } }
