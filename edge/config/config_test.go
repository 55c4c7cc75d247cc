package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// errLines returns the messages of a joined error, one per problem.
func errLines(err error) []string {
	if err == nil {
		return nil
	}
	var out []string
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		out = append(out, e.Error())
	}
	walk(err)
	return out
}

// parseValidate parses and, if that worked, validates, like Load.
func parseValidate(data, format string) (*Config, error) {
	c, err := Parse([]byte(data), format)
	if err != nil {
		return nil, err
	}
	return c, c.Validate()
}

const minimalYAML = `
version: 2
workers:
  - type: router
    realms:
      - name: realm1
    transports:
      - type: websocket
        endpoint: {type: tcp, port: 8080}
`

func TestGoodConfigs(t *testing.T) {
	tests := []struct {
		name, format, data string
		check              func(t *testing.T, c *Config)
	}{
		{"minimal", "yaml", minimalYAML, func(t *testing.T, c *Config) {
			tr := c.Workers[0].Transports[0]
			if got := tr.Endpoint.Address(""); got != ":8080" {
				t.Errorf("address = %q, want every interface :8080", got)
			}
			if got := SerializerNames(tr.Serializers); !slices.Equal(got, []string{"json", "msgpack", "cbor"}) {
				t.Errorf("default serializers = %v", got)
			}
			if got := c.Workers[0].WorkerID(0); got != "worker001" {
				t.Errorf("default worker id = %q", got)
			}
		}},
		{"no version, port as string", "yaml", `
workers:
  - type: router
    realms: [{name: com.example.realm}]
    transports:
      - {type: rawsocket, endpoint: {type: tcp, interface: "::1", port: "9000", version: 6}}
`, func(t *testing.T, c *Config) {
			e := c.Workers[0].Transports[0].Endpoint
			if *e.Port != 9000 || e.Network() != "tcp6" || e.Address("") != "[::1]:9000" {
				t.Errorf("endpoint = %+v, %s %s", e, e.Network(), e.Address(""))
			}
		}},
		{"unix socket relative to the node dir", "json", `{"workers":[{"type":"router","realms":[{"name":"r1"}],
			"transports":[{"type":"rawsocket","endpoint":{"type":"unix","path":"router.sock"}}]}]}`,
			func(t *testing.T, c *Config) {
				e := c.Workers[0].Transports[0].Endpoint
				if got := e.Address("/var/lib/edgebar"); got != "/var/lib/edgebar/router.sock" || e.Network() != "unix" {
					t.Errorf("unix address = %q %q", got, e.Network())
				}
			}},
		{"web with websocket path and options", "yaml", `
version: 2
controller: {id: node1}
workers:
  - type: router
    id: worker1
    options: {max_queue_bytes: 1048576, max_queue_messages: 100, max_pending_calls: 10, hello_timeout: 5000}
    realms:
      - name: realm1
        options: {uri_check: strict}
        roles:
          - name: anonymous
            permissions:
              - {uri: "", match: prefix, allow: {call: true, register: true, publish: true, subscribe: true}, disclose: {caller: false, publisher: false}, cache: true}
          - name: device
            permissions:
              - {uri: "com.acme.*", allow: {publish: true}}
              - {uri: "com..on_change", match: wildcard, allow: {subscribe: true}}
    transports:
      - type: web
        endpoint: {type: tcp, interface: 127.0.0.1, port: 8080}
        paths:
          ws:
            type: websocket
            serializers: [json, cbor]
            options: {max_message_size: 65536, auto_ping_interval: 0, auto_ping_timeout: 5000}
            auth: {anonymous: {type: static, role: anonymous}}
      - type: rawsocket
        endpoint: {type: tcp, interface: 127.0.0.1, port: 8081}
        options: {max_message_size: 1048576, auto_ping_interval: 0}
        auth: {anonymous: {type: static, role: device}}
`, func(t *testing.T, c *Config) {
			w := c.Workers[0]
			if w.ID != "worker1" || c.Controller.ID != "node1" || w.Options.HelloTimeout != 5000 {
				t.Errorf("ids/options = %q %q %+v", w.ID, c.Controller.ID, w.Options)
			}
			uri, match := w.Realms[0].Roles[1].Permissions[0].Rule()
			if uri != "com.acme." || match != "prefix" {
				t.Errorf("starred rule = %q %q", uri, match)
			}
			if p := w.Transports[0].Paths["ws"]; p.Type != "websocket" || *p.Options.AutoPingInterval != 0 {
				t.Errorf("ws path = %+v", p)
			}
		}},
		{"empty components list is accepted", "json", `{"version":2,"workers":[{"type":"router","realms":[{"name":"r1"}],"components":[],
			"transports":[{"type":"websocket","endpoint":{"type":"tcp","port":0}}]}]}`, nil},
		{"two transports on port 0 do not clash", "yaml", `
workers:
  - type: router
    realms: [{name: r1}]
    transports:
      - {type: websocket, endpoint: {type: tcp, interface: 127.0.0.1, port: 0}}
      - {type: rawsocket, endpoint: {type: tcp, interface: 127.0.0.1, port: 0}}
`, nil},
		{"same port on different interfaces", "yaml", `
workers:
  - type: router
    realms: [{name: r1}]
    transports:
      - {type: websocket, endpoint: {type: tcp, interface: 127.0.0.1, port: 8080}}
      - {type: rawsocket, endpoint: {type: tcp, interface: 127.0.0.2, port: 8080}}
`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseValidate(tt.data, tt.format)
			if err != nil {
				t.Fatalf("unexpected errors:\n%v", err)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestYAMLMergeKeys(t *testing.T) {
	c, err := parseValidate(`
workers:
  - type: router
    realms: [{name: r1}]
    transports:
      - &t1 {type: websocket, endpoint: {type: tcp, interface: 127.0.0.1, port: 8080}, serializers: [json]}
      - {<<: *t1, type: rawsocket, endpoint: {type: tcp, interface: 127.0.0.1, port: 8081}}
`, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	tr := c.Workers[0].Transports[1]
	if tr.Type != "rawsocket" || *tr.Endpoint.Port != 8081 || !slices.Equal(tr.Serializers, []string{"json"}) {
		t.Errorf("merged transport = %+v", tr)
	}
}

func TestDefault(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("default config invalid:\n%v", err)
	}
	w := c.Workers[0]
	if len(w.Realms) != 1 || w.Realms[0].Name != "realm1" || w.Realms[0].Roles[0].Name != "anonymous" {
		t.Errorf("realms = %+v", w.Realms)
	}
	web, raw := w.Transports[0], w.Transports[1]
	if web.Type != "web" || web.Endpoint.Address("") != "127.0.0.1:8080" || web.Paths["ws"].Type != "websocket" {
		t.Errorf("web transport = %+v", web)
	}
	if _, ok := web.Paths["/"]; ok {
		t.Error(`"/" is reserved for the dashboard and must not be configured by default`)
	}
	if raw.Type != "rawsocket" || raw.Endpoint.Address("") != "127.0.0.1:8081" {
		t.Errorf("rawsocket transport = %+v", raw)
	}
	// Default returns a fresh value each time: callers may change it.
	c.Workers[0].Realms[0].Name = "changed"
	if Default().Workers[0].Realms[0].Name != "realm1" {
		t.Error("Default shares state between calls")
	}
}

// base is a valid document that the error cases below change one line of.
func withTransport(tr string) string {
	return `
workers:
  - type: router
    realms: [{name: realm1, roles: [{name: anonymous}]}]
    transports:
      - ` + tr + "\n"
}

func withRealm(r string) string {
	return `
workers:
  - type: router
    transports: [{type: websocket, endpoint: {type: tcp, port: 8080}}]
    realms:
      - ` + r + "\n"
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, format, data string
		want               []string
	}{
		{"unknown field deep", "yaml", withTransport(`{type: websocket, endpoint: {type: tcp, port: 1, prot: 2}}`),
			[]string{"workers[0].transports[0].endpoint.prot: unknown field"}},
		{"unknown top-level field", "json", `{"version": 2, "wrokers": []}`,
			[]string{"wrokers: unknown field"}},
		{"several decode errors at once", "yaml", `
version: "2"
workers:
  - type: router
    realms: [{name: 7}]
    transports: {}
    colour: red
`, []string{
			`version: expected an integer, got a string ("2")`,
			"workers[0].realms[0].name: expected a string, got a number (7)",
			"workers[0].transports: expected a list, got an object",
			"workers[0].colour: unknown field",
		}},
		{"not an integer", "yaml", withTransport(`{type: websocket, endpoint: {type: tcp, port: 80.5}}`),
			[]string{"workers[0].transports[0].endpoint.port: expected an integer, got 80.5"}},
		{"bad port string", "yaml", withTransport(`{type: websocket, endpoint: {type: tcp, port: "http"}}`),
			[]string{`workers[0].transports[0].endpoint.port: expected a port number, got "http"`}},
		{"huge number", "json", `{"version": 99999999999999999999}`,
			[]string{"version: number 99999999999999999999 out of range"}},
		{"boolean as string", "yaml", `
workers:
  - type: router
    realms: [{name: r1, roles: [{name: a, permissions: [{uri: x, allow: {call: "yes"}}]}]}]
`, []string{`workers[0].realms[0].roles[0].permissions[0].allow.call: expected a boolean, got a string ("yes")`}},
		{"worker type later", "yaml", "workers: [{type: guest, executable: /bin/true}]",
			[]string{`workers[0].type: "guest" not supported yet (supported: router)`}},
		{"worker type unknown", "yaml", "workers: [{type: rooter}]",
			[]string{`workers[0].type: unknown type "rooter" (want one of: router)`}},
		{"worker type missing", "yaml", "workers: [{id: abc}]",
			[]string{"workers[0].type: required (one of: router)"}},
		{"transport type later", "yaml", withTransport(`{type: universal, endpoint: {type: tcp, port: 8080}}`),
			[]string{`workers[0].transports[0].type: "universal" not supported yet (supported: websocket, rawsocket, web)`}},
		{"endpoint type later", "yaml", withTransport(`{type: websocket, endpoint: {type: onion, port: 80}}`),
			[]string{`workers[0].transports[0].endpoint.type: "onion" not supported yet (supported: tcp, unix)`}},
		{"static path not supported yet", "yaml", withTransport(`{type: web, endpoint: {type: tcp, port: 8080}, paths: {"/": {type: static, directory: ../web}, ws: {type: websocket}}}`),
			[]string{`workers[0].transports[0].paths["/"].type: "static" not supported yet (supported: websocket)`}},
		{"vocabulary field later", "yaml", withTransport(`{type: websocket, endpoint: {type: tcp, port: 8080, tls: {key: k}}, options: {allowed_origins: ["*"]}}`),
			[]string{
				"workers[0].transports[0].endpoint.tls: not supported yet",
				"workers[0].transports[0].options.allowed_origins: not supported yet",
			}},
		{"auth method later", "yaml", withTransport(`{type: websocket, endpoint: {type: tcp, port: 8080}, auth: {ticket: {type: static}}}`),
			[]string{"workers[0].transports[0].auth.ticket: not supported yet"}},
		{"dynamic authenticator later", "yaml", withTransport(`{type: websocket, endpoint: {type: tcp, port: 8080}, auth: {anonymous: {type: dynamic, authenticator: com.x}}}`),
			[]string{`workers[0].transports[0].auth.anonymous.type: "dynamic" not supported yet (supported: static)`}},
		{"duplicate json key", "json", `{"version": 2, "version": 2}`,
			[]string{"version: duplicate key"}},
		{"duplicate yaml key", "yaml", "version: 2\nworkers: []\nversion: 2\n",
			[]string{"version: duplicate key (line 3)"}},
		{"json syntax", "json", "{\n  \"version\": 2,\n}",
			[]string{"json: line 3 column 1: invalid character '}' looking for beginning of object key string"}},
		{"json trailing data", "json", `{} {}`, []string{"json: data after the top-level value"}},
		{"yaml syntax", "yaml", "workers: [", []string{"yaml: line 1: did not find expected node content"}},
		{"two yaml documents", "yaml", "version: 2\n---\nversion: 2\n", []string{"yaml: more than one document"}},
		{"top level is a list", "yaml", "- 1\n", []string{"expected an object, got a list"}},

		{"store type missing", "yaml", withRealm(`{name: r, store: {limit: 5}}`),
			[]string{"workers[0].realms[0].store.type: required (one of: memory)"}},
		{"store type later", "yaml", withRealm(`{name: r, store: {type: cfxdb}}`),
			[]string{`workers[0].realms[0].store.type: "cfxdb" not supported yet (supported: memory)`}},
		{"store event history", "yaml", withRealm(`
        name: r
        options: {uri_check: strict}
        store:
          type: memory
          limit: -1
          retained_bytes: -2
          event-history:
            - {uri: com.Acme}
            - {uri: com.acme, match: regex}
            - {uri: "com..x", match: wildcard, limit: -3, max_bytes: -4}
            - {uri: "com..x", match: wildcard}
            - {uri: "", match: prefix}`),
			[]string{
				"workers[0].realms[0].store.limit: must not be negative",
				"workers[0].realms[0].store.retained_bytes: must not be negative",
				`workers[0].realms[0].store.event-history[0].uri: invalid topic "com.Acme" for match exact`,
				`workers[0].realms[0].store.event-history[1].match: must be exact, prefix or wildcard, not "regex"`,
				"workers[0].realms[0].store.event-history[2].limit: must not be negative",
				"workers[0].realms[0].store.event-history[2].max_bytes: must not be negative",
				`workers[0].realms[0].store.event-history[3].uri: duplicate history topic "wildcard com..x" (first at workers[0].realms[0].store.event-history[2].uri)`,
			}},

		// Validation errors: all of them at once, each with its path.
		{"empty", "yaml", "", []string{"workers: no workers: the node would serve nothing"}},
		{"version", "json", `{"version": 3, "workers": [{"type": "router", "realms": [{"name": "r"}]}]}`,
			[]string{"version: unsupported version 3 (want 2)"}},
		{"validation collects everything", "yaml", `
version: 2
controller: {id: Node-1}
workers:
  - type: router
    id: w1
    options: {max_queue_bytes: -1}
    realms:
      - name: realm1
        options: {uri_check: medium}
        roles:
          - name: a
            permissions:
              - {uri: "com..x", match: exact}
              - {uri: "", match: wildcard}
              - {uri: "a b", match: prefix}
              - {uri: x, match: fuzzy}
          - name: a
      - name: realm1
      - name: "bad realm"
      - {}
    transports:
      - {type: websocket, endpoint: {type: tcp, port: 70000}, serializers: [json, json, ubjson, xml]}
      - {type: rawsocket, endpoint: {type: tcp, port: 8080, interface: "my host"}, options: {max_message_size: 33554432}}
      - {type: rawsocket, endpoint: {type: tcp, port: 8080}, auth: {anonymous: {type: static, role: nobody}}}
      - {type: rawsocket, endpoint: {type: unix}}
      - {type: rawsocket, endpoint: {type: tcp, port: 9, version: 5, path: x}}
      - {type: rawsocket, endpoint: {type: unix, path: s, port: 1}}
      - {type: rawsocket}
`, []string{
			`controller.id: invalid id "Node-1": must match ^[a-z][a-z0-9_]{2,63}$`,
			`workers[0].id: invalid id "w1": must match ^[a-z][a-z0-9_]{2,63}$`,
			"workers[0].options.max_queue_bytes: must not be negative",
			`workers[0].realms[0].options.uri_check: must be strict or loose, not "medium"`,
			`workers[0].realms[0].roles[0].permissions[0].uri: invalid URI "com..x" for match exact`,
			`workers[0].realms[0].roles[0].permissions[1].uri: invalid URI pattern ""`,
			`workers[0].realms[0].roles[0].permissions[2].uri: invalid URI prefix "a b"`,
			`workers[0].realms[0].roles[0].permissions[3].match: must be exact, prefix or wildcard, not "fuzzy"`,
			`workers[0].realms[0].roles[1].name: duplicate role name "a" (first at workers[0].realms[0].roles[0].name)`,
			`workers[0].realms[1].name: duplicate realm name "realm1" (first at workers[0].realms[0].name)`,
			`workers[0].realms[2].name: invalid realm URI "bad realm"`,
			`workers[0].realms[3].name: required`,
			"workers[0].transports[0].endpoint.port: 70000 out of range 0-65535",
			`workers[0].transports[0].serializers[1]: duplicate serializer "json" (first at workers[0].transports[0].serializers[0])`,
			`workers[0].transports[0].serializers[2]: serializer "ubjson" not supported yet (supported: json, msgpack, cbor)`,
			`workers[0].transports[0].serializers[3]: unknown serializer "xml" (want json, msgpack or cbor)`,
			`workers[0].transports[1].endpoint.interface: "my host" is not an IP address`,
			"workers[0].transports[1].options.max_message_size: 33554432 is over the RawSocket maximum 16777216",
			`workers[0].transports[2].auth.anonymous.role: role "nobody" is not defined in any realm of this worker`,
			"workers[0].transports[3].endpoint.path: required",
			"workers[0].transports[4].endpoint.version: must be 4 or 6, not 5",
			"workers[0].transports[4].endpoint.path: only unix endpoints have a path",
			"workers[0].transports[5].endpoint: a unix endpoint has only a path (no interface, port or version)",
			"workers[0].transports[6].endpoint: required",
			"workers[0].transports[2].endpoint: same endpoint as workers[0].transports[1].endpoint (:8080)",
		}},
		{"web transport rules", "yaml", `
workers:
  - type: router
    realms: [{name: r1, roles: [{name: anonymous}]}]
    transports:
      - type: web
        endpoint: {type: tcp, port: 8080}
        serializers: [json]
        options: {max_message_size: 10, auto_ping_interval: 1000}
        auth: {anonymous: {type: static, role: anonymous}}
        paths:
          "a/b": {type: websocket}
          ws: {type: websocket, options: {auto_ping_interval: 1000, auto_ping_timeout: -1}, auth: {}}
          ws2: {type: websocket, options: {auto_ping_interval: 2000}}
      - {type: web, endpoint: {type: tcp, port: 8081}}
      - {type: websocket, endpoint: {type: tcp, port: 8082}, paths: {ws: {type: websocket}}}
      - {type: rawsocket, endpoint: {type: unix, path: a.sock}}
      - {type: rawsocket, endpoint: {type: unix, path: ./a.sock}}
  - type: router
    id: worker001
    realms: [{name: r1}]
    transports:
      - {type: websocket, endpoint: {type: tcp, interface: 127.0.0.1, port: 8080}}
`, []string{
			"workers[0].transports[0].serializers: not valid on a web transport: set it on a websocket path",
			"workers[0].transports[0].options.max_message_size: not valid on a web transport: set it on a websocket path",
			"workers[0].transports[0].options.auto_ping_interval: not valid on a web transport: set it on a websocket path",
			"workers[0].transports[0].auth: not valid on a web transport: set it on a websocket path",
			`workers[0].transports[0].paths["a/b"]: invalid path "a/b": must be "/" or one component of [A-Za-z0-9_-]`,
			"workers[0].transports[0].paths.ws.options.auto_ping_timeout: must not be negative",
			"workers[0].transports[0].paths.ws.auth: no authentication method: no client could join",
			"workers[0].transports[0].paths.ws2.options.auto_ping_interval: 2000 differs from 1000 at workers[0].transports[0].paths.ws.options.auto_ping_interval: per-transport keepalive not supported yet (the router has one setting)",
			"workers[0].transports[1].paths: a web transport needs at least one path",
			"workers[0].transports[2].paths: only web transports have paths",
			`workers[1].id: duplicate worker id "worker001" (first at workers[0].id)`,
			"workers[0].transports[4].endpoint: same endpoint as workers[0].transports[3].endpoint (./a.sock)",
			"workers[1].transports[0].endpoint: same endpoint as workers[0].transports[0].endpoint (127.0.0.1:8080)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseValidate(tt.data, tt.format)
			got := errLines(err)
			if !slices.Equal(got, tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for _, e := range flatten(err) {
				var fe *FieldError
				if !errors.As(e, &fe) {
					t.Errorf("%v is not a *FieldError", e)
				}
			}
		})
	}
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

// TestYAMLJSONEquivalent decodes the same documents written both ways.
func TestYAMLJSONEquivalent(t *testing.T) {
	pairs := []struct{ yaml, json string }{
		{minimalYAML, `{"version": 2, "workers": [{"type": "router", "realms": [{"name": "realm1"}],
			"transports": [{"type": "websocket", "endpoint": {"type": "tcp", "port": 8080}}]}]}`},
		{`
version: 2
controller: {id: node1}
workers:
  - type: router
    options: {hello_timeout: 1000}
    realms:
      - name: realm1
        roles: [{name: anonymous, permissions: [{uri: "", match: prefix, allow: {call: true}, cache: true}]}]
    transports:
      - type: web
        endpoint: {type: tcp, interface: 127.0.0.1, port: "8080"}
        paths: {ws: {type: websocket, serializers: [json], options: {auto_ping_interval: 0}, auth: {anonymous: {type: static, role: anonymous}}}}
`, `{
  "version": 2,
  "controller": {"id": "node1"},
  "workers": [{
    "type": "router",
    "options": {"hello_timeout": 1000},
    "realms": [{"name": "realm1", "roles": [{"name": "anonymous",
      "permissions": [{"uri": "", "match": "prefix", "allow": {"call": true}, "cache": true}]}]}],
    "transports": [{
      "type": "web",
      "endpoint": {"type": "tcp", "interface": "127.0.0.1", "port": 8080},
      "paths": {"ws": {"type": "websocket", "serializers": ["json"], "options": {"auto_ping_interval": 0},
        "auth": {"anonymous": {"type": "static", "role": "anonymous"}}}}
    }]
  }]
}`},
	}
	for i, p := range pairs {
		y, err := Parse([]byte(p.yaml), "yaml")
		if err != nil {
			t.Fatalf("pair %d yaml: %v", i, err)
		}
		j, err := Parse([]byte(p.json), "json")
		if err != nil {
			t.Fatalf("pair %d json: %v", i, err)
		}
		if !reflect.DeepEqual(y, j) {
			t.Errorf("pair %d differs:\nyaml %+v\njson %+v", i, y, j)
		}
		if err := y.Validate(); err != nil {
			t.Errorf("pair %d invalid: %v", i, err)
		}
	}
}

// crossbarTemplate has the shape of the config.json that `crossbar init`
// writes (node/templates/default). edgebar reads all of it and names every
// part it does not implement yet.
const crossbarTemplate = `{
  "$schema": "https://raw.githubusercontent.com/crossbario/crossbar/master/crossbar.json",
  "version": 2,
  "controller": {},
  "workers": [{
    "type": "router",
    "realms": [{
      "name": "realm1",
      "roles": [{
        "name": "anonymous",
        "permissions": [{
          "uri": "", "match": "prefix",
          "allow": {"call": true, "register": true, "publish": true, "subscribe": true},
          "disclose": {"caller": false, "publisher": false},
          "cache": true
        }]
      }]
    }],
    "transports": [
      {
        "type": "rawsocket",
        "endpoint": {"type": "tcp", "port": 8081, "backlog": 1024},
        "options": {"max_message_size": 1048576},
        "serializers": ["cbor", "msgpack", "json"]
      },
      {
        "type": "web",
        "endpoint": {"type": "tcp", "port": 8080, "backlog": 1024},
        "paths": {
          "/": {"type": "static", "directory": "../web", "options": {"enable_directory_listing": true}},
          "ws": {
            "type": "websocket",
            "serializers": ["cbor", "msgpack", "json"],
            "options": {
              "allowed_origins": ["*"], "allow_null_origin": true, "enable_webstatus": false,
              "max_frame_size": 1048576, "max_message_size": 1048576, "auto_fragment_size": 65536,
              "fail_by_drop": true, "open_handshake_timeout": 2500, "close_handshake_timeout": 1000,
              "auto_ping_interval": 10000, "auto_ping_timeout": 5000, "auto_ping_size": 4,
              "compression": {"deflate": {"request_no_context_takeover": false}}
            }
          },
          "info": {"type": "nodeinfo"}
        }
      }
    ]
  }]
}`

func TestCrossbarTemplate(t *testing.T) {
	_, err := Parse([]byte(crossbarTemplate), "json")
	want := []string{
		"workers[0].transports[0].endpoint.backlog: not supported yet",
		"workers[0].transports[1].endpoint.backlog: not supported yet",
		`workers[0].transports[1].paths["/"].type: "static" not supported yet (supported: websocket)`,
		"workers[0].transports[1].paths.ws.options.allowed_origins: not supported yet",
		"workers[0].transports[1].paths.ws.options.allow_null_origin: not supported yet",
		"workers[0].transports[1].paths.ws.options.enable_webstatus: not supported yet",
		"workers[0].transports[1].paths.ws.options.max_frame_size: not supported yet",
		"workers[0].transports[1].paths.ws.options.auto_fragment_size: not supported yet",
		"workers[0].transports[1].paths.ws.options.fail_by_drop: not supported yet",
		"workers[0].transports[1].paths.ws.options.open_handshake_timeout: not supported yet",
		"workers[0].transports[1].paths.ws.options.close_handshake_timeout: not supported yet",
		"workers[0].transports[1].paths.ws.options.auto_ping_size: not supported yet",
		"workers[0].transports[1].paths.ws.options.compression: not supported yet",
		`workers[0].transports[1].paths.info.type: "nodeinfo" not supported yet (supported: websocket)`,
	}
	if got := errLines(err); !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// With those parts removed, the same file is a valid edgebar config.
	trimmed := `{
  "$schema": "https://raw.githubusercontent.com/crossbario/crossbar/master/crossbar.json",
  "version": 2,
  "controller": {},
  "workers": [{
    "type": "router",
    "realms": [{"name": "realm1", "roles": [{"name": "anonymous", "permissions": [{"uri": "", "match": "prefix",
      "allow": {"call": true, "register": true, "publish": true, "subscribe": true},
      "disclose": {"caller": false, "publisher": false}, "cache": true}]}]}],
    "transports": [
      {"type": "rawsocket", "endpoint": {"type": "tcp", "port": 8081},
       "options": {"max_message_size": 1048576}, "serializers": ["cbor", "msgpack", "json"]},
      {"type": "web", "endpoint": {"type": "tcp", "port": 8080},
       "paths": {"ws": {"type": "websocket", "serializers": ["cbor", "msgpack", "json"],
         "options": {"max_message_size": 1048576, "auto_ping_interval": 10000, "auto_ping_timeout": 5000}}}}
    ]
  }]
}`
	if _, err := parseValidate(trimmed, "json"); err != nil {
		t.Errorf("trimmed crossbar config: %v", err)
	}
}

// TestResearchExample is the larger Crossbar config in research/crossbar.md
// §1.3 (rawsocket on a unix socket, roles with an authorizer, cryptosign,
// ticket, publisher and caller services, a guest worker).
func TestResearchExample(t *testing.T) {
	data := `{
  "version": 2,
  "controller": {"id": "edge_gw_01", "options": {"shutdown": ["shutdown_on_worker_exit_with_error"]}},
  "workers": [
    {"type": "router", "id": "router1", "options": {"title": "edge-router"},
     "realms": [{"name": "iot", "options": {"enable_meta_api": true, "uri_check": "strict"},
       "roles": [
         {"name": "device", "permissions": [{"uri": "com.acme.sensor.", "match": "prefix",
           "allow": {"call": false, "register": true, "publish": true, "subscribe": false},
           "disclose": {"caller": true, "publisher": true}, "cache": true}]},
         {"name": "frontend", "authorizer": "com.acme.authorize"}]}],
     "transports": [
       {"type": "rawsocket", "endpoint": {"type": "unix", "path": "router.sock"},
        "serializers": ["cbor", "msgpack", "json"], "options": {"max_message_size": 1048576},
        "auth": {"anonymous": {"type": "static", "role": "device"}}},
       {"type": "web", "endpoint": {"type": "tcp", "port": 8443},
        "paths": {"ws": {"type": "websocket", "auth": {"ticket": {"type": "dynamic", "authenticator": "com.acme.authenticate"}}},
                  "publish": {"type": "publisher", "realm": "iot", "role": "backend"}}}],
     "components": [{"type": "class", "classname": "acme.auth.Authenticator", "realm": "iot", "role": "backend"}]},
    {"type": "guest", "id": "modbus_bridge", "executable": "/usr/bin/node", "arguments": ["bridge.js"]}
  ]
}`
	want := []string{
		"controller.options: not supported yet",
		"workers[0].options.title: not supported yet",
		"workers[0].realms[0].options.enable_meta_api: not supported yet",
		"workers[0].realms[0].roles[1].authorizer: not supported yet",
		"workers[0].transports[1].paths.ws.auth.ticket: not supported yet",
		`workers[0].transports[1].paths.publish.type: "publisher" not supported yet (supported: websocket)`,
		"workers[0].components: not supported yet",
		`workers[1].type: "guest" not supported yet (supported: router)`,
	}
	_, err := Parse([]byte(data), "json")
	if got := errLines(err); !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPermissionRule(t *testing.T) {
	tests := []struct{ uri, match, wantURI, wantMatch string }{
		{"com.example.proc", "", "com.example.proc", "exact"},
		{"com.example.*", "", "com.example.", "prefix"},
		{"*", "", "", "prefix"},
		{"com.*.proc", "", "com..proc", "wildcard"},
		{"com.example.*", "exact", "com.example.*", "exact"},
		{"", "prefix", "", "prefix"},
	}
	for _, tt := range tests {
		p := Permission{URI: tt.uri, Match: tt.match}
		if u, m := p.Rule(); u != tt.wantURI || m != tt.wantMatch {
			t.Errorf("Rule(%q, %q) = %q, %q; want %q, %q", tt.uri, tt.match, u, m, tt.wantURI, tt.wantMatch)
		}
	}
}

func TestLoadAndFind(t *testing.T) {
	dir := t.TempDir()
	if p, err := Find(dir); err != nil || p != "" {
		t.Fatalf("Find in empty dir = %q, %v", p, err)
	}
	cb := filepath.Join(dir, ".crossbar")
	eb := filepath.Join(dir, ".edgebar")
	for _, d := range []string{cb, eb} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cbFile := filepath.Join(cb, "config.json")
	if err := os.WriteFile(cbFile, []byte(`{"version": 2, "workers": [{"type": "router", "realms": [{"name": "r1"}],
		"transports": [{"type": "rawsocket", "endpoint": {"type": "unix", "path": "r.sock"}}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if p, _ := Find(dir); p != cbFile {
		t.Errorf("Find = %q, want crossbar's %q", p, cbFile)
	}
	c, err := Load(cbFile)
	if err != nil {
		t.Fatal(err)
	}
	if c.Dir != cb || c.Workers[0].Transports[0].Endpoint.Address(c.Dir) != filepath.Join(cb, "r.sock") {
		t.Errorf("Dir = %q, address = %q", c.Dir, c.Workers[0].Transports[0].Endpoint.Address(c.Dir))
	}

	ebFile := filepath.Join(eb, "config.yaml")
	if err := os.WriteFile(ebFile, []byte(minimalYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	if p, _ := Find(dir); p != ebFile {
		t.Errorf("Find = %q, want edgebar's %q first", p, ebFile)
	}
	if p, _ := FindIn(eb); p != ebFile {
		t.Errorf("FindIn = %q", p)
	}
	if _, err := Load(ebFile); err != nil {
		t.Error(err)
	}

	bad := filepath.Join(dir, "bad.yml")
	os.WriteFile(bad, []byte("workers: [{type: router, realms: [{name: r1}], transports: [{type: websocket, endpoint: {type: tcp, port: 99999}}]}]"), 0o644)
	_, err = Load(bad)
	if got := errLines(err); !slices.Equal(got, []string{"workers[0].transports[0].endpoint.port: 99999 out of range 0-65535"}) {
		t.Errorf("Load(bad) = %q", got)
	}
	if _, err := Load(filepath.Join(dir, "config.toml")); err == nil || !strings.Contains(err.Error(), "unknown file type") {
		t.Errorf("Load(.toml) = %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v", err)
	}
}
