package rawsocket

import (
	"testing"

	"github.com/edgebar/edgebar/router/transport"
	"github.com/edgebar/edgebar/router/wamp"
)

var _ transport.Buffered = (*peer)(nil)

// TestBuffered writes frames in one write after a HELLO and checks what
// Buffered reports once the HELLO was received: true only for a whole
// message frame.
func TestBuffered(t *testing.T) {
	hello, _ := tJSON.Encode(nil, &wamp.Hello{Realm: "r"})
	msg := func(payload []byte) []byte {
		return append([]byte{0, 0, byte(len(payload) >> 8), byte(len(payload))}, payload...)
	}
	cases := []struct {
		name string
		next []byte // written right after the HELLO frame
		want bool
	}{
		{"nothing", nil, false},
		{"whole message", msg(hello), true},
		{"partial header", []byte{0, 0, 0}, false},
		{"header only", msg(hello)[:headerSize], false},
		{"partial payload", msg(hello)[:len(hello)], false},
		{"ping before a message", append([]byte{1, 0, 0, 1, 'p'}, msg(hello)...), false},
		{"pong before a message", append([]byte{2, 0, 0, 0}, msg(hello)...), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn, srv := rawClient(t, Config{Codecs: testCodecs})
			if _, err := conn.Write(append(msg(hello), c.next...)); err != nil {
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
