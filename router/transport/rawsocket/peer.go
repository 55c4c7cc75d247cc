package rawsocket

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"

	"github.com/edgebar/edgebar/router/codec"
	"github.com/edgebar/edgebar/router/transport"

	"github.com/edgebar/edgebar/router/wamp"
)

// Frame types of the 4-octet frame header (WAMP §"RawSocket Transport",
// "Framing"): the low 3 bits of the first octet; the high 5 are reserved.
const (
	frameMessage = 0
	framePing    = 1
	framePong    = 2
)

const (
	headerSize = 4
	// writeBufferSize is the pooled bufio.Writer a Send batch is assembled
	// in. Idle connections hold none.
	writeBufferSize = 32 << 10
)

var writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, writeBufferSize) }}

// peer is one RawSocket connection after the handshake.
type peer struct {
	conn  net.Conn
	codec codec.Codec
	info  transport.Info
	// readMax is the limit we announced; sendMax the one the other side did.
	readMax, sendMax int

	// br reads the connection: many small frames per syscall, through a
	// pooled buffer held only while unread data is in it (an idle
	// connection holds none). Owned by the reader goroutine (Recv).
	br  *transport.LazyReader
	hdr [headerSize]byte

	// wmu serializes writes to conn: Send and Ping on the writer goroutine,
	// and the PONG that Recv writes on the reader goroutine when a PING
	// arrives. A mutex rather than a queue for the PONG: pings are rare and
	// the PONG is one small write.
	wmu     sync.Mutex
	scratch []byte // guarded by wmu: encodes Outgoing.Msg when Frame is nil

	activity atomic.Uint64
	closed   atomic.Bool
	once     sync.Once
	closeErr error
}

func newPeer(conn net.Conn, c codec.Codec, readMax, sendMax int) *peer {
	return &peer{
		conn:    conn,
		codec:   c,
		readMax: readMax,
		sendMax: sendMax,
		br:      transport.NewLazyReader(conn),
		info: transport.Info{
			Transport:  "rawsocket",
			Serializer: c.Name(),
			RemoteAddr: addrString(conn.RemoteAddr()),
			LocalAddr:  addrString(conn.LocalAddr()),
		},
	}
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// Recv reads frames until a WAMP message arrives. It answers PINGs and counts
// every frame in Activity. A frame header of our own is a protocol error when
// its reserved bits or type are unknown, or its length is over our limit (the
// payload is then not read: the connection is to be failed).
func (p *peer) Recv() (wamp.Message, error) {
	for {
		if _, err := io.ReadFull(p.br, p.hdr[:]); err != nil {
			return nil, p.readErr(err)
		}
		h0 := p.hdr[0]
		n := int(p.hdr[1])<<16 | int(p.hdr[2])<<8 | int(p.hdr[3])
		if h0&^0x07 != 0 {
			return nil, &transport.ProtocolError{Err: fmt.Errorf("rawsocket: reserved bits set in frame header 0x%02x", h0)}
		}
		p.activity.Add(1)
		switch h0 {
		case frameMessage:
			if n > p.readMax {
				return nil, &transport.ProtocolError{Err: fmt.Errorf("rawsocket: message of %d bytes over the limit of %d: %w", n, p.readMax, transport.ErrTooLarge)}
			}
			// A fresh slice per message: the decoded message aliases it.
			data := make([]byte, n)
			if _, err := io.ReadFull(p.br, data); err != nil {
				return nil, p.readErr(err)
			}
			m, err := p.codec.Decode(data)
			if err != nil {
				return nil, &transport.ProtocolError{Err: fmt.Errorf("rawsocket: %w", err)}
			}
			return m, nil
		case framePing:
			if n > p.readMax {
				return nil, &transport.ProtocolError{Err: fmt.Errorf("rawsocket: PING of %d bytes over the limit of %d: %w", n, p.readMax, transport.ErrTooLarge)}
			}
			if err := p.pong(n); err != nil {
				return nil, err
			}
		case framePong:
			if _, err := io.CopyN(io.Discard, p.br, int64(n)); err != nil {
				return nil, p.readErr(err)
			}
		default:
			return nil, &transport.ProtocolError{Err: fmt.Errorf("rawsocket: unknown frame type %d", h0)}
		}
	}
}

// Buffered implements transport.Buffered: a whole message frame is in the
// read buffer. A PING or PONG frame reports false: Recv would go on to the
// frame after it, which may not be there yet.
func (p *peer) Buffered() bool {
	h := p.br.Buffered()
	if len(h) < headerSize {
		return false
	}
	size := int(h[1])<<16 | int(h[2])<<8 | int(h[3])
	return h[0] == frameMessage && headerSize+size <= len(h)
}

// pong reads a PING payload of n bytes and echoes it in a PONG
// (WAMP §"RawSocket Transport": exactly one PONG, immediately).
func (p *peer) pong(n int) error {
	frame := make([]byte, headerSize+n)
	if _, err := io.ReadFull(p.br, frame[headerSize:]); err != nil {
		return p.readErr(err)
	}
	putHeader(frame, framePong, n)
	p.wmu.Lock()
	_, err := p.conn.Write(frame)
	p.wmu.Unlock()
	if err != nil {
		return p.writeErr(err)
	}
	return nil
}

// readErr maps a read error: ErrClosed after a local Close, io.EOF for a
// connection the other side closed between frames (RawSocket has no close
// frame, so that is its clean end), and io.ErrUnexpectedEOF inside a frame.
func (p *peer) readErr(err error) error {
	if p.closed.Load() {
		return transport.ErrClosed
	}
	if err == io.EOF {
		return io.EOF
	}
	return fmt.Errorf("rawsocket: read: %w", err)
}

func (p *peer) writeErr(err error) error {
	if p.closed.Load() {
		return transport.ErrClosed
	}
	return fmt.Errorf("rawsocket: write: %w", err)
}

func putHeader(b []byte, typ byte, n int) {
	b[0] = typ
	b[1] = byte(n >> 16)
	binary.BigEndian.PutUint16(b[2:4], uint16(n))
}

// Send writes the batch into one pooled bufio.Writer and flushes once, so a
// batch that fits the buffer costs one write syscall (a message bigger than
// the buffer goes out in its own write, without a copy). An Outgoing without
// Frame is encoded here with the connection's codec.
//
// A message over the limit the other side announced stops the batch: the
// messages before it are flushed, it and the rest are not written, and the
// error wraps transport.ErrTooLarge. The connection stays usable.
func (p *peer) Send(out []transport.Outgoing) error {
	if p.closed.Load() {
		return transport.ErrClosed
	}
	p.wmu.Lock()
	defer p.wmu.Unlock()
	w := writers.Get().(*bufio.Writer)
	w.Reset(p.conn)
	defer func() {
		w.Reset(nil) // drop the reference to conn before pooling
		writers.Put(w)
	}()
	var hdr [headerSize]byte
	var sendErr error
	for i := range out {
		frame := out[i].Frame
		if frame == nil && out[i].Msg != nil {
			var err error
			if p.scratch, err = p.codec.Encode(p.scratch[:0], out[i].Msg); err != nil {
				sendErr = fmt.Errorf("rawsocket: encoding %v: %w", out[i].Msg.Type(), err)
				break
			}
			frame = p.scratch
		}
		if len(frame) > p.sendMax {
			sendErr = fmt.Errorf("rawsocket: message of %d bytes over the peer's limit of %d: %w", len(frame), p.sendMax, transport.ErrTooLarge)
			break
		}
		putHeader(hdr[:], frameMessage, len(frame))
		w.Write(hdr[:])
		if _, err := w.Write(frame); err != nil {
			return p.writeErr(err) // w keeps its first error; no need to check the header write
		}
	}
	if cap(p.scratch) > writeBufferSize {
		p.scratch = nil // do not pin one huge message's buffer
	}
	if err := w.Flush(); err != nil {
		return p.writeErr(err)
	}
	return sendErr
}

// Ping sends a PING with an empty payload; the PONG shows up in Activity.
func (p *peer) Ping() error {
	if p.closed.Load() {
		return transport.ErrClosed
	}
	var hdr [headerSize]byte
	putHeader(hdr[:], framePing, 0)
	p.wmu.Lock()
	_, err := p.conn.Write(hdr[:])
	p.wmu.Unlock()
	if err != nil {
		return p.writeErr(err)
	}
	return nil
}

func (p *peer) Activity() uint64 { return p.activity.Load() }

// Close closes the connection, which unblocks Recv and Send (they return
// transport.ErrClosed). RawSocket has no close frame.
func (p *peer) Close() error {
	p.once.Do(func() {
		p.closed.Store(true)
		if err := p.conn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			p.closeErr = fmt.Errorf("rawsocket: close: %w", err)
		}
	})
	return p.closeErr
}

func (p *peer) Codec() codec.Codec   { return p.codec }
func (p *peer) Info() transport.Info { return p.info }
