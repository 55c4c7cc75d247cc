package websocket

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/edgebar/edgebar/router/codec"
	"github.com/edgebar/edgebar/router/transport"
	"github.com/edgebar/edgebar/router/wamp"
)

const (
	// controlTimeout bounds writing a ping, pong or close frame.
	controlTimeout = 5 * time.Second
	// closeGrace bounds Close's attempt to send a close frame to a peer
	// that does not read.
	closeGrace = time.Second
	// lingerTimeout bounds reading (and discarding) what a peer still sends
	// after we failed the connection for an oversize message, so that our
	// close frame arrives instead of a TCP reset.
	lingerTimeout = 2 * time.Second
	// keepBuffer is the largest read or encode buffer a connection keeps
	// between messages; a bigger one is dropped so that one large message
	// does not pin memory for the life of the connection.
	keepBuffer = 16 << 10
	// recordSeparator ends each message of wamp.2.json.batched.
	recordSeparator = 0x1E
)

// peer is one WebSocket connection after the opening handshake.
type peer struct {
	ws      *websocket.Conn
	cc      *corkConn
	codec   codec.Codec
	msgType int  // websocket.TextMessage or BinaryMessage, by codec
	batched bool // a batched subprotocol: many WAMP messages per WebSocket message
	readMax int
	info    transport.Info

	rbuf    []byte         // owned by the reader: a message is read here, then copied out
	pending []wamp.Message // owned by the reader: rest of a received batch
	// br is the buffered reader gorilla reads the connection through, when
	// it is ours (router side); Buffered peeks into it. Owned by the reader.
	br *bufio.Reader

	enc []byte // owned by the writer: Outgoing.Msg encodings and batches

	activity atomic.Uint64
	closed   atomic.Bool
	once     sync.Once
	closeErr error
}

func newPeer(ws *websocket.Conn, cc *corkConn, c codec.Codec, batched bool, readMax int) *peer {
	if readMax <= 0 {
		readMax = transport.DefaultMaxMessageSize
	}
	p := &peer{
		ws:      ws,
		cc:      cc,
		codec:   c,
		msgType: websocket.TextMessage,
		batched: batched,
		readMax: readMax,
		info: transport.Info{
			Transport:  "websocket",
			Serializer: c.Name(),
			RemoteAddr: addrString(ws.RemoteAddr()),
			LocalAddr:  addrString(ws.LocalAddr()),
		},
	}
	if c.Binary() {
		p.msgType = websocket.BinaryMessage
	}
	ws.SetReadLimit(int64(readMax))
	// Control frames are handled inside NextReader, on the reader goroutine.
	// The pong goes out with WriteControl, which gorilla allows next to the
	// one data writer.
	ws.SetPingHandler(func(data string) error {
		p.activity.Add(1)
		err := ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(controlTimeout))
		var ne net.Error
		if err == nil || errors.Is(err, websocket.ErrCloseSent) || errors.As(err, &ne) && ne.Timeout() {
			return nil // like gorilla's default: a lost pong is the peer's keepalive problem
		}
		return err
	})
	ws.SetPongHandler(func(string) error {
		p.activity.Add(1)
		return nil
	})
	return p
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

func kindName(mt int) string {
	switch mt {
	case websocket.TextMessage:
		return "text"
	case websocket.BinaryMessage:
		return "binary"
	}
	return fmt.Sprintf("type %d", mt)
}

// Recv returns the next WAMP message. A WebSocket message of the wrong kind
// (binary for json, text for msgpack and cbor) or one the codec cannot
// decode is a *transport.ProtocolError; so is an oversize message, after
// which the connection is failed with close code 1009.
func (p *peer) Recv() (wamp.Message, error) {
	if len(p.pending) > 0 {
		m := p.pending[0]
		p.pending[0] = nil
		p.pending = p.pending[1:]
		return m, nil
	}
	mt, r, err := p.ws.NextReader()
	if err != nil {
		return nil, p.readErr(err)
	}
	p.activity.Add(1)
	if mt != p.msgType {
		return nil, &transport.ProtocolError{Err: fmt.Errorf("websocket: %s message on a %s connection", kindName(mt), p.codec.Name())}
	}
	data, err := p.readMessage(r)
	if err != nil {
		return nil, p.readErr(err)
	}
	if p.batched {
		return p.splitBatch(data)
	}
	m, err := p.codec.Decode(data)
	if err != nil {
		return nil, &transport.ProtocolError{Err: fmt.Errorf("websocket: %w", err)}
	}
	return m, nil
}

// Buffered implements transport.Buffered: the rest of a batch, or a whole
// final data frame (RFC 6455 §5.2) already in gorilla's read buffer. Anything
// else (a fragment, a control frame, a partial header) reports false, since
// NextReader could then block on the network.
func (p *peer) Buffered() bool {
	if len(p.pending) > 0 {
		return true
	}
	if p.br == nil {
		return false
	}
	// The buffered input is gorilla's frame buffer, then the LazyReader's.
	var hb [14]byte
	n := p.br.Buffered()
	front, _ := p.br.Peek(min(n, len(hb))) // buffered bytes: Peek does not read
	k := copy(hb[:], front)
	if p.cc.rd != nil {
		back := p.cc.rd.Buffered()
		k += copy(hb[k:], back)
		n += len(back)
	}
	h := hb[:k]
	if n < 2 {
		return false
	}
	if h[0]&0x80 == 0 { // FIN clear: a fragment
		return false
	}
	if op := h[0] & 0x0f; op != websocket.TextMessage && op != websocket.BinaryMessage {
		return false
	}
	size, hdr := int64(h[1]&0x7f), 2
	switch size {
	case 126:
		if len(h) < 4 {
			return false
		}
		size, hdr = int64(binary.BigEndian.Uint16(h[2:4])), 4
	case 127:
		if len(h) < 10 {
			return false
		}
		u := binary.BigEndian.Uint64(h[2:10])
		if u > uint64(n) {
			return false
		}
		size, hdr = int64(u), 10
	}
	if h[1]&0x80 != 0 { // masking key
		hdr += 4
	}
	return int64(hdr)+size <= int64(n)
}

// readMessage reads a whole message into the reusable rbuf and returns an
// exact-size copy: one allocation per message, which the decoded message
// may alias.
func (p *peer) readMessage(r io.Reader) ([]byte, error) {
	buf := p.rbuf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, max(512, cap(buf))) // double, from 512
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	data := bytes.Clone(buf)
	if cap(buf) <= keepBuffer {
		p.rbuf = buf
	} else {
		p.rbuf = nil
	}
	return data, nil
}

// splitBatch decodes a batched WebSocket message (WAMP §"Message Batching"):
// JSON messages each followed by 0x1E, binary ones each preceded by a 32-bit
// big-endian length. An empty batch is a protocol error.
func (p *peer) splitBatch(data []byte) (wamp.Message, error) {
	var msgs []wamp.Message
	for len(data) > 0 {
		var part []byte
		if p.codec.Binary() {
			if len(data) < 4 || uint64(binary.BigEndian.Uint32(data)) > uint64(len(data)-4) {
				return nil, &transport.ProtocolError{Err: errors.New("websocket: truncated message in batch")}
			}
			n := binary.BigEndian.Uint32(data)
			part, data = data[4:4+n], data[4+n:]
		} else {
			i := bytes.IndexByte(data, recordSeparator)
			if i < 0 {
				i = len(data) // lenient: a last message without its separator
			}
			part, data = data[:i], data[min(i+1, len(data)):]
		}
		m, err := p.codec.Decode(part)
		if err != nil {
			return nil, &transport.ProtocolError{Err: fmt.Errorf("websocket: message %d of batch: %w", len(msgs), err)}
		}
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 {
		return nil, &transport.ProtocolError{Err: errors.New("websocket: empty batch")}
	}
	p.pending = msgs[1:]
	return msgs[0], nil
}

// readErr maps a read error. A close frame with a normal code (1000, 1001,
// or none) is the clean end, io.EOF. An oversize message fails the
// connection: gorilla has sent close 1009; we linger until the peer closes.
func (p *peer) readErr(err error) error {
	if p.closed.Load() {
		return transport.ErrClosed
	}
	if errors.Is(err, websocket.ErrReadLimit) {
		p.linger()
		p.Close()
		return &transport.ProtocolError{Err: fmt.Errorf("websocket: message over the limit of %d bytes: %w", p.readMax, transport.ErrTooLarge)}
	}
	if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway, websocket.CloseNoStatusReceived) {
		return io.EOF
	}
	return fmt.Errorf("websocket: read: %w", err)
}

// linger half-closes the connection after our close frame and discards
// input until the peer closes too or lingerTimeout passes, so that closing
// does not reset a connection with unread data and lose the close frame
// (like net/http's closeWriteAndWait). Runs on the reader goroutine.
func (p *peer) linger() {
	if cw, ok := p.cc.Conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	p.cc.Conn.SetReadDeadline(time.Now().Add(lingerTimeout))
	io.Copy(io.Discard, p.cc.Conn)
}

// Send writes each message as one WebSocket message (or the whole batch as
// one, on a batched subprotocol), all corked into one flush. An Outgoing
// without Frame is encoded here with the connection's codec.
func (p *peer) Send(out []transport.Outgoing) error {
	if p.closed.Load() {
		return transport.ErrClosed
	}
	if len(out) == 0 {
		return nil
	}
	p.cc.cork()
	var err error
	if p.batched {
		err = p.sendBatch(out)
	} else {
		for i := range out {
			var frame []byte
			if frame, err = p.frame(&out[i]); err != nil {
				break
			}
			if err = p.ws.WriteMessage(p.msgType, frame); err != nil {
				err = p.writeErr(err)
				break
			}
		}
	}
	if ferr := p.cc.uncork(); ferr != nil && err == nil {
		err = p.writeErr(ferr)
	}
	if cap(p.enc) > keepBuffer {
		p.enc = nil
	}
	return err
}

// frame returns the encoded message: Frame, or Msg encoded into p.enc.
func (p *peer) frame(o *transport.Outgoing) ([]byte, error) {
	if o.Frame != nil || o.Msg == nil {
		return o.Frame, nil
	}
	var err error
	p.enc, err = p.codec.Encode(p.enc[:0], o.Msg)
	if err != nil {
		return nil, fmt.Errorf("websocket: encoding %v: %w", o.Msg.Type(), err)
	}
	return p.enc, nil
}

// sendBatch writes the batch as one WebSocket message through NextWriter,
// which copies into gorilla's buffer, so Frames are not copied twice.
func (p *peer) sendBatch(out []transport.Outgoing) error {
	w, err := p.ws.NextWriter(p.msgType)
	if err != nil {
		return p.writeErr(err)
	}
	var hdr [4]byte
	for i := range out {
		frame, err := p.frame(&out[i])
		if err != nil {
			w.Close()
			return err
		}
		if p.codec.Binary() {
			binary.BigEndian.PutUint32(hdr[:], uint32(len(frame)))
			w.Write(hdr[:])
			w.Write(frame)
		} else {
			w.Write(frame)
			w.Write([]byte{recordSeparator})
		}
	}
	if err := w.Close(); err != nil { // gorilla's writer keeps its first error
		return p.writeErr(err)
	}
	return nil
}

func (p *peer) writeErr(err error) error {
	if p.closed.Load() {
		return transport.ErrClosed
	}
	return fmt.Errorf("websocket: write: %w", err)
}

// Ping sends a WebSocket ping; the pong shows up in Activity.
func (p *peer) Ping() error {
	if p.closed.Load() {
		return transport.ErrClosed
	}
	if err := p.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(controlTimeout)); err != nil {
		return p.writeErr(err)
	}
	return nil
}

func (p *peer) Activity() uint64 { return p.activity.Load() }

// Close sends a close frame (1000) when it can within closeGrace and closes
// the connection, which unblocks Recv and Send (they return
// transport.ErrClosed). The deadline on the raw connection also ends a Send
// stuck on a peer that does not read.
func (p *peer) Close() error {
	p.once.Do(func() {
		p.closed.Store(true)
		deadline := time.Now().Add(closeGrace)
		p.cc.Conn.SetWriteDeadline(deadline)
		p.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), deadline)
		if err := p.ws.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			p.closeErr = fmt.Errorf("websocket: close: %w", err)
		}
	})
	return p.closeErr
}

func (p *peer) Codec() codec.Codec   { return p.codec }
func (p *peer) Info() transport.Info { return p.info }
