// Package websocket is the WAMP-over-WebSocket transport (WAMP §"WebSocket
// Transport") on github.com/gorilla/websocket: the serializer is the
// negotiated subprotocol (wamp.2.json in text messages, wamp.2.msgpack and
// wamp.2.cbor in binary ones), one WAMP message per WebSocket message. The
// batched variants (wamp.2.json.batched, wamp.2.msgpack.batched, WAMP
// §"Message Batching") carry a whole Send batch in one WebSocket message:
// JSON messages each followed by 0x1E, binary ones each preceded by a 32-bit
// big-endian length (also accepted as wamp.2.cbor.batched, which the spec
// does not name).
//
// Upgrade is the router side of one HTTP request, Dial the client side. Both
// yield a transport.Peer whose Send writes a batch with one flush.
package websocket

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/edgebar/edgebar/router/codec"
	"github.com/edgebar/edgebar/router/transport"
)

// DefaultHandshakeTimeout bounds Dial's opening handshake when the context
// has no deadline.
const DefaultHandshakeTimeout = 10 * time.Second

// batchedSuffix turns a subprotocol into its batched variant.
const batchedSuffix = ".batched"

// Config is the router side of the transport.
type Config struct {
	// Codecs are the serializers offered; nil means all of codec.All().
	Codecs []codec.Codec
	// MaxMessageSize is the largest WebSocket message accepted; 0 means
	// transport.DefaultMaxMessageSize. A larger message fails the connection
	// with close code 1009 and Recv returns a *transport.ProtocolError
	// wrapping transport.ErrTooLarge.
	MaxMessageSize int
	// CheckOrigin decides whether to accept a request's Origin. nil accepts
	// every origin: the router serves browser dashboards hosted elsewhere,
	// and WAMP authenticates sessions itself (restrict it when cookies
	// authenticate, to stop cross-site WebSocket hijacking).
	CheckOrigin func(r *http.Request) bool
}

func allowAll(*http.Request) bool { return true }

// Upgrade upgrades an HTTP request to a WAMP WebSocket connection. The
// subprotocol is the first one in the client's order that names one of
// cfg.Codecs (or its batched variant). A client that offers none gets HTTP
// 400 with a body that says so, and Upgrade returns an error; on every other
// failure gorilla has already answered the request.
func Upgrade(w http.ResponseWriter, r *http.Request, cfg Config) (transport.Peer, error) {
	cs := cfg.Codecs
	if cs == nil {
		cs = codec.All()
	}
	var hdr http.Header
	var c codec.Codec
	var batched bool
	if websocket.IsWebSocketUpgrade(r) {
		offered := websocket.Subprotocols(r)
		var proto string
		c, proto, batched = negotiate(offered, cs)
		if c == nil {
			err := noSubprotocolError(offered, cs)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return nil, err
		}
		hdr = http.Header{"Sec-Websocket-Protocol": {proto}}
	} // else gorilla refuses the request with its own 400

	checkOrigin := cfg.CheckOrigin
	if checkOrigin == nil {
		checkOrigin = allowAll
	}
	// Write buffers come from a pool for the length of one message, so an
	// idle connection holds none (memory per idle session matters on boards).
	u := websocket.Upgrader{CheckOrigin: checkOrigin, WriteBufferPool: &gorillaWriteBuffers}
	hw := &hijackWriter{ResponseWriter: w}
	ws, err := u.Upgrade(hw, r, hdr)
	if err != nil {
		return nil, fmt.Errorf("websocket: upgrade: %w", err)
	}
	if c == nil { // unreachable: gorilla refuses what IsWebSocketUpgrade does
		ws.Close()
		return nil, errors.New("websocket: upgrade: no subprotocol negotiated")
	}
	p := newPeer(ws, hw.conn, c, batched, cfg.MaxMessageSize)
	p.br = hw.br
	return p, nil
}

var gorillaWriteBuffers sync.Pool

// negotiate picks the first offered subprotocol that names one of cs.
func negotiate(offered []string, cs []codec.Codec) (c codec.Codec, proto string, batched bool) {
	for _, p := range offered {
		base, isBatched := strings.CutSuffix(p, batchedSuffix)
		for _, c := range cs {
			if c.Subprotocol() == base {
				return c, p, isBatched
			}
		}
	}
	return nil, "", false
}

func noSubprotocolError(offered []string, cs []codec.Codec) error {
	var supported []string
	for _, c := range cs {
		supported = append(supported, c.Subprotocol(), c.Subprotocol()+batchedSuffix)
	}
	if len(offered) == 0 {
		return fmt.Errorf("websocket: no WAMP subprotocol offered (Sec-WebSocket-Protocol); supported: %s", strings.Join(supported, ", "))
	}
	return fmt.Errorf("websocket: none of the offered subprotocols %s is supported; supported: %s",
		strings.Join(offered, ", "), strings.Join(supported, ", "))
}

// frameBufferSize is the read buffer gorilla parses frames in, kept for the
// life of the connection: large enough for a control frame (125 bytes and
// header) and over the 256 bytes under which gorilla would allocate its own
// 4 KiB buffer. The data behind it is read through a transport.LazyReader,
// whose 4 KiB buffer an idle connection does not hold.
const frameBufferSize = 512

// hijackWriter hands gorilla the hijacked connection wrapped in a corkConn
// and a small read buffer of ours, which the peer looks into (Buffered).
type hijackWriter struct {
	http.ResponseWriter
	conn *corkConn
	br   *bufio.Reader
}

func (w *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.conn = &corkConn{Conn: nc}
	if brw.Reader.Buffered() > 0 {
		return w.conn, brw, nil // gorilla refuses data sent before the handshake completed
	}
	w.conn.rd = transport.NewLazyReader(nc)
	w.br = bufio.NewReaderSize(w.conn, frameBufferSize)
	return w.conn, bufio.NewReadWriter(w.br, brw.Writer), nil
}

func (w *hijackWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Dial connects to a WAMP router's WebSocket endpoint (ws:// or wss://),
// offers codec c's subprotocol and accepts messages up to maxMessageSize
// (0: transport.DefaultMaxMessageSize). The context bounds the connection
// and the opening handshake. A refused handshake is reported with the HTTP
// status and the start of the response body.
func Dial(ctx context.Context, url string, c codec.Codec, maxMessageSize int) (transport.Peer, error) {
	var cc *corkConn
	d := websocket.Dialer{
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			var nd net.Dialer
			nc, err := nd.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			cc = &corkConn{Conn: nc}
			return cc, nil
		},
		HandshakeTimeout: DefaultHandshakeTimeout,
		Subprotocols:     []string{c.Subprotocol()},
	}
	ws, resp, err := d.DialContext(ctx, url, nil)
	if err != nil {
		if resp != nil && errors.Is(err, websocket.ErrBadHandshake) {
			var body [512]byte
			n, _ := resp.Body.Read(body[:])
			return nil, fmt.Errorf("websocket: dial %s: %w: %s: %s", url, err, resp.Status, strings.TrimSpace(string(body[:n])))
		}
		return nil, fmt.Errorf("websocket: dial %s: %w", url, err)
	}
	if got := ws.Subprotocol(); got != c.Subprotocol() {
		ws.Close()
		return nil, fmt.Errorf("websocket: dial %s: router chose subprotocol %q, asked for %q", url, got, c.Subprotocol())
	}
	return newPeer(ws, cc, c, false, maxMessageSize), nil
}
