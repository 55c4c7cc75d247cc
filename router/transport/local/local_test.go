package local

import (
	"errors"
	"io"
	"runtime"
	"sync"
	"testing"

	"github.com/edgebar/edgebar/router/transport"
	"github.com/edgebar/edgebar/router/wamp"
)

func send(t *testing.T, p transport.Peer, ms ...wamp.Message) {
	t.Helper()
	out := make([]transport.Outgoing, len(ms))
	for i, m := range ms {
		out[i].Msg = m
	}
	if err := p.Send(out); err != nil {
		t.Fatalf("Send: %v", err)
	}
}

func TestPairBothDirections(t *testing.T) {
	a, b := Pair()
	defer a.Close()
	hello := &wamp.Hello{Realm: "realm1"}
	welcome := &wamp.Welcome{Session: 7}
	send(t, a, hello)
	send(t, b, welcome)
	if m, err := b.Recv(); err != nil || m != hello {
		t.Fatalf("b.Recv = %v, %v; want the same *Hello", m, err)
	}
	if m, err := a.Recv(); err != nil || m != welcome {
		t.Fatalf("a.Recv = %v, %v; want the same *Welcome", m, err)
	}
	if a.Codec() != nil || b.Codec() != nil {
		t.Error("Codec() != nil")
	}
	if got := a.Info(); got != (transport.Info{Transport: "local"}) {
		t.Errorf("Info = %+v", got)
	}
}

func TestOrder10000(t *testing.T) {
	a, b := Pair()
	defer a.Close()
	const n = 10000
	go func() {
		// Mixed batch sizes: 1, 2, 3, ... messages per Send.
		for i, size := 0, 1; i < n; size++ {
			var out []transport.Outgoing
			for j := 0; j < size && i < n; j++ {
				out = append(out, transport.Outgoing{Msg: &wamp.Published{Request: wamp.ID(i)}})
				i++
			}
			if err := a.Send(out); err != nil {
				t.Errorf("Send: %v", err)
				return
			}
		}
	}()
	for i := 0; i < n; i++ {
		m, err := b.Recv()
		if err != nil {
			t.Fatalf("Recv %d: %v", i, err)
		}
		if got := m.(*wamp.Published).Request; got != wamp.ID(i) {
			t.Fatalf("message %d has request %d", i, got)
		}
	}
	if got := b.Activity(); got != n {
		t.Errorf("b.Activity = %d, want %d", got, n)
	}
}

// TestRecvAfterClose covers the close contract from both ends.
func TestRecvAfterClose(t *testing.T) {
	a, b := Pair()
	send(t, a, &wamp.Published{Request: 1}, &wamp.Published{Request: 2})
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	// b drains what a sent before closing, then sees EOF.
	for i := 1; i <= 2; i++ {
		m, err := b.Recv()
		if err != nil || m.(*wamp.Published).Request != wamp.ID(i) {
			t.Fatalf("b.Recv = %v, %v", m, err)
		}
	}
	if _, err := b.Recv(); err != io.EOF {
		t.Fatalf("b.Recv after drain: %v, want io.EOF", err)
	}
	if _, err := a.Recv(); !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("a.Recv after Close: %v, want ErrClosed", err)
	}
	for name, p := range map[string]transport.Peer{"a": a, "b": b} {
		if err := p.Send([]transport.Outgoing{{Msg: &wamp.Published{}}}); !errors.Is(err, transport.ErrClosed) {
			t.Errorf("%s.Send after close: %v, want ErrClosed", name, err)
		}
		if err := p.Ping(); !errors.Is(err, transport.ErrClosed) {
			t.Errorf("%s.Ping after close: %v, want ErrClosed", name, err)
		}
	}
	// b's own Close turns its EOF into ErrClosed.
	b.Close()
	if _, err := b.Recv(); !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("b.Recv after own Close: %v, want ErrClosed", err)
	}
}

func TestCloseUnblocksRecv(t *testing.T) {
	for _, tc := range []struct {
		name    string
		closeA  bool // close the receiving end a itself, else the other end b
		wantErr error
	}{
		{"local close", true, transport.ErrClosed},
		{"remote close", false, io.EOF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := Pair()
			started := make(chan struct{})
			got := make(chan error, 1)
			go func() {
				close(started)
				_, err := a.Recv()
				got <- err
			}()
			<-started
			if tc.closeA {
				a.Close()
			} else {
				b.Close()
			}
			if err := <-got; !errors.Is(err, tc.wantErr) {
				t.Fatalf("Recv = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestPingCountsAsActivity(t *testing.T) {
	a, b := Pair()
	defer a.Close()
	for i := 1; i <= 3; i++ {
		if err := a.Ping(); err != nil {
			t.Fatal(err)
		}
		if got := a.Activity(); got != uint64(i) {
			t.Fatalf("a.Activity = %d after %d pings", got, i)
		}
	}
	if got := b.Activity(); got != 0 {
		t.Errorf("b.Activity = %d, want 0", got)
	}
}

func TestSendNilMessageDeliversNothing(t *testing.T) {
	a, b := Pair()
	defer a.Close()
	err := a.Send([]transport.Outgoing{{Msg: &wamp.Published{Request: 1}}, {}})
	if err == nil {
		t.Fatal("Send with a nil message succeeded")
	}
	send(t, a, &wamp.Published{Request: 2})
	if m, _ := b.Recv(); m.(*wamp.Published).Request != 2 {
		t.Fatalf("got %v, want only the second Send", m)
	}
}

// TestConcurrentUse runs a sender, a receiver, pings and closes from several
// goroutines at once; it is meant for -race.
func TestConcurrentUse(t *testing.T) {
	a, b := Pair()
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			if a.Send([]transport.Outgoing{{Msg: &wamp.Published{Request: wamp.ID(i)}}}) != nil {
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		for {
			if _, err := b.Recv(); err != nil {
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		for b.Ping() == nil {
			_ = a.Activity()
		}
	}()
	// Close once the receiver has seen some traffic.
	for b.Activity() < 1000 {
		runtime.Gosched()
	}
	go a.Close()
	b.Close()
	wg.Wait()
}
