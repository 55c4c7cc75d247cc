package websocket

import (
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/edgebar/edgebar/router/transport"
	"github.com/edgebar/edgebar/router/wamp"
)

var _ transport.Buffered = (*peer)(nil)

// clientFrame builds a masked client frame (RFC 6455 §5.2) with a zero
// masking key, so the payload goes unchanged.
func clientFrame(fin bool, op byte, payload []byte) []byte {
	b0 := op
	if fin {
		b0 |= 0x80
	}
	f := []byte{b0}
	switch n := len(payload); {
	case n < 126:
		f = append(f, 0x80|byte(n))
	default:
		f = append(f, 0x80|126, byte(n>>8), byte(n))
	}
	f = append(f, 0, 0, 0, 0)
	return append(f, payload...)
}

// TestBuffered writes frames in one write after a HELLO frame and checks
// what Buffered reports once the HELLO was received: true only for a whole
// final data frame.
func TestBuffered(t *testing.T) {
	hello, _ := tJSON.Encode(nil, &wamp.Hello{Realm: "r"})
	long, _ := tJSON.Encode(nil, &wamp.Hello{Realm: wamp.URI("r." + strings.Repeat("x", 300))})
	text := func(p []byte) []byte { return clientFrame(true, websocket.TextMessage, p) }
	cases := []struct {
		name string
		next []byte // written right after the HELLO frame
		want bool
	}{
		{"nothing", nil, false},
		{"whole message", text(hello), true},
		{"whole message, 16-bit length", text(long), true},
		{"one header byte", text(hello)[:1], false},
		{"partial extended length", text(long)[:3], false},
		{"header without masking key", text(hello)[:4], false},
		{"partial payload", text(long)[:len(text(long))-1], false},
		{"fragment", append(clientFrame(false, websocket.TextMessage, hello[:3]), clientFrame(true, 0, hello[3:])...), false},
		{"ping before a message", append(clientFrame(true, websocket.PingMessage, nil), text(hello)...), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			url, ch := server(t, Config{Codecs: testCodecs})
			ws, _, err := rawClient(t, url, "wamp.2.json")
			if err != nil {
				t.Fatal(err)
			}
			u := <-ch
			if u.err != nil {
				t.Fatal(u.err)
			}
			srv := u.p
			t.Cleanup(func() { srv.Close() })
			if _, err := ws.UnderlyingConn().Write(append(text(hello), c.next...)); err != nil {
				t.Fatal(err)
			}
			if _, err := srv.Recv(); err != nil {
				t.Fatal(err)
			}
			if got := srv.(transport.Buffered).Buffered(); got != c.want {
				t.Fatalf("Buffered() = %v, want %v", got, c.want)
			}
			if c.want {
				if _, err := srv.Recv(); err != nil {
					t.Fatal(err)
				}
				if srv.(transport.Buffered).Buffered() {
					t.Fatal("Buffered() = true after the last message")
				}
			}
		})
	}
}

// TestBufferedBatch: the rest of a batched message counts as buffered.
func TestBufferedBatch(t *testing.T) {
	url, ch := server(t, Config{Codecs: testCodecs})
	ws, _, err := rawClient(t, url, "wamp.2.json.batched")
	if err != nil {
		t.Fatal(err)
	}
	u := <-ch
	if u.err != nil {
		t.Fatal(u.err)
	}
	t.Cleanup(func() { u.p.Close() })
	hello, _ := tJSON.Encode(nil, &wamp.Hello{Realm: "r"})
	batch := append(append(append([]byte{}, hello...), 0x1E), append(hello, 0x1E)...)
	if err := ws.WriteMessage(websocket.TextMessage, batch); err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, false} {
		if _, err := u.p.Recv(); err != nil {
			t.Fatal(err)
		}
		if got := u.p.(transport.Buffered).Buffered(); got != want {
			t.Fatalf("after message %d: Buffered() = %v, want %v", i+1, got, want)
		}
	}
}
