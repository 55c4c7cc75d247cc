package router_test

import (
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/edgebar/edgebar/router"
	"github.com/edgebar/edgebar/router/wamp"
)

// readRSFrame reads one RawSocket frame: its type and payload.
func readRSFrame(conn net.Conn) (byte, []byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := int(hdr[1])<<16 | int(hdr[2])<<8 | int(hdr[3])
	buf := make([]byte, n)
	_, err := io.ReadFull(conn, buf)
	return hdr[0] & 7, buf, err
}

func writeRSFrame(conn net.Conn, typ byte, payload []byte) {
	hdr := make([]byte, 4)
	binary.BigEndian.PutUint32(hdr, uint32(len(payload)))
	hdr[0] = typ
	conn.Write(append(hdr, payload...))
}

// TestKeepalive: a peer that answers pings stays; a half-open one that
// answers nothing is closed, so its registrations are freed.
func TestKeepalive(t *testing.T) {
	t.Run("answering peer stays", func(t *testing.T) {
		// The timeout is generous, so a loaded test machine answering late
		// does not count as a dead peer. A ping that was answered is checked
		// when its timeout ends, so pings come every interval+timeout.
		tr := startRouter(t, router.Config{Session: router.SessionConfig{
			KeepaliveInterval: 20 * time.Millisecond, KeepaliveTimeout: 2 * time.Second}})
		conn := rawRS(t, tr)
		conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		pings := 0
		for pings < 3 {
			typ, payload, err := readRSFrame(conn)
			if err != nil {
				t.Fatalf("after %d pings: %v", pings, err)
			}
			if typ == 1 {
				pings++
				writeRSFrame(conn, 2, payload)
			}
		}
		writeRSFrame(conn, 0, []byte(`[48,1,{},"com.example.none"]`))
		for {
			typ, payload, err := readRSFrame(conn)
			if err != nil {
				t.Fatalf("closed although it answered pings: %v", err)
			}
			if typ == 1 {
				writeRSFrame(conn, 2, payload)
				continue
			}
			if strings.HasPrefix(string(payload), "[8,") {
				break
			}
		}
	})
	t.Run("silent peer is closed", func(t *testing.T) {
		tr := startRouter(t, router.Config{Session: router.SessionConfig{
			KeepaliveInterval: 20 * time.Millisecond, KeepaliveTimeout: 20 * time.Millisecond}})
		conn := rawRS(t, tr)
		writeRSFrame(conn, 0, []byte(`[64,1,{},"com.example.halfopen"]`))
		conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		sawPing := false
		for {
			typ, _, err := readRSFrame(conn)
			if err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Fatal("silent peer was not closed")
				}
				break
			}
			sawPing = sawPing || typ == 1
		}
		if !sawPing {
			t.Fatal("closed without a PING")
		}
		// The router closed the socket; its cleanup of the session ends
		// just after, then the procedure is free again.
		waitFor(t, "the silent session to end", func() bool { return tr.SessionCount() == 0 })
		c := joined(t, tr, "websocket", "json")
		c.register("com.example.halfopen")
	})
}

// TestSlowSubscriber: a subscriber that stops reading loses events past its
// queue bound, in order and counted; the publisher is never held up.
func TestSlowSubscriber(t *testing.T) {
	tr := startRouter(t, router.Config{Session: router.SessionConfig{OutQueueBytes: 64 << 10}})
	slow := rawRS(t, tr)
	readRSFrame(slow) // WELCOME
	writeRSFrame(slow, 0, []byte(`[32,1,{},"com.example.flood"]`))
	if _, p, err := readRSFrame(slow); err != nil || !strings.HasPrefix(string(p), "[33,") {
		t.Fatalf("SUBSCRIBED: %q %v", p, err)
	}
	// From now on the subscriber reads nothing: frames pile up in the
	// socket buffers, then in its queue, then are dropped.
	pub := joined(t, tr, "websocket", "msgpack")
	const n = 20000
	payload := strings.Repeat("x", 2048)
	for i := range n {
		pub.send(&wamp.Publish{Request: wamp.ID(i + 1), Topic: "com.example.flood",
			Payload: wamp.Payload{Args: wamp.List{int64(i), payload}}})
	}
	// The publisher was not held up: its acknowledged publish is answered
	// while the subscriber still reads nothing.
	pub.send(&wamp.Publish{Request: n + 1, Topic: "com.example.flood", Options: wamp.Dict{"acknowledge": true},
		Payload: wamp.Payload{Args: wamp.List{int64(n)}}})
	expectType[*wamp.Published](t, pub.recv())
	// Drain: strictly increasing sequence numbers with gaps. Markers
	// (sequence n and up) are published while draining, so one of them
	// finds room in the queue and ends the loop.
	last, got, marker := int64(-1), 0, int64(n)
	slow.SetReadDeadline(time.Now().Add(20 * time.Second))
	for last < n {
		_, p, err := readRSFrame(slow)
		if err != nil {
			t.Fatalf("after %d events (last %d): %v", got, last, err)
		}
		var ev []any
		if err := json.Unmarshal(p, &ev); err != nil || len(ev) < 5 {
			t.Fatalf("bad EVENT %q", p)
		}
		seq := int64(ev[4].([]any)[0].(float64))
		if seq <= last {
			t.Fatalf("event %d after %d", seq, last)
		}
		last = seq
		got++
		if got%50 == 0 {
			marker++
			pub.send(&wamp.Publish{Request: wamp.ID(marker + 1), Topic: "com.example.flood",
				Payload: wamp.Payload{Args: wamp.List{marker}}})
		}
	}
	if got >= n {
		t.Fatalf("all %d events arrived: nothing was dropped, the test did not test the bound", got)
	}
}

// TestSlowCallee: a callee that stops reading is disconnected as a slow
// consumer instead of losing INVOCATIONs, and every call pending on it is
// answered with wamp.error.canceled.
func TestSlowCallee(t *testing.T) {
	tr := startRouter(t, router.Config{Session: router.SessionConfig{OutQueueBytes: 64 << 10}})
	conn := rawRS(t, tr)
	if _, _, err := readRSFrame(conn); err != nil { // WELCOME
		t.Fatal(err)
	}
	writeRSFrame(conn, 0, []byte(`[64,1,{},"com.example.stuck"]`))
	if _, p, err := readRSFrame(conn); err != nil || !strings.HasPrefix(string(p), "[65,") {
		t.Fatalf("REGISTERED: %q %v", p, err)
	}
	// From now on the callee reads nothing.
	caller := joined(t, tr, "websocket", "msgpack")
	const n = 2000
	big := strings.Repeat("y", 16<<10)
	for i := range n {
		caller.send(&wamp.Call{Request: wamp.ID(i + 1), Procedure: "com.example.stuck", Payload: wamp.Payload{Args: wamp.List{big}}})
	}
	answered := map[wamp.ID]bool{}
	for len(answered) < n {
		em := expectType[*wamp.ErrorMessage](t, caller.recv())
		if em.Error != wamp.ErrCanceled && em.Error != wamp.ErrNoSuchProcedure {
			t.Fatalf("call %d answered %s", em.Request, em.Error)
		}
		if answered[em.Request] {
			t.Fatalf("call %d answered twice", em.Request)
		}
		answered[em.Request] = true
	}
}
