package config

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/edgebar/edgebar/router"
)

func TestRouterConfig(t *testing.T) {
	tests := []struct {
		name string
		data string
		want router.Config
	}{
		{"defaults stay zero for the router's own", minimalYAML, router.Config{
			Realms: []router.RealmConfig{{Name: "realm1"}},
		}},
		{"everything set", `
workers:
  - type: router
    options: {max_queue_bytes: 1000, max_queue_messages: 10, max_pending_calls: 5, hello_timeout: 2500}
    realms: [{name: a.b, options: {uri_check: strict}}, {name: c, options: {uri_check: loose}}]
    transports:
      - {type: rawsocket, endpoint: {type: tcp, port: 1}, options: {max_message_size: 4096, auto_ping_interval: 1500}}
      - type: web
        endpoint: {type: tcp, port: 2}
        paths: {ws: {type: websocket, options: {max_message_size: 65536, auto_ping_timeout: 700}}}
`, router.Config{
			Realms: []router.RealmConfig{{Name: "a.b", StrictURIs: true}, {Name: "c"}},
			Session: router.SessionConfig{
				MaxMessageSize:    65536,
				OutQueueBytes:     1000,
				OutQueueMessages:  10,
				MaxPendingCalls:   5,
				HelloTimeout:      2500 * time.Millisecond,
				KeepaliveInterval: 1500 * time.Millisecond,
				KeepaliveTimeout:  700 * time.Millisecond,
			},
		}},
		{"store: event history and retained bytes", `
workers:
  - type: router
    realms:
      - name: r
        store:
          type: memory
          limit: 50
          retained_bytes: 65536
          event-history:
            - {uri: com.acme.sensor., match: prefix, limit: 1000, max_bytes: 4096}
            - {uri: com.acme.log}
    transports: [{type: websocket, endpoint: {type: tcp, port: 1}}]
`, router.Config{
			Realms: []router.RealmConfig{{Name: "r", RetainedBytes: 65536, History: []router.HistoryConfig{
				{Topic: "com.acme.sensor.", Match: "prefix", Limit: 1000, MaxBytes: 4096},
				{Topic: "com.acme.log", Limit: 50},
			}}},
		}},
		{"auto_ping_interval 0 turns keepalive off", `
workers:
  - type: router
    realms: [{name: r}]
    transports: [{type: websocket, endpoint: {type: tcp, port: 1}, options: {auto_ping_interval: 0}}]
`, router.Config{
			Realms:  []router.RealmConfig{{Name: "r"}},
			Session: router.SessionConfig{KeepaliveInterval: -1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseValidate(tt.data, "yaml")
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Workers[0].RouterConfig(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("RouterConfig =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

// TestDefaultStartsARouter checks that the built-in default is accepted by
// router.New as it is.
func TestDefaultStartsARouter(t *testing.T) {
	r, err := router.New(Default().Workers[0].RouterConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}
