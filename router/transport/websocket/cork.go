package websocket

import (
	"bufio"
	"net"
	"sync"
	"time"

	"github.com/edgebar/edgebar/router/transport"
)

// writeBufferSize is the pooled buffer one Send batch is assembled in.
const writeBufferSize = 32 << 10

var writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, writeBufferSize) }}

// corkConn is the net.Conn gorilla/websocket writes to. gorilla writes every
// message (and every control frame) with its own Write call, so a batch of
// 100 events would cost 100 syscalls. Between cork and uncork — one Send —
// corkConn collects those writes in a pooled bufio.Writer and sends them with
// one flush; a batch larger than the buffer goes out in buffer-sized writes.
// Outside Send, writes pass straight through, and idle connections hold no
// write buffer.
//
// gorilla still serializes its own writers (one data writer, concurrent
// WriteControl for pongs and close frames), so frames never interleave: a
// pong the reader answers during a batch lands between two messages of the
// buffer and leaves with the flush.
type corkConn struct {
	net.Conn
	mu sync.Mutex
	bw *bufio.Writer // guarded by mu; non-nil while corked
	// rd, when set (router side), is what gorilla's reads go through. Owned
	// by the reader goroutine.
	rd *transport.LazyReader
}

func (c *corkConn) Read(p []byte) (int, error) {
	if c.rd != nil {
		return c.rd.Read(p)
	}
	return c.Conn.Read(p)
}

func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bw != nil {
		return c.bw.Write(p)
	}
	return c.Conn.Write(p)
}

// SetWriteDeadline is ignored while corked: gorilla sets a deadline per frame
// (none for data, a short one for control frames), and a control frame's
// deadline must not end up limiting the flush of the whole batch.
func (c *corkConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bw != nil {
		return nil
	}
	return c.Conn.SetWriteDeadline(t)
}

func (c *corkConn) cork() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bw = writers.Get().(*bufio.Writer)
	c.bw.Reset(c.Conn)
	c.Conn.SetWriteDeadline(time.Time{})
}

func (c *corkConn) uncork() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	err := c.bw.Flush()
	c.bw.Reset(nil) // drop the reference to the conn before pooling
	writers.Put(c.bw)
	c.bw = nil
	return err
}
