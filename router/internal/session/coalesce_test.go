package session

import (
	"io"
	"log/slog"
	"testing"

	"github.com/edgebar/edgebar/router/transport/local"
	"github.com/edgebar/edgebar/router/wamp"
)

func newTestSession(t *testing.T, co *Coalescer) *Session {
	t.Helper()
	a, b := local.Pair()
	t.Cleanup(func() { a.Close(); b.Close() })
	return New(1, a, Limits{}, slog.New(slog.NewTextHandler(io.Discard, nil)), co)
}

// woken reports whether the writer has a wake-up pending, and consumes it.
func woken(s *Session) bool {
	select {
	case <-s.wake:
		return true
	default:
		return false
	}
}

func TestCoalescerDefersWakeUntilLeave(t *testing.T) {
	tests := []struct {
		name    string
		readers int  // active readers when the messages are queued
		co      bool // sessions share a Coalescer
		sends   int
	}{
		{name: "no coalescer wakes at once", co: false, readers: 0, sends: 3},
		{name: "idle router wakes at once", co: true, readers: 0, sends: 3},
		{name: "one active reader", co: true, readers: 1, sends: 3},
		{name: "two active readers, first leave wakes", co: true, readers: 2, sends: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var co *Coalescer
			if tt.co {
				co = NewCoalescer()
			}
			s := newTestSession(t, co)
			for range tt.readers {
				co.enter()
			}
			for i := range tt.sends {
				if !s.Send(&wamp.Result{Request: wamp.ID(i + 1)}) {
					t.Fatalf("Send %d refused", i)
				}
			}
			if got, want := woken(s), tt.readers == 0; got != want {
				t.Fatalf("writer woken before any reader left = %v, want %v", got, want)
			}
			if tt.readers == 0 {
				return
			}
			if n := len(co.owed); n != 1 {
				t.Errorf("session owed %d times, want once", n)
			}
			co.leave()
			if !woken(s) {
				t.Fatal("writer not woken when the first active reader left")
			}
			if s.owed.Load() {
				t.Error("session still marked owed after the wake-up")
			}
			for range tt.readers - 1 {
				co.leave()
			}
			if woken(s) {
				t.Error("writer woken twice for one burst")
			}
			s.mu.Lock()
			queued := len(s.queue)
			s.mu.Unlock()
			if queued != tt.sends {
				t.Errorf("queue holds %d messages, want %d", queued, tt.sends)
			}
		})
	}
}

// fakeBuffered is a transport.Buffered source for burst: it has n whole
// messages buffered.
type fakeBuffered struct{ n int }

func (f *fakeBuffered) Buffered() bool { return f.n > 0 }

func TestBurstEndsWhenInputRunsDryOrAtMax(t *testing.T) {
	tests := []struct {
		name     string
		buffered int // messages buffered after the first one
		leaves   int // leave calls expected while routing 1+buffered messages
	}{
		{name: "single message wakes at once", buffered: 0, leaves: 0},
		{name: "burst of 10", buffered: 9, leaves: 1},
		{name: "bounded at maxBurst", buffered: maxBurst + 10, leaves: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			co := NewCoalescer()
			s := newTestSession(t, nil)
			src := &fakeBuffered{n: tt.buffered}
			b := burst{c: co, source: src}
			wakes := 0
			for i := range 1 + tt.buffered {
				b.next()
				if woken(s) {
					wakes++
				}
				if b.n == 0 && co.active != 0 {
					t.Fatal("coalescer active outside a burst")
				}
				if i > 0 {
					src.n-- // Recv takes a buffered message
				}
				b.start()
				if got, want := co.owe(s), tt.buffered > 0; got != want {
					t.Fatalf("message %d: deferred = %v, want %v", i, got, want)
				}
			}
			b.next()
			if woken(s) {
				wakes++
			}
			if wakes != tt.leaves {
				t.Errorf("writer woken %d times, want %d", wakes, tt.leaves)
			}
			if co.active != 0 {
				t.Errorf("coalescer active = %d after the input ran dry, want 0", co.active)
			}
		})
	}
}
