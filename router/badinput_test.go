package router_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gws "github.com/gorilla/websocket"

	"github.com/edgebar/edgebar/router"
	"github.com/edgebar/edgebar/router/wamp"
)

const helloJSON = `[1,"realm1",{"roles":{"caller":{},"subscriber":{}}}]`

// rawWS opens a WebSocket with the JSON subprotocol and no WAMP logic.
func rawWS(t *testing.T, tr *testRouter) *gws.Conn {
	t.Helper()
	d := gws.Dialer{Subprotocols: []string{"wamp.2.json"}}
	c, _, err := d.Dial(tr.wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// readUntilClose reads text messages until the router closes, returning them.
func readUntilClose(t *testing.T, c *gws.Conn) []string {
	t.Helper()
	var got []string
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		_, data, err := c.ReadMessage()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("router did not close the connection; got %q", got)
			}
			return got
		}
		got = append(got, string(data))
	}
}

// TestBadInputWebSocket: each malformed or out-of-order input is answered
// with ABORT and a close, and a healthy session beside it keeps working.
func TestBadInputWebSocket(t *testing.T) {
	tr := startRouter(t, router.Config{})
	healthy := joined(t, tr, "rawsocket", "msgpack")
	healthy.register("com.example.alive")
	cases := []struct {
		name   string
		frames []string
		abort  string // expected reason in the last message; "" = closed without ABORT
	}{
		{"garbage", []string{"\x00\x01garbage"}, "wamp.error.protocol_violation"},
		{"not a list", []string{`{"a":1}`}, "wamp.error.protocol_violation"},
		{"empty list", []string{`[]`}, "wamp.error.protocol_violation"},
		{"unknown type", []string{`[999,1,{}]`}, "wamp.error.protocol_violation"},
		{"hello wrong arity", []string{`[1,"realm1"]`}, "wamp.error.protocol_violation"},
		{"hello wrong types", []string{`[1,42,{}]`}, "wamp.error.protocol_violation"},
		{"call before hello", []string{`[48,1,{},"com.example.alive"]`}, "wamp.error.protocol_violation"},
		{"hello without roles", []string{`[1,"realm1",{}]`}, "wamp.error.protocol_violation"},
		{"no such realm", []string{`[1,"nope",{"roles":{"caller":{}}}]`}, "wamp.error.no_such_realm"},
		{"invalid realm uri", []string{`[1,"a b",{"roles":{"caller":{}}}]`}, "wamp.error.no_such_realm"},
		{"second hello", []string{helloJSON, helloJSON}, "wamp.error.protocol_violation"},
		{"call wrong arity", []string{helloJSON, `[48,1,{}]`}, "wamp.error.protocol_violation"},
		{"call id out of range", []string{helloJSON, `[48,9007199254740993,{},"a.b"]`}, "wamp.error.protocol_violation"},
		{"router message from client", []string{helloJSON, `[36,1,2,{}]`}, "wamp.error.protocol_violation"},
		{"yield args not a list", []string{helloJSON, `[70,1,{},{"a":1}]`}, "wamp.error.protocol_violation"},
		{"error for call", []string{helloJSON, `[8,48,1,{},"a.b"]`}, "wamp.error.protocol_violation"},
		{"truncated", []string{helloJSON, `[48,1,{},"a.b"`}, "wamp.error.protocol_violation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := rawWS(t, tr)
			for _, f := range tc.frames {
				if err := c.WriteMessage(gws.TextMessage, []byte(f)); err != nil {
					t.Fatal(err)
				}
			}
			got := readUntilClose(t, c)
			if len(got) == 0 {
				t.Fatalf("closed without ABORT")
			}
			last := got[len(got)-1]
			if !strings.HasPrefix(last, "[3,") || !strings.Contains(last, `"`+tc.abort+`"`) {
				t.Fatalf("last message %s, want ABORT %s (all: %q)", last, tc.abort, got)
			}
			healthy.send(&wamp.Call{Request: 1, Procedure: "com.example.alive"})
			inv := expectType[*wamp.Invocation](t, healthy.recv())
			healthy.send(&wamp.Yield{Request: inv.Request})
			expectType[*wamp.Result](t, healthy.recv())
		})
	}
}

// TestOversizeFrames: a frame over the limit closes that connection cleanly.
func TestOversizeFrames(t *testing.T) {
	tr := startRouter(t, router.Config{Session: router.SessionConfig{MaxMessageSize: 1 << 20}})
	healthy := joined(t, tr, "websocket", "json")
	t.Run("websocket 20 MB", func(t *testing.T) {
		c := rawWS(t, tr)
		c.WriteMessage(gws.TextMessage, []byte(helloJSON))
		big := `[16,1,{},"com.example.t",["` + strings.Repeat("x", 20<<20) + `"]]` // over 1 MiB and over the 16 MiB default
		c.WriteMessage(gws.TextMessage, []byte(big))
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		var closeErr error
		for closeErr == nil {
			_, _, closeErr = c.ReadMessage()
		}
		if !gws.IsCloseError(closeErr, gws.CloseMessageTooBig) {
			t.Fatalf("expected close 1009, got %v", closeErr)
		}
	})
	t.Run("rawsocket frame over the limit", func(t *testing.T) {
		conn := rawRS(t, tr)
		hdr := make([]byte, 4)
		binary.BigEndian.PutUint32(hdr, 1<<24-1) // 16 MiB - 1 announced: over the 1 MiB limit
		conn.Write(hdr)
		if out := readAllRS(t, conn); !strings.Contains(out, "wamp.error.protocol_violation") {
			t.Fatalf("no ABORT protocol_violation in %q", out)
		}
	})
	t.Run("rawsocket unknown frame type", func(t *testing.T) {
		conn := rawRS(t, tr)
		conn.Write([]byte{7, 0, 0, 1, 'x'})
		if out := readAllRS(t, conn); !strings.Contains(out, "wamp.error.protocol_violation") {
			t.Fatalf("no ABORT protocol_violation in %q", out)
		}
	})
	healthy.send(&wamp.Call{Request: 1, Procedure: "com.example.none"})
	expectType[*wamp.ErrorMessage](t, healthy.recv())
}

// TestManyClientsDrop: 200 clients with registrations and subscriptions
// drop their TCP connections at once; the router cleans up every session
// and goroutine and keeps serving.
func TestManyClientsDrop(t *testing.T) {
	tr := startRouter(t, router.Config{})
	base := runtime.NumGoroutine()
	const n = 200
	conns := make([]*conn, n)
	for i := range conns {
		tname := "rawsocket"
		if i%2 == 0 {
			tname = "websocket"
		}
		c := joined(t, tr, tname, "json")
		c.register(wamp.URI("com.example.p" + itoa(i)))
		c.subscribe("com.example.all")
		conns[i] = c
	}
	caller := joined(t, tr, "websocket", "msgpack")
	for i := range 50 { // calls left pending on callees about to vanish
		caller.send(&wamp.Call{Request: wamp.ID(i + 1), Procedure: wamp.URI("com.example.p" + itoa(i))})
	}
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() { defer wg.Done(); c.peer.Close() }()
	}
	wg.Wait()
	for range 50 {
		em := expectType[*wamp.ErrorMessage](t, caller.recv())
		if em.Error != wamp.ErrCanceled && em.Error != wamp.ErrNoSuchProcedure {
			t.Fatalf("pending call answered with %s", em.Error)
		}
	}
	waitFor(t, "sessions to end", func() bool { return tr.SessionCount() == 1 })
	waitFor(t, "goroutines to exit", func() bool { return runtime.NumGoroutine() <= base+8 })
	caller.send(&wamp.Publish{Request: 99, Topic: "com.example.all", Options: wamp.Dict{"acknowledge": true}})
	expectType[*wamp.Published](t, caller.recv())
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("timed out waiting for %s; goroutines:\n%s", what, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// rawRS opens a RawSocket, handshakes for JSON and joins realm1.
func rawRS(t *testing.T, tr *testRouter) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", tr.rsAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.Write([]byte{0x7F, 0xF1, 0, 0}) // json, 16 MiB
	reply := make([]byte, 4)
	if _, err := io.ReadFull(conn, reply); err != nil || reply[0] != 0x7F || reply[1]&0x0F != 1 {
		t.Fatalf("handshake reply %x %v", reply, err)
	}
	conn.Write([]byte{0, 0, 0, byte(len(helloJSON))})
	conn.Write([]byte(helloJSON))
	return conn
}

// readAllRS reads until the router closes the connection.
func readAllRS(t *testing.T, conn net.Conn) string {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	var buf bytes.Buffer
	_, err := io.Copy(&buf, conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("router did not close the connection; got %q", buf.String())
	}
	return buf.String()
}

func itoa(i int) string { return strconv.Itoa(i) }
