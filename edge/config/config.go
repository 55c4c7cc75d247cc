package config

import (
	"net"
	"path/filepath"
	"strconv"
)

// Struct tags used by the strict decoder (decode.go):
//
//	json:"name"               the key in the file (YAML uses the same keys)
//	types:"a,b"               on a type field: the values edgebar implements
//	later:"c,d"               on a type field: values Crossbar knows that edgebar
//	                          does not implement yet; the object is then reported
//	                          "not supported yet" and not decoded further
//	later:"-"                 on any other field: Crossbar vocabulary that edgebar
//	                          does not implement yet; present means an error
//
// Fields typed `any` with later:"-" exist only to give that error.

// Config is one node configuration file.
type Config struct {
	// Schema is Crossbar's "$schema" editor hint; it is accepted and has no
	// effect.
	Schema string `json:"$schema"`
	// Version is the config format. Only 2 (Crossbar's current format) is
	// accepted; absent (0) means 2.
	Version int `json:"version"`
	// Controller describes the node itself. Absent: all defaults.
	Controller *Controller `json:"controller"`
	// Workers are started in order. Absent or empty: the node runs nothing.
	Workers []Worker `json:"workers"`

	// Dir is the directory the file was loaded from (Crossbar's node
	// directory, e.g. ".edgebar"); relative unix socket paths are resolved
	// against it. It is not read from the file. Empty: the current directory.
	Dir string `json:"-"`
}

// Controller is the node controller's section.
type Controller struct {
	// ID names the node, e.g. in the management URIs edgebar.node.<id>.*.
	// It must match Crossbar's id rule ^[a-z][a-z0-9_]{2,63}$. Empty: the
	// controller picks one (not used by anything yet).
	ID string `json:"id"`

	Options     any `json:"options" later:"-"`
	Manhole     any `json:"manhole" later:"-"`
	Connections any `json:"connections" later:"-"`
	Keyring     any `json:"keyring" later:"-"`
}

// Worker is one worker of the node. Only router workers exist so far.
type Worker struct {
	// Type is the worker kind: "router". Crossbar's container, guest, proxy
	// and websocket-testee workers are not supported yet.
	Type string `json:"type" types:"router" later:"container,guest,proxy,websocket-testee,marketmaker,xbrmm"`
	// ID names the worker in logs; same rule as Controller.ID. Empty:
	// "worker001", "worker002", ... by position (as Crossbar does), see
	// WorkerID.
	ID string `json:"id"`
	// Options tune the router worker.
	Options WorkerOptions `json:"options"`
	// Realms the router serves. A client must name one of them in HELLO;
	// there is no auto-created realm.
	Realms []Realm `json:"realms"`
	// Transports the router listens on.
	Transports []Transport `json:"transports"`

	Components  any `json:"components" later:"-"`
	Connections any `json:"connections" later:"-"`
	Manhole     any `json:"manhole" later:"-"`
}

// WorkerOptions are the router-wide session limits (edgebar's own keys) and
// Crossbar's native worker options (not supported yet). All sizes are bytes,
// all durations milliseconds, like Crossbar's.
type WorkerOptions struct {
	// MaxQueueBytes bounds each session's outbound queue in bytes. When a
	// subscriber's queue is full its new EVENTs are dropped; a session that
	// cannot take a RESULT, INVOCATION, ERROR, WELCOME or GOODBYE is
	// disconnected ("slow consumer"). Absent or 0: 8 MiB.
	MaxQueueBytes int `json:"max_queue_bytes"`
	// MaxQueueMessages bounds each session's outbound queue in messages, with
	// the same policy. Absent or 0: 8192.
	MaxQueueMessages int `json:"max_queue_messages"`
	// MaxPendingCalls bounds the calls one caller session may have
	// outstanding. Absent or 0: 65536.
	MaxPendingCalls int `json:"max_pending_calls"`
	// HelloTimeout is how long a new connection may take to send HELLO, in
	// ms. Absent or 0: 10000.
	HelloTimeout int `json:"hello_timeout"`

	Title            any `json:"title" later:"-"`
	Python           any `json:"python" later:"-"`
	PythonPath       any `json:"pythonpath" later:"-"`
	CPUAffinity      any `json:"cpu_affinity" later:"-"`
	Env              any `json:"env" later:"-"`
	Reactor          any `json:"reactor" later:"-"`
	Disabled         any `json:"disabled" later:"-"`
	ExposeController any `json:"expose_controller" later:"-"`
	ExposeShared     any `json:"expose_shared" later:"-"`
}

// Realm is one routing realm: its own broker, dealer and roles.
type Realm struct {
	// Name is the realm URI clients give in HELLO; required, a valid URI,
	// unique within the worker.
	Name string `json:"name"`
	// Options tune the realm.
	Options RealmOptions `json:"options"`
	// Roles are kept as data: authorization by role comes in a later
	// version; until then every session may do everything.
	Roles []Role `json:"roles"`
	// Store keeps events: event history per configured topic, and the
	// bound of retained events. Absent: no history, default bounds.
	Store *Store `json:"store"`

	Stats     any `json:"stats" later:"-"`
	RLinks    any `json:"rlinks" later:"-"`
	Inventory any `json:"inventory" later:"-"`
}

// RealmOptions are Crossbar's realm options.
type RealmOptions struct {
	// URICheck is "strict" (URI components only [0-9a-z_]) or "loose" (any
	// component without whitespace, '.' or '#'). Absent: "loose", as
	// Crossbar.
	URICheck string `json:"uri_check"`

	EnableMetaAPI             any `json:"enable_meta_api" later:"-"`
	BridgeMetaAPI             any `json:"bridge_meta_api" later:"-"`
	EventDispatchingChunkSize any `json:"event_dispatching_chunk_size" later:"-"`
}

// Store is Crossbar's realm event store, in memory (edgebar has no
// persistent store): event history for wamp.subscription.get_events.
type Store struct {
	// Type is "memory"; required (Crossbar's "cfxdb" is not supported).
	Type string `json:"type" types:"memory" later:"cfxdb"`
	// Limit is the number of events kept per history topic that sets no
	// limit of its own. Absent: 100.
	Limit int `json:"limit"`
	// EventHistory lists the topics (or patterns) whose events are kept.
	EventHistory []EventHistory `json:"event-history"`
	// RetainedBytes bounds the memory of the realm's retained events,
	// payload plus 256 bytes per event (edgebar's option). Absent: 4 MiB.
	RetainedBytes int `json:"retained_bytes"`
}

// EventHistory is one topic with event history.
type EventHistory struct {
	// URI is the topic, prefix or pattern; required.
	URI string `json:"uri"`
	// Match is "exact", "prefix" or "wildcard". Absent: exact.
	Match string `json:"match"`
	// Limit is the number of events kept. Absent: the store's limit.
	Limit int `json:"limit"`
	// MaxBytes bounds the memory of the kept events, payload plus 256
	// bytes per event; the oldest go first (edgebar's option). Absent: 1 MiB.
	MaxBytes int `json:"max_bytes"`
}

// Role is a named set of permissions. Sessions get a role from the
// transport's auth section.
type Role struct {
	// Name is the role name (authrole); required, unique within the realm.
	Name string `json:"name"`
	// Permissions are the static rules of the role. Absent: nothing is
	// allowed to the role (Crossbar's default).
	Permissions []Permission `json:"permissions"`

	Authorizer any `json:"authorizer" later:"-"`
}

// Permission is one static rule of a role.
type Permission struct {
	// URI is the URI, prefix or pattern the rule applies to. "" with match
	// prefix covers every URI. Without Match, Crossbar's starred form is
	// understood: "com.example.*" is prefix "com.example.", a '*' elsewhere
	// makes a wildcard pattern, no '*' is exact (see Rule).
	URI string `json:"uri"`
	// Match is "exact", "prefix" or "wildcard". Absent: derived from URI as
	// above.
	Match string `json:"match"`
	// Allow lists the actions granted. Absent actions: not allowed.
	Allow Allow `json:"allow"`
	// Disclose reveals the caller's or publisher's session to callees and
	// subscribers. Absent: false.
	Disclose Disclose `json:"disclose"`
	// Cache lets the router cache the decision. Absent: false.
	Cache bool `json:"cache"`

	Validate any `json:"validate" later:"-"`
}

// Allow is the set of actions a permission grants.
type Allow struct {
	Call      bool `json:"call"`
	Register  bool `json:"register"`
	Publish   bool `json:"publish"`
	Subscribe bool `json:"subscribe"`
}

// Disclose says whose identity a permission reveals.
type Disclose struct {
	Caller    bool `json:"caller"`
	Publisher bool `json:"publisher"`
}

// Transport is one listening transport of a router worker.
type Transport struct {
	// Type is "websocket" (WAMP over WebSocket on its own port, any path),
	// "rawsocket" (WAMP-RawSocket over TCP or a unix socket) or "web" (HTTP
	// with a tree of Paths, WebSocket being one path service).
	Type string `json:"type" types:"websocket,rawsocket,web" later:"universal,mqtt,flashpolicy,websocket.testee,stream.testee"`
	// ID names the transport in logs; same rule as Controller.ID. Empty:
	// "transport001", ... by position, see TransportID.
	ID string `json:"id"`
	// Endpoint is where to listen; required.
	Endpoint Endpoint `json:"endpoint"`
	// Serializers offered (websocket and rawsocket only): "json",
	// "msgpack", "cbor". Absent: all three.
	Serializers []string `json:"serializers"`
	// Options of the WAMP connection (websocket and rawsocket only; a web
	// transport sets them on its websocket paths).
	Options TransportOptions `json:"options"`
	// Auth maps authentication methods to their configuration (websocket
	// and rawsocket only). Absent: anonymous, role "anonymous", as Crossbar.
	Auth *Auth `json:"auth"`
	// Paths is the service tree of a web transport: a key is "/" or one
	// path component ([A-Za-z0-9_-]+). Only "websocket" services exist yet.
	// Absent on a web transport: an error (a web transport without paths
	// serves nothing).
	Paths map[string]Path `json:"paths"`

	Cookie any `json:"cookie" later:"-"`
	Debug  any `json:"debug" later:"-"`
}

// Path is one service of a web transport's path tree.
type Path struct {
	// Type is the service: "websocket". Crossbar's static, longpoll,
	// publisher, caller and the other services are not supported yet.
	Type string `json:"type" types:"websocket" later:"static,longpoll,wsgi,cgi,redirect,reverseproxy,websocket-reverseproxy,json,resource,path,nodeinfo,publisher,caller,webhook,archive,wap,catalog,none,upload,schemadoc"`
	// Serializers offered; as Transport.Serializers.
	Serializers []string `json:"serializers"`
	// Options; as Transport.Options.
	Options TransportOptions `json:"options"`
	// Auth; as Transport.Auth.
	Auth *Auth `json:"auth"`

	Cookie any `json:"cookie" later:"-"`
	Debug  any `json:"debug" later:"-"`
}

// TransportOptions are the options of a WAMP connection. Crossbar gives
// times in milliseconds; so does edgebar.
type TransportOptions struct {
	// MaxMessageSize is the largest WAMP message accepted, in bytes; a larger
	// one is a protocol violation. Absent or 0: 16777216 (16 MiB, the
	// RawSocket maximum).
	MaxMessageSize int `json:"max_message_size"`
	// AutoPingInterval is the keepalive period in ms: after that long
	// without traffic the router pings the client. Absent: 30000; 0: no
	// pings. The router has one keepalive setting, so every transport of a
	// worker that sets it must set the same value.
	AutoPingInterval *int `json:"auto_ping_interval"`
	// AutoPingTimeout is how long to wait for the answer to a ping, in ms,
	// before the connection is closed. Absent or 0: 10000. Same rule as
	// AutoPingInterval across transports.
	AutoPingTimeout *int `json:"auto_ping_timeout"`

	AllowedOrigins              any `json:"allowed_origins" later:"-"`
	AllowNullOrigin             any `json:"allow_null_origin" later:"-"`
	ExternalPort                any `json:"external_port" later:"-"`
	EnableWebStatus             any `json:"enable_webstatus" later:"-"`
	ValidateUTF8                any `json:"validate_utf8" later:"-"`
	MaskServerFrames            any `json:"mask_server_frames" later:"-"`
	RequireMaskedClientFrames   any `json:"require_masked_client_frames" later:"-"`
	ApplyMask                   any `json:"apply_mask" later:"-"`
	MaxFrameSize                any `json:"max_frame_size" later:"-"`
	AutoFragmentSize            any `json:"auto_fragment_size" later:"-"`
	FailByDrop                  any `json:"fail_by_drop" later:"-"`
	EchoCloseCodeReason         any `json:"echo_close_codereason" later:"-"`
	OpenHandshakeTimeout        any `json:"open_handshake_timeout" later:"-"`
	CloseHandshakeTimeout       any `json:"close_handshake_timeout" later:"-"`
	TCPNoDelay                  any `json:"tcp_nodelay" later:"-"`
	AutoPingSize                any `json:"auto_ping_size" later:"-"`
	AutoPingRestartOnAnyTraffic any `json:"auto_ping_restart_on_any_traffic" later:"-"`
	Compression                 any `json:"compression" later:"-"`
	RequireWebSocketSubprotocol any `json:"require_websocket_subprotocol" later:"-"`
	ShowServerVersion           any `json:"show_server_version" later:"-"`
	AccessLog                   any `json:"access_log" later:"-"`
	DisplayTracebacks           any `json:"display_tracebacks" later:"-"`
	HSTS                        any `json:"hsts" later:"-"`
	HSTSMaxAge                  any `json:"hsts_max_age" later:"-"`
	ClientTimeout               any `json:"client_timeout" later:"-"`
}

// Auth is a transport's authentication section: one key per method.
type Auth struct {
	// Anonymous lets clients in without credentials.
	Anonymous *AuthMethod `json:"anonymous"`

	Ticket          any `json:"ticket" later:"-"`
	WAMPCRA         any `json:"wampcra" later:"-"`
	Cryptosign      any `json:"cryptosign" later:"-"`
	CryptosignProxy any `json:"cryptosign-proxy" later:"-"`
	AnonymousProxy  any `json:"anonymous-proxy" later:"-"`
	TLS             any `json:"tls" later:"-"`
	Cookie          any `json:"cookie" later:"-"`
	SCRAM           any `json:"scram" later:"-"`
}

// AuthMethod configures one authentication method.
type AuthMethod struct {
	// Type is "static" (the role is given here). Crossbar's "dynamic" and
	// "function" authenticators are not supported yet.
	Type string `json:"type" types:"static" later:"dynamic,function"`
	// Role is the authrole given to sessions authenticated this way;
	// required, and it must be a role of some realm of the worker.
	Role string `json:"role"`

	Principals         any `json:"principals" later:"-"`
	Users              any `json:"users" later:"-"`
	Authenticator      any `json:"authenticator" later:"-"`
	AuthenticatorRealm any `json:"authenticator-realm" later:"-"`
	AuthenticatorRole  any `json:"authenticator-role" later:"-"`
}

// Endpoint is a listening endpoint.
type Endpoint struct {
	// Type is "tcp" or "unix". Crossbar's twisted and onion endpoints are not
	// supported yet.
	Type string `json:"type" types:"tcp,unix" later:"twisted,onion"`
	// Interface (tcp) is the address to listen on. Absent: every interface
	// ("" to net.Listen), as Crossbar.
	Interface string `json:"interface"`
	// Port (tcp) is required, 0-65535, a number or a string of digits (as
	// Crossbar accepts). 0 picks a free port (for tests).
	Port *Port `json:"port"`
	// Version (tcp) is the IP version, 4 or 6. Absent: both where the host
	// has them (Go's "tcp").
	Version int `json:"version"`
	// Path (unix) is the socket file; required for unix. A relative path is
	// relative to the config file's directory (Config.Dir).
	Path string `json:"path"`

	Backlog     any `json:"backlog" later:"-"`
	Shared      any `json:"shared" later:"-"`
	PortRange   any `json:"portrange" later:"-"`
	TLS         any `json:"tls" later:"-"`
	UserTimeout any `json:"user_timeout" later:"-"`
}

// Port is a TCP port. It decodes from a number or a string of digits.
type Port int

// Network returns the net.Listen network of e: "tcp", "tcp4", "tcp6" or
// "unix".
func (e Endpoint) Network() string {
	if e.Type == "unix" {
		return "unix"
	}
	switch e.Version {
	case 4:
		return "tcp4"
	case 6:
		return "tcp6"
	}
	return "tcp"
}

// Address returns the net.Listen address of e; dir resolves a relative unix
// socket path (pass Config.Dir).
func (e Endpoint) Address(dir string) string {
	if e.Type == "unix" {
		if dir != "" && !filepath.IsAbs(e.Path) {
			return filepath.Join(dir, e.Path)
		}
		return e.Path
	}
	port := 0
	if e.Port != nil {
		port = int(*e.Port)
	}
	return net.JoinHostPort(e.Interface, strconv.Itoa(port))
}

// WorkerID returns w's id, or Crossbar's positional default for worker i.
func (w *Worker) WorkerID(i int) string { return idOr(w.ID, "worker", i) }

// TransportID returns t's id, or Crossbar's positional default for
// transport i.
func (t *Transport) TransportID(i int) string { return idOr(t.ID, "transport", i) }

func idOr(id, kind string, i int) string {
	if id != "" {
		return id
	}
	n := strconv.Itoa(i + 1)
	for len(n) < 3 {
		n = "0" + n
	}
	return kind + n
}

// SerializerNames returns the serializers offered: s, or all of them when s
// is empty.
func SerializerNames(s []string) []string {
	if len(s) == 0 {
		return []string{"json", "msgpack", "cbor"}
	}
	return s
}

// Rule returns the permission's URI and match policy with Crossbar's starred
// form resolved: an explicit Match is used as it is; otherwise a single
// trailing '*' means prefix, any other '*' wildcard (stars removed), none
// exact.
func (p *Permission) Rule() (uri, match string) {
	if p.Match != "" {
		return p.URI, p.Match
	}
	stars := 0
	for i := 0; i < len(p.URI); i++ {
		if p.URI[i] == '*' {
			stars++
		}
	}
	switch {
	case stars == 0:
		return p.URI, "exact"
	case stars == 1 && p.URI[len(p.URI)-1] == '*':
		return p.URI[:len(p.URI)-1], "prefix"
	}
	out := make([]byte, 0, len(p.URI))
	for i := 0; i < len(p.URI); i++ {
		if p.URI[i] != '*' {
			out = append(out, p.URI[i])
		}
	}
	return string(out), "wildcard"
}

// Default returns the built-in configuration used when no file exists: one
// router worker with realm "realm1" whose "anonymous" role may do anything,
// a web transport on 127.0.0.1:8080 serving WAMP over WebSocket at /ws ("/"
// is left for the dashboard), and a RawSocket transport on 127.0.0.1:8081.
func Default() *Config {
	anon := func() *Auth { return &Auth{Anonymous: &AuthMethod{Type: "static", Role: "anonymous"}} }
	port := func(p Port) *Port { return &p }
	return &Config{
		Version: 2,
		Workers: []Worker{{
			Type: "router",
			ID:   "worker001",
			Realms: []Realm{{
				Name: "realm1",
				Roles: []Role{{
					Name: "anonymous",
					Permissions: []Permission{{
						URI:   "",
						Match: "prefix",
						Allow: Allow{Call: true, Register: true, Publish: true, Subscribe: true},
						Cache: true,
					}},
				}},
			}},
			Transports: []Transport{
				{
					Type:     "web",
					ID:       "web001",
					Endpoint: Endpoint{Type: "tcp", Interface: "127.0.0.1", Port: port(8080)},
					Paths: map[string]Path{
						"ws": {Type: "websocket", Auth: anon()},
					},
				},
				{
					Type:     "rawsocket",
					ID:       "rawsocket001",
					Endpoint: Endpoint{Type: "tcp", Interface: "127.0.0.1", Port: port(8081)},
					Auth:     anon(),
				},
			},
		}},
	}
}
