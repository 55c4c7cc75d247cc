package router

import (
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/edgebar/edgebar/router/transport/rawsocket"
	"github.com/edgebar/edgebar/router/transport/websocket"
)

// ServeRawSocket accepts RawSocket connections on ln (TCP or Unix) until ln
// is closed or the router shuts down. Handshakes run in their own goroutines
// so a slow client cannot hold up the accept loop.
func (r *Router) ServeRawSocket(ln net.Listener, cfg rawsocket.Config) error {
	if cfg.MaxMessageSize == 0 {
		cfg.MaxMessageSize = r.cfg.Session.MaxMessageSize
	}
	r.mu.Lock()
	if r.closing {
		r.mu.Unlock()
		return ErrShutdown
	}
	r.listeners[ln] = struct{}{}
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.listeners, ln)
		r.mu.Unlock()
	}()
	var delay time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			r.mu.Lock()
			closing := r.closing
			r.mu.Unlock()
			if closing {
				return ErrShutdown
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, errTooManyFiles) {
				// Back off on temporary errors (out of file descriptors)
				// as net/http does, instead of spinning.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				r.log.Warn("router: accept failed, retrying", "err", err, "delay", delay)
				time.Sleep(delay)
				continue
			}
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		delay = 0
		go func() {
			p, err := rawsocket.Accept(conn, cfg)
			if err != nil {
				r.log.Debug("router: rawsocket handshake failed", "remote", conn.RemoteAddr().String(), "err", err)
				conn.Close()
				return
			}
			r.Attach(p)
		}()
	}
}

// WebSocketHandler returns the HTTP handler that upgrades requests to WAMP
// over WebSocket; mount it at a path of a web transport.
func (r *Router) WebSocketHandler(cfg websocket.Config) http.Handler {
	if cfg.MaxMessageSize == 0 {
		cfg.MaxMessageSize = r.cfg.Session.MaxMessageSize
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		p, err := websocket.Upgrade(w, req, cfg)
		if err != nil {
			r.log.Debug("router: websocket upgrade failed", "remote", req.RemoteAddr, "err", err)
			return
		}
		r.Attach(p)
	})
}
