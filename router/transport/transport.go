// Package transport defines Peer, the one small interface every WAMP
// transport (WebSocket, RawSocket, long-poll, in-memory) offers to a session.
// Transports only frame: queueing, keepalive policy, handshake timeouts and
// close reasons live once, in the session.
package transport

import (
	"errors"

	"github.com/edgebar/edgebar/router/codec"
	"github.com/edgebar/edgebar/router/wamp"
)

// Peer is one connection as a stream of WAMP messages.
//
// Recv is called by one goroutine (the reader) and Send, Ping by one other
// (the writer); Close, Activity, Codec and Info may be called from anywhere.
type Peer interface {
	// Recv blocks for the next message. It returns io.EOF when the remote
	// side closed cleanly, a *ProtocolError for a frame that is malformed or
	// too large, and any other error for a failed connection.
	Recv() (wamp.Message, error)
	// Send writes the items in order and flushes once: batching is the
	// transport's job, so one syscall can carry many messages.
	Send(out []Outgoing) error
	// Ping sends a keepalive probe (WebSocket ping, RawSocket PING). The
	// answer, like every inbound frame, shows up in Activity.
	Ping() error
	// Activity counts inbound frames, pongs included. The session's
	// keepalive compares it between ticks.
	Activity() uint64
	// Close closes the connection and unblocks Recv and Send. It is safe to
	// call more than once and from any goroutine.
	Close() error
	// Codec is the serializer of the connection's frames, nil for in-memory
	// peers that pass messages without encoding them.
	Codec() codec.Codec
	Info() Info
}

// Outgoing is one message on its way out. For a peer with a codec, Frame is
// the message encoded with that codec (possibly shared with other peers; it
// is never modified). For a peer without a codec, Msg is handed over as it is.
type Outgoing struct {
	Frame []byte
	Msg   wamp.Message
}

// Info describes a connection for logs and the meta API.
type Info struct {
	Transport  string // "websocket", "rawsocket", "local", ...
	Serializer string // codec name, or "" for in-memory peers
	RemoteAddr string
	LocalAddr  string
}

// ProtocolError is a frame the transport could not turn into a message:
// undecodable, wrong arity or types, unknown type, or over the size limit.
// The session answers it with ABORT wamp.error.protocol_violation.
type ProtocolError struct {
	Err error
}

func (e *ProtocolError) Error() string { return "transport: protocol error: " + e.Err.Error() }
func (e *ProtocolError) Unwrap() error { return e.Err }

// ErrTooLarge is wrapped by a ProtocolError for a frame over the size limit.
var ErrTooLarge = errors.New("frame exceeds the size limit")

// ErrClosed is returned by a peer that was closed locally.
var ErrClosed = errors.New("transport: closed")

// DefaultMaxMessageSize is the frame size limit when none is configured.
const DefaultMaxMessageSize = 16 << 20
