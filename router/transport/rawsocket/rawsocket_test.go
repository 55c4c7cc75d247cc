package rawsocket

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgebar/edgebar/router/codec"
	"github.com/edgebar/edgebar/router/transport"
	"github.com/edgebar/edgebar/router/wamp"
)

var testCodecs = []codec.Codec{tJSON, tMsgpack, tCBOR}

// listen opens a listener on loopback TCP or a Unix socket in a temp dir.
func listen(t testing.TB, network string) net.Listener {
	t.Helper()
	addr := "127.0.0.1:0"
	if network == "unix" {
		addr = filepath.Join(t.TempDir(), "s")
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

type accepted struct {
	p   transport.Peer
	err error
}

// serveOne accepts one connection on ln and runs Accept on it.
func serveOne(ln net.Listener, cfg Config) <-chan accepted {
	ch := make(chan accepted, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			ch <- accepted{err: err}
			return
		}
		p, err := Accept(conn, cfg)
		ch <- accepted{p, err}
	}()
	return ch
}

// pair returns a connected router-side and client-side peer.
func pair(t testing.TB, network string, cfg Config, c codec.Codec, clientMax int) (server, client transport.Peer) {
	t.Helper()
	ln := listen(t, network)
	ch := serveOne(ln, cfg)
	client, err := Dial(context.Background(), network, ln.Addr().String(), c, clientMax)
	if err != nil {
		t.Fatal(err)
	}
	a := <-ch
	if a.err != nil {
		t.Fatal(a.err)
	}
	t.Cleanup(func() { client.Close(); a.p.Close() })
	return a.p, client
}

func encode(t testing.TB, c codec.Codec, m wamp.Message) transport.Outgoing {
	t.Helper()
	b, err := c.Encode(nil, m)
	if err != nil {
		t.Fatal(err)
	}
	return transport.Outgoing{Frame: b}
}

func TestHandshakeAndRoundTrip(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		for _, c := range testCodecs {
			t.Run(network+"/"+c.Name(), func(t *testing.T) {
				srv, cli := pair(t, network, Config{Codecs: testCodecs}, c, 0)
				for _, p := range []transport.Peer{srv, cli} {
					info := p.Info()
					if info.Transport != "rawsocket" || info.Serializer != c.Name() || info.RemoteAddr == "" && network == "tcp" {
						t.Errorf("info = %+v", info)
					}
					if p.Codec() != c {
						t.Errorf("codec = %v, want %v", p.Codec().Name(), c.Name())
					}
				}
				hello := &wamp.Hello{Realm: "realm1", Details: wamp.Dict{"x": "y"}}
				if err := cli.Send([]transport.Outgoing{encode(t, c, hello)}); err != nil {
					t.Fatal(err)
				}
				m, err := srv.Recv()
				if err != nil {
					t.Fatal(err)
				}
				if h, ok := m.(*wamp.Hello); !ok || h.Realm != "realm1" {
					t.Fatalf("got %#v", m)
				}
				// Msg without Frame is encoded by the transport.
				if err := srv.Send([]transport.Outgoing{{Msg: &wamp.Goodbye{Reason: wamp.CloseNormal}}}); err != nil {
					t.Fatal(err)
				}
				m, err = cli.Recv()
				if err != nil {
					t.Fatal(err)
				}
				if g, ok := m.(*wamp.Goodbye); !ok || g.Reason != wamp.CloseNormal {
					t.Fatalf("got %#v", m)
				}
			})
		}
	}
}

func TestMaxLength(t *testing.T) {
	cases := []struct {
		limit, exp, size int
	}{
		{0, 15, 1 << 24},
		{-1, 15, 1 << 24},
		{20 << 20, 15, 1 << 24},
		{1 << 24, 15, 1 << 24},
		{1<<24 - 1, 14, 1 << 23},
		{1 << 20, 11, 1 << 20},
		{1000, 0, 512},
		{512, 0, 512},
		{100, 0, 512},
		{1024, 1, 1024},
	}
	for _, c := range cases {
		exp, size := maxLength(c.limit)
		if int(exp) != c.exp || size != c.size {
			t.Errorf("maxLength(%d) = %d, %d; want %d, %d", c.limit, exp, size, c.exp, c.size)
		}
	}
}

// TestAcceptReplies drives Accept with raw handshake requests.
func TestAcceptReplies(t *testing.T) {
	cases := []struct {
		name    string
		codecs  []codec.Codec
		max     int
		req     []byte
		reply   []byte // nil: no reply, the connection is closed
		wantErr string
	}{
		{"json default max", testCodecs, 0, []byte{0x7F, 0xF1, 0, 0}, []byte{0x7F, 0xF1, 0, 0}, ""},
		{"msgpack 1 KiB", testCodecs, 1024, []byte{0x7F, 0x02, 0, 0}, []byte{0x7F, 0x12, 0, 0}, ""},
		{"cbor 64 KiB", testCodecs, 100000, []byte{0x7F, 0x53, 0, 0}, []byte{0x7F, 0x73, 0, 0}, ""},
		{"unknown serializer", testCodecs, 0, []byte{0x7F, 0xF5, 0, 0}, []byte{0x7F, 0x10, 0, 0}, "unsupported serializer id 5"},
		{"serializer 0", testCodecs, 0, []byte{0x7F, 0xF0, 0, 0}, []byte{0x7F, 0x10, 0, 0}, "unsupported serializer id 0"},
		{"serializer not configured", []codec.Codec{tJSON}, 0, []byte{0x7F, 0xF2, 0, 0}, []byte{0x7F, 0x10, 0, 0}, "unsupported serializer id 2"},
		{"reserved octet 3", testCodecs, 0, []byte{0x7F, 0xF1, 1, 0}, []byte{0x7F, 0x30, 0, 0}, "reserved handshake octets"},
		{"reserved octet 4", testCodecs, 0, []byte{0x7F, 0xF1, 0, 0x80}, []byte{0x7F, 0x30, 0, 0}, "reserved handshake octets"},
		{"wrong magic", testCodecs, 0, []byte("GET "), nil, "bad handshake magic 0x47"},
		{"short request", testCodecs, 0, []byte{0x7F, 0xF1}, nil, "reading handshake"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ln := listen(t, "tcp")
			ch := serveOne(ln, Config{Codecs: c.codecs, MaxMessageSize: c.max})
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.Write(c.req); err != nil {
				t.Fatal(err)
			}
			if len(c.req) < 4 {
				conn.(*net.TCPConn).CloseWrite()
			}
			var got []byte
			if c.wantErr == "" {
				got = make([]byte, 4)
				_, err = io.ReadFull(conn, got) // the connection stays open
			} else {
				got, err = io.ReadAll(conn) // the router closes after an error
			}
			a := <-ch
			if c.wantErr == "" {
				if a.err != nil {
					t.Fatalf("Accept: %v", a.err)
				}
				a.p.Close()
			} else if a.err == nil || !strings.Contains(a.err.Error(), c.wantErr) {
				t.Fatalf("Accept error = %v, want %q", a.err, c.wantErr)
			}
			if err != nil {
				t.Fatalf("reading reply: %v", err)
			}
			if !bytes.Equal(got, c.reply) {
				t.Fatalf("reply = % x, want % x", got, c.reply)
			}
		})
	}
}

// TestDialRefused runs Dial against a fake router with a fixed reply.
func TestDialRefused(t *testing.T) {
	cases := []struct {
		name    string
		c       codec.Codec
		reply   []byte
		code    ErrorCode // 0: not a HandshakeError
		wantErr string
	}{
		{"serializer", tMsgpack, []byte{0x7F, 0x10, 0, 0}, CodeSerializerUnsupported, "rawsocket: router refused serializer msgpack"},
		{"max length", tJSON, []byte{0x7F, 0x20, 0, 0}, CodeMaxLengthUnacceptable, "rawsocket: router refused maximum message length 1024"},
		{"reserved bits", tJSON, []byte{0x7F, 0x30, 0, 0}, CodeReservedBits, "reserved bits"},
		{"connections", tJSON, []byte{0x7F, 0x40, 0, 0}, CodeMaxConnections, "maximum connection count reached"},
		{"unknown code", tJSON, []byte{0x7F, 0x90, 0, 0}, 9, "error code 9"},
		{"bad magic", tJSON, []byte{0x7E, 0xF1, 0, 0}, 0, "bad handshake magic 0x7e"},
		{"other serializer", tJSON, []byte{0x7F, 0xF2, 0, 0}, 0, "serializer id 2, asked for 1"},
		{"reserved reply", tJSON, []byte{0x7F, 0xF1, 0, 1}, 0, "reserved octets"},
		{"short reply", tJSON, []byte{0x7F}, 0, "reading handshake reply"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ln := listen(t, "tcp")
			go func() {
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				defer conn.Close()
				var req [4]byte
				io.ReadFull(conn, req[:])
				conn.Write(c.reply)
			}()
			_, err := Dial(context.Background(), "tcp", ln.Addr().String(), c.c, 1024)
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("err = %v, want %q", err, c.wantErr)
			}
			var he *HandshakeError
			if errors.As(err, &he) != (c.code != 0) || c.code != 0 && he.Code != c.code {
				t.Fatalf("err = %#v, want code %d", err, c.code)
			}
		})
	}
}

func TestRefuse(t *testing.T) {
	ln := listen(t, "unix")
	done := make(chan error, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		done <- Refuse(conn, CodeMaxConnections, 0)
	}()
	_, err := Dial(context.Background(), "unix", ln.Addr().String(), tJSON, 0)
	var he *HandshakeError
	if !errors.As(err, &he) || he.Code != CodeMaxConnections {
		t.Fatalf("Dial err = %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Refuse: %v", err)
	}
}

func TestHandshakeTimeout(t *testing.T) {
	ln := listen(t, "tcp")
	ch := serveOne(ln, Config{HandshakeTimeout: 20 * time.Millisecond})
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte{0x7F}) // one octet, then silence
	a := <-ch
	if !errors.Is(a.err, os.ErrDeadlineExceeded) {
		t.Fatalf("Accept err = %v, want a deadline error", a.err)
	}
}

func TestDialContextCanceled(t *testing.T) {
	ln := listen(t, "tcp")
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		io.Copy(io.Discard, conn) // never replies
	}()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := Dial(ctx, "tcp", ln.Addr().String(), tJSON, 0)
		errc <- err
	}()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// rawClient handshakes by hand and returns the connection, for tests that
// write frames a well-behaved peer would not.
func rawClient(t *testing.T, cfg Config) (net.Conn, transport.Peer) {
	t.Helper()
	ln := listen(t, "tcp")
	ch := serveOne(ln, cfg)
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.Write([]byte{0x7F, 0xF1, 0, 0})
	var rep [4]byte
	if _, err := io.ReadFull(conn, rep[:]); err != nil {
		t.Fatal(err)
	}
	a := <-ch
	if a.err != nil {
		t.Fatal(a.err)
	}
	t.Cleanup(func() { a.p.Close() })
	return conn, a.p
}

func TestPingFromClient(t *testing.T) {
	conn, srv := rawClient(t, Config{Codecs: testCodecs})
	hello, _ := tJSON.Encode(nil, &wamp.Hello{Realm: "r"})
	var frames []byte
	frames = append(frames, 1, 0, 0, 3, 'a', 'b', 'c') // PING "abc"
	frames = append(frames, 2, 0, 0, 2, 'x', 'y')      // unsolicited PONG, ignored
	frames = append(frames, 0, 0, 0, byte(len(hello)))
	frames = append(frames, hello...)
	conn.Write(frames)
	m, err := srv.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.(*wamp.Hello); !ok {
		t.Fatalf("got %#v", m)
	}
	if got := srv.Activity(); got != 3 {
		t.Errorf("Activity = %d, want 3", got)
	}
	var pong [7]byte
	if _, err := io.ReadFull(conn, pong[:]); err != nil {
		t.Fatal(err)
	}
	if want := []byte{2, 0, 0, 3, 'a', 'b', 'c'}; !bytes.Equal(pong[:], want) {
		t.Fatalf("pong = % x, want % x", pong, want)
	}
}

func TestPingPong(t *testing.T) {
	srv, cli := pair(t, "tcp", Config{Codecs: testCodecs}, tJSON, 0)
	if err := cli.Ping(); err != nil {
		t.Fatal(err)
	}
	// The router answers the PING inside Recv, before it returns the HELLO
	// sent after it; its reply is sent after that, so the client reads the
	// PONG before the reply.
	if err := cli.Send([]transport.Outgoing{encode(t, tJSON, &wamp.Hello{Realm: "r"})}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Recv(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Send([]transport.Outgoing{encode(t, tJSON, &wamp.Goodbye{})}); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Recv(); err != nil {
		t.Fatal(err)
	}
	if got := cli.Activity(); got != 2 {
		t.Fatalf("client Activity = %d, want 2 (PONG and GOODBYE)", got)
	}
	if got := srv.Activity(); got != 2 {
		t.Fatalf("router Activity = %d, want 2 (PING and HELLO)", got)
	}
}

func TestBadFrames(t *testing.T) {
	cases := []struct {
		name     string
		frame    []byte
		tooLarge bool
		wantErr  string
	}{
		{"oversize message", []byte{0, 0, 0x07, 0xD0}, true, "message of 2000 bytes over the limit of 1024"},
		{"oversize ping", []byte{1, 0x01, 0, 0}, true, "PING of 65536 bytes"},
		{"frame type 3", []byte{3, 0, 0, 0}, false, "unknown frame type 3"},
		{"frame type 7", []byte{7, 0, 0, 1, 'x'}, false, "unknown frame type 7"},
		{"reserved bit", []byte{0x08, 0, 0, 0}, false, "reserved bits set in frame header 0x08"},
		{"reserved high bit", []byte{0x80, 0, 0, 0}, false, "reserved bits"},
		{"garbage payload", []byte{0, 0, 0, 4, 0xff, 0x00, '[', '{'}, false, "testcodec"},
		{"empty payload", []byte{0, 0, 0, 0}, false, "testcodec"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn, srv := rawClient(t, Config{Codecs: testCodecs, MaxMessageSize: 1024})
			conn.Write(c.frame)
			_, err := srv.Recv()
			var pe *transport.ProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a ProtocolError", err)
			}
			if errors.Is(err, transport.ErrTooLarge) != c.tooLarge {
				t.Errorf("errors.Is(err, ErrTooLarge) = %v", !c.tooLarge)
			}
			if !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("err = %v, want %q", err, c.wantErr)
			}
		})
	}
}

func TestTruncatedFrame(t *testing.T) {
	conn, srv := rawClient(t, Config{Codecs: testCodecs})
	conn.Write([]byte{0, 0, 0, 10, '['})
	conn.(*net.TCPConn).CloseWrite()
	_, err := srv.Recv()
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestCleanEOF(t *testing.T) {
	srv, cli := pair(t, "unix", Config{Codecs: testCodecs}, tJSON, 0)
	cli.Close()
	if _, err := srv.Recv(); err != io.EOF {
		t.Fatalf("err = %v, want io.EOF", err)
	}
}

func TestSendOverPeerLimit(t *testing.T) {
	srv, cli := pair(t, "tcp", Config{Codecs: testCodecs}, tJSON, 512)
	small := encode(t, tJSON, &wamp.Hello{Realm: "small"})
	big := encode(t, tJSON, &wamp.Hello{Realm: wamp.URI(strings.Repeat("a", 600))})
	err := srv.Send([]transport.Outgoing{small, big, small})
	if !errors.Is(err, transport.ErrTooLarge) || !strings.Contains(err.Error(), "over the peer's limit of 512") {
		t.Fatalf("err = %v", err)
	}
	// The message before the big one went out; the connection still works.
	if err := srv.Send([]transport.Outgoing{encode(t, tJSON, &wamp.Hello{Realm: "after"})}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []wamp.URI{"small", "after"} {
		m, err := cli.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if h := m.(*wamp.Hello); h.Realm != want {
			t.Fatalf("realm = %q, want %q", h.Realm, want)
		}
	}
}

func TestBatchInOrder(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			srv, cli := pair(t, network, Config{Codecs: testCodecs}, tMsgpack, 0)
			const n = 1000
			batch := make([]transport.Outgoing, n)
			for i := range batch {
				batch[i] = encode(t, tMsgpack, &wamp.Publish{Request: wamp.ID(i + 1), Topic: "t", Payload: wamp.Payload{Args: wamp.List{strings.Repeat("x", i)}}})
			}
			errc := make(chan error, 1)
			go func() { errc <- cli.Send(batch) }() // bigger than the socket buffers: read concurrently
			for i := range n {
				m, err := srv.Recv()
				if err != nil {
					t.Fatal(err)
				}
				if p, ok := m.(*wamp.Publish); !ok || p.Request != wamp.ID(i+1) || p.Args[0] != strings.Repeat("x", i) {
					t.Fatalf("message %d: got %#v", i, m)
				}
			}
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCloseUnblocksRecv(t *testing.T) {
	srv, _ := pair(t, "tcp", Config{Codecs: testCodecs}, tJSON, 0)
	errc := make(chan error, 1)
	go func() {
		_, err := srv.Recv()
		errc <- err
	}()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("Recv err = %v, want ErrClosed", err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	if err := srv.Send([]transport.Outgoing{encode(t, tJSON, &wamp.Goodbye{})}); !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("Send after Close = %v", err)
	}
	if err := srv.Ping(); !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("Ping after Close = %v", err)
	}
}

func TestCloseUnblocksSend(t *testing.T) {
	srv, _ := pair(t, "tcp", Config{Codecs: testCodecs}, tJSON, 0)
	// The client never reads: Send blocks once the socket buffers are full.
	big := transport.Outgoing{Frame: bytes.Repeat([]byte{' '}, 1<<20)}
	batch := []transport.Outgoing{big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big}
	errc := make(chan error, 1)
	go func() { errc <- srv.Send(batch) }()
	srv.Close()
	if err := <-errc; err != nil && !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("Send err = %v, want nil or ErrClosed", err)
	}
}

// FuzzRecv feeds arbitrary bytes after a handshake to Recv: it must return
// messages or errors, never panic or hang.
func FuzzRecv(f *testing.F) {
	hello, _ := tJSON.Encode(nil, &wamp.Hello{Realm: "r"})
	f.Add(append([]byte{0, 0, 0, byte(len(hello))}, hello...))
	f.Add([]byte{1, 0, 0, 2, 'h', 'i', 2, 0, 0, 0})
	f.Add([]byte{0, 0xff, 0xff, 0xff})
	f.Add([]byte{5, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		a, b := net.Pipe()
		defer a.Close()
		p := newPeer(b, tJSON, 1024, 1024)
		defer p.Close()
		go io.Copy(io.Discard, a) // PONGs
		go func() {
			a.Write(data)
			a.Close()
		}()
		for range 100 {
			if _, err := p.Recv(); err != nil {
				return
			}
		}
	})
}

// BenchmarkRoundTrip is one message each way per iteration with the real
// codecs: the transport's share of the allocations is the payload slice of
// each received frame.
func BenchmarkRoundTrip(b *testing.B) {
	for _, network := range []string{"tcp", "unix"} {
		for _, c := range codec.All() {
			b.Run(network+"/"+c.Name(), func(b *testing.B) {
				srv, cli := pair(b, network, Config{}, c, 0)
				out := []transport.Outgoing{encode(b, c, &wamp.Publish{Request: 1, Options: wamp.Dict{}, Topic: "com.example.topic", Payload: wamp.Payload{Args: wamp.List{"hello"}}})}
				b.ReportAllocs()
				for b.Loop() {
					if err := cli.Send(out); err != nil {
						b.Fatal(err)
					}
					if _, err := srv.Recv(); err != nil {
						b.Fatal(err)
					}
					if err := srv.Send(out); err != nil {
						b.Fatal(err)
					}
					if _, err := cli.Recv(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
