package interop

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/edgebar/edgebar/router"
	"github.com/edgebar/edgebar/router/transport/rawsocket"
	"github.com/edgebar/edgebar/router/transport/websocket"
)

// historyTopic is the prefix with event history (HISTORY_PREFIX in the scripts).
const historyTopic = "interop.history"

// startRouter runs an in-process router with realm1, WebSocket on one loopback
// listener and RawSocket on another, and shuts it down when the test ends. It returns
// the WebSocket URL and the RawSocket URL (tcp://host:port).
func startRouter(t *testing.T) (wsURL, rsURL string) {
	t.Helper()
	logs := &lockedBuffer{}
	// Event history for the meta_history scenario: every cell publishes under its own
	// sub-topic, so the limit leaves room for all of them at once.
	history := []router.HistoryConfig{{Topic: historyTopic, Match: "prefix", Limit: 1000}}
	r, err := router.New(router.Config{Realms: []router.RealmConfig{{Name: realm, History: history}}},
		router.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatalf("router.New: %v", err)
	}
	wln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		wln.Close()
		t.Fatal(err)
	}
	srv := &http.Server{Handler: r.WebSocketHandler(websocket.Config{}), ReadHeaderTimeout: 10 * time.Second}
	httpDone := make(chan error, 1)
	go func() { httpDone <- srv.Serve(wln) }()
	rsDone := make(chan error, 1)
	go func() { rsDone <- r.ServeRawSocket(rln, rawsocket.Config{}) }()

	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.Shutdown(ctx); err != nil {
			t.Errorf("router Shutdown: %v", err)
		}
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("http Shutdown: %v", err)
		}
		rln.Close()
		if err := <-httpDone; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("http Serve: %v", err)
		}
		if err := <-rsDone; err != nil && !errors.Is(err, router.ErrShutdown) {
			t.Errorf("ServeRawSocket: %v", err)
		}
		if t.Failed() {
			t.Logf("router log (last 16 KiB):\n%s", tail(logs.Bytes(), 16<<10))
		}
	})
	return "ws://" + wln.Addr().String() + "/", "tcp://" + rln.Addr().String()
}

// lockedBuffer collects the router's log for a failure report; the router logs from
// many goroutines.
type lockedBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (lb *lockedBuffer) Write(p []byte) (int, error) {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	return lb.b.Write(p)
}

func (lb *lockedBuffer) Bytes() []byte {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	return bytes.Clone(lb.b.Bytes())
}
