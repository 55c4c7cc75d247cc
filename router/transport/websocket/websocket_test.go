package websocket

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/edgebar/edgebar/router/codec"
	"github.com/edgebar/edgebar/router/transport"
	"github.com/edgebar/edgebar/router/wamp"
)

var testCodecs = []codec.Codec{tJSON, tMsgpack, tCBOR}

type upgraded struct {
	p   transport.Peer
	err error
}

// server starts an HTTP server on 127.0.0.1:0 whose handler upgrades every
// request with cfg and hands the result to the test.
func server(t testing.TB, cfg Config) (url string, peers <-chan upgraded) {
	t.Helper()
	ch := make(chan upgraded, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := Upgrade(w, r, cfg)
		ch <- upgraded{p, err}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http"), ch
}

// pair returns a connected router-side and client-side peer.
func pair(t testing.TB, cfg Config, c codec.Codec) (srv, cli transport.Peer) {
	t.Helper()
	url, ch := server(t, cfg)
	cli, err := Dial(context.Background(), url, c, 0)
	if err != nil {
		t.Fatal(err)
	}
	u := <-ch
	if u.err != nil {
		t.Fatal(u.err)
	}
	t.Cleanup(func() { cli.Close(); u.p.Close() })
	return u.p, cli
}

// rawClient dials with plain gorilla, offering protos, for tests that send
// what our peer would not.
func rawClient(t testing.TB, url string, protos ...string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	d := websocket.Dialer{Subprotocols: protos}
	ws, resp, err := d.Dial(url, nil)
	if ws != nil {
		t.Cleanup(func() { ws.Close() })
	}
	return ws, resp, err
}

func encode(t testing.TB, c codec.Codec, m wamp.Message) transport.Outgoing {
	t.Helper()
	b, err := c.Encode(nil, m)
	if err != nil {
		t.Fatal(err)
	}
	return transport.Outgoing{Frame: b}
}

func TestNegotiation(t *testing.T) {
	cases := []struct {
		name      string
		codecs    []codec.Codec
		offered   []string
		want      string // chosen subprotocol; "" means HTTP 400
		wantCodec codec.Codec
		wantBody  string
	}{
		{"json", testCodecs, []string{"wamp.2.json"}, "wamp.2.json", tJSON, ""},
		{"client order", testCodecs, []string{"wamp.2.cbor", "wamp.2.json"}, "wamp.2.cbor", tCBOR, ""},
		{"unknown first", testCodecs, []string{"mqtt", "wamp.2.msgpack"}, "wamp.2.msgpack", tMsgpack, ""},
		{"batched", testCodecs, []string{"wamp.2.json.batched", "wamp.2.json"}, "wamp.2.json.batched", tJSON, ""},
		{"nil codecs means all", nil, []string{"wamp.2.json"}, "wamp.2.json", nil, ""},
		{"none offered", testCodecs, nil, "", nil, "no WAMP subprotocol offered"},
		{"none acceptable", testCodecs, []string{"mqtt", "wamp.1.json"}, "", nil, "none of the offered subprotocols mqtt, wamp.1.json is supported"},
		{"not configured", []codec.Codec{tJSON}, []string{"wamp.2.msgpack"}, "", nil, "supported: wamp.2.json, wamp.2.json.batched"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			url, ch := server(t, Config{Codecs: c.codecs})
			ws, resp, err := rawClient(t, url, c.offered...)
			u := <-ch
			if c.want == "" {
				if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("dial err = %v, resp = %v; want 400", err, resp)
				}
				body, _ := io.ReadAll(resp.Body)
				if !strings.Contains(string(body), c.wantBody) {
					t.Errorf("body = %q, want %q", body, c.wantBody)
				}
				if u.err == nil || !strings.Contains(u.err.Error(), c.wantBody) {
					t.Errorf("Upgrade err = %v", u.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.err != nil {
				t.Fatal(u.err)
			}
			defer u.p.Close()
			if ws.Subprotocol() != c.want {
				t.Errorf("subprotocol = %q, want %q", ws.Subprotocol(), c.want)
			}
			if c.wantCodec != nil && u.p.Codec() != c.wantCodec {
				t.Errorf("codec = %s", u.p.Codec().Name())
			}
			info := u.p.Info()
			if info.Transport != "websocket" || info.Serializer != u.p.Codec().Name() || info.RemoteAddr == "" || info.LocalAddr == "" {
				t.Errorf("info = %+v", info)
			}
		})
	}
}

func TestNotWebSocket(t *testing.T) {
	url, ch := server(t, Config{Codecs: testCodecs})
	resp, err := http.Get("http" + strings.TrimPrefix(url, "ws"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status = %d", resp.StatusCode)
	}
	if u := <-ch; u.err == nil {
		t.Error("Upgrade of a plain GET succeeded")
	}
}

func TestDialRefused(t *testing.T) {
	url, ch := server(t, Config{Codecs: []codec.Codec{tJSON}})
	_, err := Dial(context.Background(), url, tMsgpack, 0)
	<-ch
	if err == nil || !strings.Contains(err.Error(), "400") || !strings.Contains(err.Error(), "wamp.2.msgpack is supported") {
		t.Fatalf("err = %v", err)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, c := range testCodecs {
		t.Run(c.Name(), func(t *testing.T) {
			srv, cli := pair(t, Config{Codecs: testCodecs}, c)
			for _, p := range []transport.Peer{srv, cli} {
				if info := p.Info(); info.Transport != "websocket" || info.Serializer != c.Name() || p.Codec() != c {
					t.Errorf("info = %+v", info)
				}
			}
			if err := cli.Send([]transport.Outgoing{encode(t, c, &wamp.Hello{Realm: "realm1"})}); err != nil {
				t.Fatal(err)
			}
			m, err := srv.Recv()
			if err != nil {
				t.Fatal(err)
			}
			if h, ok := m.(*wamp.Hello); !ok || h.Realm != "realm1" {
				t.Fatalf("got %#v", m)
			}
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

func TestWrongFrameKind(t *testing.T) {
	cases := []struct {
		proto string
		kind  int
		want  string
	}{
		{"wamp.2.json", websocket.BinaryMessage, "binary message on a json connection"},
		{"wamp.2.msgpack", websocket.TextMessage, "text message on a msgpack connection"},
		{"wamp.2.cbor", websocket.TextMessage, "text message on a cbor connection"},
	}
	for _, c := range cases {
		t.Run(c.proto, func(t *testing.T) {
			url, ch := server(t, Config{Codecs: testCodecs})
			ws, _, err := rawClient(t, url, c.proto)
			if err != nil {
				t.Fatal(err)
			}
			u := <-ch
			defer u.p.Close()
			ws.WriteMessage(c.kind, []byte(`[1,"r",{}]`))
			_, err = u.p.Recv()
			var pe *transport.ProtocolError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want ProtocolError %q", err, c.want)
			}
		})
	}
}

func TestGarbage(t *testing.T) {
	url, ch := server(t, Config{Codecs: testCodecs})
	ws, _, err := rawClient(t, url, "wamp.2.json")
	if err != nil {
		t.Fatal(err)
	}
	u := <-ch
	defer u.p.Close()
	ws.WriteMessage(websocket.TextMessage, []byte(`[1,"r",{`))
	_, err = u.p.Recv()
	var pe *transport.ProtocolError
	if !errors.As(err, &pe) || errors.Is(err, transport.ErrTooLarge) {
		t.Fatalf("err = %v, want ProtocolError", err)
	}
}

func TestOversize(t *testing.T) {
	cases := []struct {
		name  string
		limit int
		size  int
		fail  bool
	}{
		{"20 MB over default 16 MiB", 0, 20 << 20, true},
		{"one over 1 KiB", 1024, 1025, true},
		{"exactly 1 KiB", 1024, 1024, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			url, ch := server(t, Config{Codecs: testCodecs, MaxMessageSize: c.limit})
			ws, _, err := rawClient(t, url, "wamp.2.json")
			if err != nil {
				t.Fatal(err)
			}
			u := <-ch
			defer u.p.Close()
			msg := []byte(`[1,"` + strings.Repeat("a", c.size-9) + `",{}]`)
			if len(msg) != c.size {
				t.Fatalf("test message is %d bytes", len(msg))
			}
			go ws.WriteMessage(websocket.TextMessage, msg) // fails when the router gives up
			readErr := make(chan error, 1)
			go func() { // reads concurrently, as real clients do, and closes on the close frame
				_, _, err := ws.ReadMessage()
				ws.Close()
				readErr <- err
			}()
			m, err := u.p.Recv()
			if !c.fail {
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := m.(*wamp.Hello); !ok {
					t.Fatalf("got %#v", m)
				}
				return
			}
			var pe *transport.ProtocolError
			if !errors.As(err, &pe) || !errors.Is(err, transport.ErrTooLarge) {
				t.Fatalf("err = %v, want ProtocolError(ErrTooLarge)", err)
			}
			if err := <-readErr; !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
				t.Fatalf("client read err = %v, want close 1009", err)
			}
		})
	}
}

func TestPingPong(t *testing.T) {
	srv, cli := pair(t, Config{Codecs: testCodecs}, tJSON)
	if err := cli.Ping(); err != nil {
		t.Fatal(err)
	}
	// The router answers the ping inside Recv, before it returns the HELLO
	// sent after it, and replies after that: the client reads the pong first.
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
	if got := srv.Activity(); got != 2 {
		t.Errorf("router Activity = %d, want 2 (ping and HELLO)", got)
	}
	if got := cli.Activity(); got != 2 {
		t.Errorf("client Activity = %d, want 2 (pong and GOODBYE)", got)
	}
}

func TestBatchInOrder(t *testing.T) {
	for _, c := range []codec.Codec{tJSON, tMsgpack} {
		t.Run(c.Name(), func(t *testing.T) {
			srv, cli := pair(t, Config{Codecs: testCodecs}, c)
			const n = 1000
			batch := make([]transport.Outgoing, n)
			for i := range batch {
				batch[i] = encode(t, c, &wamp.Publish{Request: wamp.ID(i + 1), Topic: "t", Payload: wamp.Payload{Args: wamp.List{strings.Repeat("x", i)}}})
			}
			errc := make(chan error, 1)
			go func() { errc <- srv.Send(batch) }()
			for i := range n {
				m, err := cli.Recv()
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

// countConn counts the writes that reach the socket.
type countConn struct {
	net.Conn
	writes atomic.Int64
}

func (c *countConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

func TestSendIsOneWrite(t *testing.T) {
	srv, cli := pair(t, Config{Codecs: testCodecs}, tJSON)
	for _, p := range []transport.Peer{srv, cli} {
		pp := p.(*peer)
		cc := &countConn{Conn: pp.cc.Conn}
		pp.cc.Conn = cc // no write is in flight
		batch := make([]transport.Outgoing, 100)
		for i := range batch {
			batch[i] = encode(t, tJSON, &wamp.Publish{Request: wamp.ID(i + 1), Topic: "t"})
		}
		if err := p.Send(batch); err != nil {
			t.Fatal(err)
		}
		if got := cc.writes.Load(); got != 1 {
			t.Errorf("%s: 100 small messages took %d writes, want 1", p.Info().LocalAddr, got)
		}
	}
	for range 100 {
		if _, err := srv.Recv(); err != nil {
			t.Fatal(err)
		}
		if _, err := cli.Recv(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBatchedSubprotocol(t *testing.T) {
	cases := []struct {
		proto string
		kind  int
		c     codec.Codec
	}{
		{"wamp.2.json.batched", websocket.TextMessage, tJSON},
		{"wamp.2.msgpack.batched", websocket.BinaryMessage, tMsgpack},
	}
	for _, c := range cases {
		t.Run(c.proto, func(t *testing.T) {
			url, ch := server(t, Config{Codecs: testCodecs})
			ws, _, err := rawClient(t, url, c.proto)
			if err != nil {
				t.Fatal(err)
			}
			u := <-ch
			defer u.p.Close()
			frame := func(i int) []byte {
				return encode(t, c.c, &wamp.Publish{Request: wamp.ID(i), Topic: "t"}).Frame
			}
			// Router to client: a Send batch of 3 is one WebSocket message.
			if err := u.p.Send([]transport.Outgoing{{Frame: frame(1)}, {Frame: frame(2)}, {Frame: frame(3)}}); err != nil {
				t.Fatal(err)
			}
			mt, data, err := ws.ReadMessage()
			if err != nil {
				t.Fatal(err)
			}
			var want []byte
			for i := 1; i <= 3; i++ {
				if c.c.Binary() {
					want = binary.BigEndian.AppendUint32(want, uint32(len(frame(i))))
					want = append(want, frame(i)...)
				} else {
					want = append(append(want, frame(i)...), 0x1E)
				}
			}
			if mt != c.kind || !bytes.Equal(data, want) {
				t.Fatalf("got %d %q, want %q", mt, data, want)
			}
			// Client to router: the same batch comes back as three messages.
			ws.WriteMessage(c.kind, data)
			for i := 1; i <= 3; i++ {
				m, err := u.p.Recv()
				if err != nil {
					t.Fatal(err)
				}
				if p, ok := m.(*wamp.Publish); !ok || p.Request != wamp.ID(i) {
					t.Fatalf("got %#v", m)
				}
			}
			// An empty batch is a protocol violation.
			ws.WriteMessage(c.kind, nil)
			var pe *transport.ProtocolError
			if _, err := u.p.Recv(); !errors.As(err, &pe) {
				t.Fatalf("empty batch: err = %v", err)
			}
		})
	}
}

func TestCloseUnblocksRecv(t *testing.T) {
	srv, cli := pair(t, Config{Codecs: testCodecs}, tJSON)
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
	// The client got a close frame: a clean end.
	if _, err := cli.Recv(); err != io.EOF {
		t.Fatalf("client Recv = %v, want io.EOF", err)
	}
}

func TestCloseUnblocksSend(t *testing.T) {
	srv, _ := pair(t, Config{Codecs: testCodecs}, tJSON)
	// The client never reads: Send blocks once the socket buffers are full.
	big := transport.Outgoing{Frame: bytes.Repeat([]byte{' '}, 1<<20)}
	batch := make([]transport.Outgoing, 32)
	for i := range batch {
		batch[i] = big
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Send(batch) }()
	srv.Close()
	if err := <-errc; err != nil && !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("Send err = %v, want nil or ErrClosed", err)
	}
}

func TestAbruptEOF(t *testing.T) {
	url, ch := server(t, Config{Codecs: testCodecs})
	ws, _, err := rawClient(t, url, "wamp.2.json")
	if err != nil {
		t.Fatal(err)
	}
	u := <-ch
	defer u.p.Close()
	ws.NetConn().Close() // no close frame
	if _, err := u.p.Recv(); err == nil || err == io.EOF {
		t.Fatalf("err = %v, want a connection error", err)
	}
}

// FuzzSplitBatch feeds arbitrary batched messages to the splitter.
func FuzzSplitBatch(f *testing.F) {
	f.Add([]byte("[1,\"r\",{}]\x1e[6,{},\"x\"]\x1e"), false)
	f.Add([]byte("\x00\x00\x00\x0a[1,\"r\",{}]"), true)
	f.Add([]byte("\xff\xff\xff\xff"), true)
	f.Fuzz(func(t *testing.T, data []byte, bin bool) {
		c := tJSON
		if bin {
			c = tMsgpack
		}
		p := &peer{codec: c, batched: true}
		m, err := p.splitBatch(data)
		if err == nil && m == nil {
			t.Fatal("nil message without an error")
		}
	})
}

// BenchmarkRoundTrip is one message each way per iteration with the real
// codecs.
func BenchmarkRoundTrip(b *testing.B) {
	for _, c := range codec.All() {
		b.Run(c.Name(), func(b *testing.B) {
			srv, cli := pair(b, Config{}, c)
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
