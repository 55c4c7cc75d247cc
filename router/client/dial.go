package client

import (
	"context"
	"fmt"
	"net/url"

	"github.com/edgebar/edgebar/router/codec"
	"github.com/edgebar/edgebar/router/transport"
	"github.com/edgebar/edgebar/router/transport/rawsocket"
	"github.com/edgebar/edgebar/router/transport/websocket"
	"github.com/edgebar/edgebar/router/wamp"
)

// DialConfig is the transport side of Dial.
type DialConfig struct {
	// Serializer is "json", "msgpack" or "cbor"; "" means json.
	Serializer string
	// MaxMessageSize is the largest message accepted from the router; 0
	// means transport.DefaultMaxMessageSize.
	MaxMessageSize int
}

// Dial connects to a router and joins realm. rawurl is one of
//
//	ws://host:port/path, wss://host:port/path   WebSocket
//	tcp://host:port, rs://host:port             RawSocket over TCP
//	unix:///path/to/socket                      RawSocket over a Unix socket
//
// ctx bounds connecting and joining.
func Dial(ctx context.Context, rawurl string, realm wamp.URI, cfg DialConfig, opts ...Option) (*Session, error) {
	peer, err := dialPeer(ctx, rawurl, cfg)
	if err != nil {
		return nil, err
	}
	return Join(ctx, peer, realm, opts...)
}

func dialPeer(ctx context.Context, rawurl string, cfg DialConfig) (transport.Peer, error) {
	name := cfg.Serializer
	if name == "" {
		name = "json"
	}
	c, ok := codec.ByName(name)
	if !ok {
		return nil, fmt.Errorf("client: unknown serializer %q", name)
	}
	max := cfg.MaxMessageSize
	if max <= 0 {
		max = transport.DefaultMaxMessageSize
	}
	u, err := url.Parse(rawurl)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	var peer transport.Peer
	switch u.Scheme {
	case "ws", "wss":
		peer, err = websocket.Dial(ctx, rawurl, c, max)
	case "tcp", "rs":
		if u.Host == "" {
			return nil, fmt.Errorf("client: %q has no host:port", rawurl)
		}
		peer, err = rawsocket.Dial(ctx, "tcp", u.Host, c, max)
	case "unix":
		if u.Path == "" {
			return nil, fmt.Errorf("client: %q has no path", rawurl)
		}
		peer, err = rawsocket.Dial(ctx, "unix", u.Path, c, max)
	default:
		return nil, fmt.Errorf("client: unsupported URL scheme %q (want ws, wss, tcp, rs or unix)", u.Scheme)
	}
	if err != nil {
		return nil, fmt.Errorf("client: dial %s: %w", rawurl, err)
	}
	return peer, nil
}
