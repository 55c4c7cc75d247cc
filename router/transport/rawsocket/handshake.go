// Package rawsocket is the WAMP-over-RawSocket transport (WAMP §"RawSocket
// Transport"): a 4-octet handshake that picks the serializer and each side's
// maximum message length, then frames of a 4-octet header (frame type and
// 24-bit length) and a payload. It runs over any reliable stream: TCP, TLS,
// Unix sockets.
//
// Accept is the router side of one connection, Dial the client side. Both
// yield a transport.Peer that reads through a lazily held buffer and writes each
// Send batch with a single flush.
package rawsocket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/edgebar/edgebar/router/codec"
	"github.com/edgebar/edgebar/router/transport"
)

// magic is the first octet of every handshake request and reply; no HTTP
// request starts with it.
const magic = 0x7F

// DefaultHandshakeTimeout bounds the handshake when Config.HandshakeTimeout
// is zero.
const DefaultHandshakeTimeout = 10 * time.Second

// Config is the router side of the transport.
type Config struct {
	// Codecs are the serializers offered; nil means all of codec.All().
	Codecs []codec.Codec
	// MaxMessageSize is the largest message accepted from the client; 0
	// means transport.DefaultMaxMessageSize (16 MiB). The handshake can only
	// announce a power of two in [2^9, 2^24], so the limit announced and
	// enforced is the largest such power not above MaxMessageSize (512 for
	// anything smaller).
	MaxMessageSize int
	// HandshakeTimeout bounds reading the client's handshake and writing the
	// reply; 0 means DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
}

// ErrorCode is a handshake error of WAMP §"RawSocket Transport".
type ErrorCode byte

// Handshake error codes. 0 is illegal and 5-15 are reserved.
const (
	CodeSerializerUnsupported ErrorCode = 1
	CodeMaxLengthUnacceptable ErrorCode = 2
	CodeReservedBits          ErrorCode = 3
	CodeMaxConnections        ErrorCode = 4
)

func (c ErrorCode) String() string {
	switch c {
	case CodeSerializerUnsupported:
		return "serializer unsupported"
	case CodeMaxLengthUnacceptable:
		return "maximum message length unacceptable"
	case CodeReservedBits:
		return "use of reserved bits"
	case CodeMaxConnections:
		return "maximum connection count reached"
	}
	return fmt.Sprintf("error code %d", byte(c))
}

// HandshakeError is a handshake refused by the router, as Dial reports it.
type HandshakeError struct {
	Code       ErrorCode
	Serializer string // the codec Dial asked for
	MaxLength  int    // the maximum message length Dial announced
}

func (e *HandshakeError) Error() string {
	switch e.Code {
	case CodeSerializerUnsupported:
		return "rawsocket: router refused serializer " + e.Serializer
	case CodeMaxLengthUnacceptable:
		return fmt.Sprintf("rawsocket: router refused maximum message length %d", e.MaxLength)
	case CodeReservedBits:
		return "rawsocket: router refused use of reserved bits"
	case CodeMaxConnections:
		return "rawsocket: router refused the connection: maximum connection count reached"
	}
	return fmt.Sprintf("rawsocket: router refused the connection (error code %d)", byte(e.Code))
}

var errBadMagic = errors.New("rawsocket: bad handshake magic")

// maxLength returns the handshake's LENGTH field for a size limit and the
// limit it stands for: the largest 2^(9+n), n in 0..15, not above limit.
func maxLength(limit int) (exp byte, size int) {
	if limit <= 0 {
		limit = transport.DefaultMaxMessageSize
	}
	exp = 15
	for exp > 0 && 1<<(9+int(exp)) > limit {
		exp--
	}
	return exp, 1 << (9 + int(exp))
}

// lengthOf is the size a LENGTH field stands for.
func lengthOf(exp byte) int { return 1 << (9 + int(exp)) }

// Accept runs the router side of the handshake on conn and returns the peer.
// On any failure conn is closed: after an error reply when the request was
// a RawSocket request (codes 1 and 3), silently when the magic octet is wrong.
func Accept(conn net.Conn, cfg Config) (transport.Peer, error) {
	timeout := cfg.HandshakeTimeout
	if timeout <= 0 {
		timeout = DefaultHandshakeTimeout
	}
	conn.SetDeadline(time.Now().Add(timeout))
	// Read the request straight from conn, not through a buffer: whatever
	// the client sends after it stays in the socket for the frame reader.
	var req [4]byte
	if _, err := io.ReadFull(conn, req[:]); err != nil {
		conn.Close()
		return nil, fmt.Errorf("rawsocket: reading handshake: %w", err)
	}
	if req[0] != magic {
		conn.Close()
		return nil, fmt.Errorf("%w 0x%02x", errBadMagic, req[0])
	}
	if req[2] != 0 || req[3] != 0 {
		return nil, refuse(conn, CodeReservedBits, fmt.Errorf("rawsocket: reserved handshake octets set: 0x%02x%02x", req[2], req[3]))
	}
	id := req[1] & 0x0F
	c := findCodec(cfg.Codecs, id)
	if c == nil {
		return nil, refuse(conn, CodeSerializerUnsupported, fmt.Errorf("rawsocket: client asked for unsupported serializer id %d", id))
	}
	exp, readMax := maxLength(cfg.MaxMessageSize)
	if _, err := conn.Write([]byte{magic, exp<<4 | id, 0, 0}); err != nil {
		conn.Close()
		return nil, fmt.Errorf("rawsocket: writing handshake reply: %w", err)
	}
	conn.SetDeadline(time.Time{})
	return newPeer(conn, c, readMax, lengthOf(req[1]>>4)), nil
}

// Refuse answers a client's handshake with an error code and closes conn,
// for a router that cannot take the connection (CodeMaxConnections). It
// reads the request first, so the client reads the reply rather than a reset.
func Refuse(conn net.Conn, code ErrorCode, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = DefaultHandshakeTimeout
	}
	conn.SetDeadline(time.Now().Add(timeout))
	var req [4]byte
	if _, err := io.ReadFull(conn, req[:]); err != nil {
		conn.Close()
		return fmt.Errorf("rawsocket: reading handshake: %w", err)
	}
	if req[0] != magic {
		conn.Close()
		return fmt.Errorf("%w 0x%02x", errBadMagic, req[0])
	}
	return refuse(conn, code, nil)
}

// refuse writes an error reply, closes conn and returns cause.
func refuse(conn net.Conn, code ErrorCode, cause error) error {
	_, err := conn.Write([]byte{magic, byte(code) << 4, 0, 0})
	conn.Close()
	if cause == nil && err != nil {
		return fmt.Errorf("rawsocket: writing handshake reply: %w", err)
	}
	return cause
}

func findCodec(cs []codec.Codec, id byte) codec.Codec {
	if cs == nil {
		cs = codec.All()
	}
	if id == 0 {
		return nil // WAMP §"RawSocket Transport": serializer 0 is illegal
	}
	for _, c := range cs {
		if c.RawSocketID() == id {
			return c
		}
	}
	return nil
}

// Dial connects to a RawSocket router at addr ("tcp" or "unix" network),
// asks for codec c and announces maxMessageSize (0: 16 MiB, rounded down to
// a power of two as on Config) as the largest message it accepts. The
// context bounds the connection and the handshake; without a deadline the
// handshake gets DefaultHandshakeTimeout.
func Dial(ctx context.Context, network, addr string, c codec.Codec, maxMessageSize int) (transport.Peer, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, fmt.Errorf("rawsocket: %w", err)
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(DefaultHandshakeTimeout)
	}
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	p, err := clientHandshake(conn, c, maxMessageSize)
	if !stop() && err == nil {
		err = ctx.Err() // canceled just as the handshake finished
	}
	if err != nil {
		conn.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("rawsocket: handshake: %w", ctx.Err())
		}
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	return p, nil
}

func clientHandshake(conn net.Conn, c codec.Codec, maxMessageSize int) (*peer, error) {
	exp, readMax := maxLength(maxMessageSize)
	id := c.RawSocketID()
	if _, err := conn.Write([]byte{magic, exp<<4 | id, 0, 0}); err != nil {
		return nil, fmt.Errorf("rawsocket: writing handshake: %w", err)
	}
	var rep [4]byte
	if _, err := io.ReadFull(conn, rep[:]); err != nil {
		return nil, fmt.Errorf("rawsocket: reading handshake reply: %w", err)
	}
	if rep[0] != magic {
		return nil, fmt.Errorf("%w 0x%02x in reply", errBadMagic, rep[0])
	}
	if rep[1]&0x0F == 0 {
		return nil, &HandshakeError{Code: ErrorCode(rep[1] >> 4), Serializer: c.Name(), MaxLength: readMax}
	}
	if got := rep[1] & 0x0F; got != id {
		return nil, fmt.Errorf("rawsocket: router answered with serializer id %d, asked for %d", got, id)
	}
	if rep[2] != 0 || rep[3] != 0 {
		return nil, fmt.Errorf("rawsocket: reserved octets set in handshake reply: 0x%02x%02x", rep[2], rep[3])
	}
	return newPeer(conn, c, readMax, lengthOf(rep[1]>>4)), nil
}
