package config

import (
	"time"

	"github.com/edgebar/edgebar/router"
	"github.com/edgebar/edgebar/router/wamp"
)

// RouterConfig converts a validated router worker into the router's
// configuration. Zero values keep the router's own defaults, which are the
// defaults documented on the fields here.
//
// The router has one session configuration for all transports: keepalive
// comes from the transports (Validate makes them agree), and MaxMessageSize
// is the largest of theirs (each transport still enforces its own limit on
// what it reads). Roles and auth are not part of router.Config yet.
func (w *Worker) RouterConfig() router.Config {
	var rc router.Config
	for _, r := range w.Realms {
		rc.Realms = append(rc.Realms, router.RealmConfig{
			Name:       wamp.URI(r.Name),
			StrictURIs: r.Options.URICheck == "strict",
		})
		if st := r.Store; st != nil {
			rr := &rc.Realms[len(rc.Realms)-1]
			rr.RetainedBytes = st.RetainedBytes
			for _, h := range st.EventHistory {
				limit := h.Limit
				if limit == 0 {
					limit = st.Limit
				}
				rr.History = append(rr.History, router.HistoryConfig{
					Topic: wamp.URI(h.URI), Match: h.Match, Limit: limit, MaxBytes: h.MaxBytes,
				})
			}
		}
	}
	s := &rc.Session
	s.OutQueueBytes = w.Options.MaxQueueBytes
	s.OutQueueMessages = w.Options.MaxQueueMessages
	s.MaxPendingCalls = w.Options.MaxPendingCalls
	s.HelloTimeout = ms(w.Options.HelloTimeout)
	for _, o := range w.wampOptions() {
		s.MaxMessageSize = max(s.MaxMessageSize, o.MaxMessageSize)
		if o.AutoPingInterval != nil {
			s.KeepaliveInterval = ms(*o.AutoPingInterval)
			if *o.AutoPingInterval == 0 {
				s.KeepaliveInterval = -1 // 0 in the file: no pings
			}
		}
		if o.AutoPingTimeout != nil {
			s.KeepaliveTimeout = ms(*o.AutoPingTimeout)
		}
	}
	return rc
}

// wampOptions returns the options of every WAMP endpoint of w: websocket
// and rawsocket transports and the websocket paths of web transports.
func (w *Worker) wampOptions() []*TransportOptions {
	var opts []*TransportOptions
	for i := range w.Transports {
		t := &w.Transports[i]
		if t.Type != "web" {
			opts = append(opts, &t.Options)
			continue
		}
		for _, p := range t.Paths {
			opts = append(opts, &p.Options)
		}
	}
	return opts
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }
