package transport

import (
	"io"
	"net"
	"os"
	"sync"
	"syscall"
)

// LazyReadSize is the buffer a LazyReader fills: small frames are read many
// per system call; a Read of at least LazyReadSize bytes into an empty
// buffer goes straight to the connection.
const LazyReadSize = 4 << 10

var lazyBuffers = sync.Pool{New: func() any { return new([LazyReadSize]byte) }}

// LazyReader is the buffered reader of the socket transports: it holds its
// buffer only while it has unread data, so an idle connection, blocked
// waiting for input, holds none (memory per idle session matters on boards
// with 10 000 connections).
//
// On connections that expose syscall.RawConn (TCP, Unix), the wait for input
// happens without a buffer: a read that would block returns its pooled
// buffer, waits in the runtime's poller, and takes a buffer again when the
// connection is readable. The system calls are those of an ordinary Read
// (a read that finds nothing, a wait, a read). Other connections (TLS) get a
// buffer for good. Its methods are for one goroutine (the connection's
// reader).
type LazyReader struct {
	conn net.Conn
	raw  syscall.RawConn     // nil: conn.Read into a buffer kept for good
	buf  *[LazyReadSize]byte // nil while empty (when raw is set)
	r, w int                 // unread data is buf[r:w]
}

// NewLazyReader returns a LazyReader on conn.
func NewLazyReader(conn net.Conn) *LazyReader {
	b := &LazyReader{conn: conn}
	if sc, ok := conn.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			b.raw = raw
		}
	}
	return b
}

// Buffered returns the unread buffered bytes, valid until the next Read.
func (b *LazyReader) Buffered() []byte {
	if b.buf == nil {
		return nil
	}
	return b.buf[b.r:b.w]
}

// Read implements io.Reader.
func (b *LazyReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if b.r == b.w {
		if len(p) >= LazyReadSize {
			return b.conn.Read(p) // large reads skip the copy
		}
		if err := b.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, b.buf[b.r:b.w])
	b.r += n
	if b.r == b.w {
		b.release()
	}
	return n, nil
}

// release returns the empty buffer to the pool (raw connections only).
func (b *LazyReader) release() {
	b.r, b.w = 0, 0
	if b.raw != nil && b.buf != nil {
		lazyBuffers.Put(b.buf)
		b.buf = nil
	}
}

// fill reads at least one byte into an empty buffer.
func (b *LazyReader) fill() error {
	if b.raw == nil {
		if b.buf == nil {
			b.buf = new([LazyReadSize]byte)
		}
		n, err := b.conn.Read(b.buf[:])
		b.r, b.w = 0, n
		if n > 0 {
			return nil
		}
		if err == nil {
			err = io.ErrNoProgress
		}
		return err
	}
	var n int
	var rerr error
	err := b.raw.Read(func(fd uintptr) bool {
		if b.buf == nil {
			b.buf = lazyBuffers.Get().(*[LazyReadSize]byte)
		}
		for {
			n, rerr = syscall.Read(int(fd), b.buf[:])
			if rerr != syscall.EINTR {
				break
			}
		}
		if rerr == syscall.EAGAIN {
			b.release() // wait for input without a buffer
			return false
		}
		return true
	})
	switch {
	case err != nil: // closed, or a read deadline passed
		b.release()
		return err
	case rerr != nil:
		b.release()
		return &net.OpError{Op: "read", Net: b.conn.LocalAddr().Network(), Source: b.conn.LocalAddr(),
			Addr: b.conn.RemoteAddr(), Err: os.NewSyscallError("read", rerr)}
	case n <= 0:
		b.release()
		return io.EOF
	}
	b.r, b.w = 0, n
	return nil
}
