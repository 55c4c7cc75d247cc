package transport

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (a, b net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ch := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		ch <- c
	}()
	a, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b = <-ch
	if b == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

func TestReadHoldsBufferOnlyWithUnreadData(t *testing.T) {
	w, c := tcpPair(t)
	r := NewLazyReader(c)
	if r.raw == nil {
		t.Fatal("TCP connection without syscall.RawConn")
	}
	if _, err := w.Write([]byte("abc")); err != nil {
		t.Fatal(err)
	}
	var p [8]byte
	if n, err := r.Read(p[:1]); err != nil || string(p[:n]) != "a" {
		t.Fatalf("Read = %q, %v", p[:n], err)
	}
	if got := string(r.Buffered()); got != "bc" {
		t.Fatalf("Buffered = %q, want %q", got, "bc")
	}
	if n, err := r.Read(p[:]); err != nil || string(p[:n]) != "bc" {
		t.Fatalf("Read = %q, %v", p[:n], err)
	}
	if r.buf != nil || r.Buffered() != nil {
		t.Fatal("empty reader still holds its buffer")
	}
}

func TestReadStream(t *testing.T) {
	tests := []struct {
		name  string
		conn  func(t *testing.T) (w, r net.Conn)
		chunk int // bytes per Read call
	}{
		{"tcp small reads", tcpPair, 7},
		{"tcp large reads bypass the buffer", tcpPair, 3 * LazyReadSize},
		{"pipe without RawConn", func(t *testing.T) (net.Conn, net.Conn) {
			a, b := net.Pipe()
			t.Cleanup(func() { a.Close(); b.Close() })
			return a, b
		}, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, c := tt.conn(t)
			want := bytes.Repeat([]byte("0123456789abcdef"), 4*LazyReadSize/16+5)
			go func() {
				for i := 0; i < len(want); i += 1000 {
					w.Write(want[i:min(i+1000, len(want))])
				}
				w.Close()
			}()
			r := NewLazyReader(c)
			var got []byte
			p := make([]byte, tt.chunk)
			for {
				n, err := r.Read(p)
				got = append(got, p[:n]...)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("read %d bytes, want %d, equal prefix: %v", len(got), len(want), bytes.HasPrefix(want, got))
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name  string
		act   func(w, c net.Conn)
		check func(error) bool
	}{
		{"peer closed", func(w, c net.Conn) { w.Close() }, func(err error) bool { return err == io.EOF }},
		{"closed locally", func(w, c net.Conn) { c.Close() }, func(err error) bool { return errors.Is(err, net.ErrClosed) }},
		{"deadline", func(w, c net.Conn) { c.SetReadDeadline(time.Now().Add(-time.Second)) },
			func(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, c := tcpPair(t)
			r := NewLazyReader(c)
			tt.act(w, c)
			var p [4]byte
			_, err := r.Read(p[:])
			if !tt.check(err) {
				t.Fatalf("err = %v", err)
			}
			if r.buf != nil {
				t.Fatal("failed read kept its buffer")
			}
		})
	}
}
