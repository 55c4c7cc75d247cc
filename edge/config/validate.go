package config

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"path/filepath"
	"slices"
	"strings"

	"github.com/edgebar/edgebar/router/wamp"
)

// MaxRawSocketMessage is the largest message size a RawSocket handshake can
// announce (2^24 bytes).
const MaxRawSocketMessage = 1 << 24

// Validate checks the configuration as a whole and returns every problem
// found, each a *FieldError naming its field path, joined with errors.Join;
// nil when the configuration can be started.
func (c *Config) Validate() error {
	v := &validator{}
	switch c.Version {
	case 0, 2:
	case 1:
		v.fail("version", "version 1 configs are not supported: upgrade to version 2 (crossbar upgrade)")
	default:
		v.fail("version", "unsupported version %d (want 2)", c.Version)
	}
	if c.Controller != nil && c.Controller.ID != "" {
		v.id("controller.id", c.Controller.ID)
	}
	if len(c.Workers) == 0 {
		v.fail("workers", "no workers: the node would serve nothing")
	}
	seen := map[string]string{}
	for i := range c.Workers {
		w := &c.Workers[i]
		p := joinIndex("workers", i)
		if w.ID != "" {
			v.id(p+".id", w.ID)
		}
		v.unique(seen, w.WorkerID(i), p+".id", "worker id")
		v.worker(p, w, c.Dir)
	}
	v.endpoints(c)
	return errors.Join(v.errs...)
}

type validator struct {
	errs []error
}

func (v *validator) fail(path, format string, args ...any) {
	v.errs = append(v.errs, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// unique records key in seen and reports a second use of it.
func (v *validator) unique(seen map[string]string, key, path, what string) {
	if first, dup := seen[key]; dup {
		v.fail(path, "duplicate %s %q (first at %s)", what, key, first)
		return
	}
	seen[key] = path
}

// id checks Crossbar's id rule ^[a-z][a-z0-9_]{2,63}$, which also makes an
// id a valid strict URI component.
func (v *validator) id(path, id string) {
	ok := len(id) >= 3 && len(id) <= 64 && id[0] >= 'a' && id[0] <= 'z'
	for i := 1; ok && i < len(id); i++ {
		c := id[i]
		ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
	}
	if !ok {
		v.fail(path, "invalid id %q: must match ^[a-z][a-z0-9_]{2,63}$", id)
	}
}

func (v *validator) worker(path string, w *Worker, dir string) {
	o := w.Options
	for _, f := range []struct {
		key string
		n   int
	}{{"max_queue_bytes", o.MaxQueueBytes}, {"max_queue_messages", o.MaxQueueMessages},
		{"max_pending_calls", o.MaxPendingCalls}, {"hello_timeout", o.HelloTimeout}} {
		if f.n < 0 {
			v.fail(path+".options."+f.key, "must not be negative")
		}
	}
	if len(w.Realms) == 0 {
		v.fail(path+".realms", "a router worker needs at least one realm")
	}
	roles := map[string]bool{}
	realms := map[string]string{}
	for i := range w.Realms {
		r := &w.Realms[i]
		p := joinIndex(path+".realms", i)
		v.realm(p, r)
		if r.Name != "" {
			v.unique(realms, r.Name, p+".name", "realm name")
		}
		for _, ro := range r.Roles {
			roles[ro.Name] = true
		}
	}
	ids := map[string]string{}
	ka := &keepalive{}
	for i := range w.Transports {
		t := &w.Transports[i]
		p := joinIndex(path+".transports", i)
		if t.ID != "" {
			v.id(p+".id", t.ID)
		}
		v.unique(ids, t.TransportID(i), p+".id", "transport id")
		v.transport(p, t, roles, ka)
	}
}

func (v *validator) realm(path string, r *Realm) {
	switch {
	case r.Name == "":
		v.fail(path+".name", "required")
	case !wamp.ValidURI(wamp.URI(r.Name), false):
		v.fail(path+".name", "invalid realm URI %q", r.Name)
	}
	switch r.Options.URICheck {
	case "", "strict", "loose":
	default:
		v.fail(path+".options.uri_check", "must be strict or loose, not %q", r.Options.URICheck)
	}
	if r.Store != nil {
		v.store(path+".store", r.Store, r.Options.URICheck == "strict")
	}
	names := map[string]string{}
	for i := range r.Roles {
		ro := &r.Roles[i]
		p := joinIndex(path+".roles", i)
		if ro.Name == "" {
			v.fail(p+".name", "required")
		} else {
			if !wamp.ValidURI(wamp.URI(ro.Name), false) {
				v.fail(p+".name", "invalid role name %q", ro.Name)
			}
			v.unique(names, ro.Name, p+".name", "role name")
		}
		for j := range ro.Permissions {
			v.permission(joinIndex(p+".permissions", j), &ro.Permissions[j])
		}
	}
}

// store checks the event store: history topics valid for their match
// policy and the realm's URI rule, each (uri, match) once, no negative
// bounds.
func (v *validator) store(path string, st *Store, strict bool) {
	for _, f := range []struct {
		key string
		n   int
	}{{"limit", st.Limit}, {"retained_bytes", st.RetainedBytes}} {
		if f.n < 0 {
			v.fail(path+"."+f.key, "must not be negative")
		}
	}
	seen := map[string]string{}
	for i := range st.EventHistory {
		h := &st.EventHistory[i]
		p := joinIndex(path+".event-history", i)
		u := wamp.URI(h.URI)
		switch h.Match {
		case "", "exact":
			if !wamp.ValidURI(u, strict) {
				v.fail(p+".uri", "invalid topic %q for match exact", h.URI)
			}
		case "prefix":
			if t := strings.TrimSuffix(h.URI, "."); t != "" && !wamp.ValidURI(wamp.URI(t), strict) {
				v.fail(p+".uri", "invalid topic prefix %q", h.URI)
			}
		case "wildcard":
			if !wamp.ValidPattern(u, strict) {
				v.fail(p+".uri", "invalid topic pattern %q", h.URI)
			}
		default:
			v.fail(p+".match", "must be exact, prefix or wildcard, not %q", h.Match)
		}
		match := h.Match
		if match == "" {
			match = "exact"
		}
		v.unique(seen, match+" "+h.URI, p+".uri", "history topic")
		if h.Limit < 0 {
			v.fail(p+".limit", "must not be negative")
		}
		if h.MaxBytes < 0 {
			v.fail(p+".max_bytes", "must not be negative")
		}
	}
}

func (v *validator) permission(path string, pm *Permission) {
	uri, match := pm.Rule()
	u := wamp.URI(uri)
	switch match {
	case "exact":
		if !wamp.ValidURI(u, false) {
			v.fail(path+".uri", "invalid URI %q for match exact", pm.URI)
		}
	case "prefix":
		if uri != "" && !wamp.ValidPattern(u, false) {
			v.fail(path+".uri", "invalid URI prefix %q", pm.URI)
		}
	case "wildcard":
		if uri == "" || !wamp.ValidPattern(u, false) {
			v.fail(path+".uri", "invalid URI pattern %q", pm.URI)
		}
	default:
		v.fail(path+".match", "must be exact, prefix or wildcard, not %q", pm.Match)
	}
}

// keepalive collects the keepalive settings of a worker's transports: the
// router has one, so they must agree.
type keepalive struct {
	interval, timeout     *int
	intervalAt, timeoutAt string
}

func (v *validator) transport(path string, t *Transport, roles map[string]bool, ka *keepalive) {
	v.endpoint(path+".endpoint", &t.Endpoint)
	if t.Type != "web" {
		if t.Paths != nil {
			v.fail(path+".paths", "only web transports have paths")
		}
		v.wamp(path, t.Type, t.Serializers, &t.Options, t.Auth, roles, ka)
		return
	}
	// A web transport's WAMP settings live on its websocket paths.
	for _, f := range []struct {
		key string
		set bool
	}{
		{"serializers", t.Serializers != nil},
		{"options.max_message_size", t.Options.MaxMessageSize != 0},
		{"options.auto_ping_interval", t.Options.AutoPingInterval != nil},
		{"options.auto_ping_timeout", t.Options.AutoPingTimeout != nil},
		{"auth", t.Auth != nil},
	} {
		if f.set {
			v.fail(path+"."+f.key, "not valid on a web transport: set it on a websocket path")
		}
	}
	if len(t.Paths) == 0 {
		v.fail(path+".paths", "a web transport needs at least one path")
	}
	for _, key := range slices.Sorted(maps.Keys(t.Paths)) {
		pt := t.Paths[key]
		p := joinKey(path+".paths", key)
		if !validPathKey(key) {
			v.fail(p, "invalid path %q: must be \"/\" or one component of [A-Za-z0-9_-]", key)
		}
		v.wamp(p, pt.Type, pt.Serializers, &pt.Options, pt.Auth, roles, ka)
	}
}

// wamp checks the WAMP settings of a websocket or rawsocket transport or of
// a websocket path.
func (v *validator) wamp(path, typ string, sers []string, o *TransportOptions, a *Auth, roles map[string]bool, ka *keepalive) {
	seen := map[string]string{}
	for i, s := range sers {
		p := joinIndex(path+".serializers", i)
		switch s {
		case "json", "msgpack", "cbor":
			v.unique(seen, s, p, "serializer")
		case "ubjson", "flatbuffers":
			v.fail(p, "serializer %q not supported yet (supported: json, msgpack, cbor)", s)
		default:
			v.fail(p, "unknown serializer %q (want json, msgpack or cbor)", s)
		}
	}
	switch {
	case o.MaxMessageSize < 0:
		v.fail(path+".options.max_message_size", "must not be negative")
	case typ == "rawsocket" && o.MaxMessageSize > MaxRawSocketMessage:
		v.fail(path+".options.max_message_size", "%d is over the RawSocket maximum %d", o.MaxMessageSize, MaxRawSocketMessage)
	}
	v.keepalive(path+".options.auto_ping_interval", o.AutoPingInterval, &ka.interval, &ka.intervalAt)
	v.keepalive(path+".options.auto_ping_timeout", o.AutoPingTimeout, &ka.timeout, &ka.timeoutAt)
	if a != nil && a.Anonymous != nil {
		p := path + ".auth.anonymous.role"
		switch r := a.Anonymous.Role; {
		case r == "":
			v.fail(p, "required")
		case !roles[r]:
			v.fail(p, "role %q is not defined in any realm of this worker", r)
		}
	}
	if a != nil && a.Anonymous == nil {
		v.fail(path+".auth", "no authentication method: no client could join")
	}
}

func (v *validator) keepalive(path string, val *int, first **int, firstAt *string) {
	if val == nil {
		return
	}
	if *val < 0 {
		v.fail(path, "must not be negative")
		return
	}
	if *first == nil {
		*first, *firstAt = val, path
		return
	}
	if **first != *val {
		v.fail(path, "%d differs from %d at %s: per-transport keepalive not supported yet (the router has one setting)", *val, **first, *firstAt)
	}
}

func (v *validator) endpoint(path string, e *Endpoint) {
	switch e.Type {
	case "":
		v.fail(path, "required")
	case "tcp":
		if e.Port == nil {
			v.fail(path+".port", "required")
		} else if *e.Port < 0 || *e.Port > 65535 {
			v.fail(path+".port", "%d out of range 0-65535", *e.Port)
		}
		switch e.Version {
		case 0, 4, 6:
		default:
			v.fail(path+".version", "must be 4 or 6, not %d", e.Version)
		}
		if e.Interface != "" {
			ip := net.ParseIP(e.Interface)
			switch {
			case ip == nil && e.Interface != "localhost":
				v.fail(path+".interface", "%q is not an IP address", e.Interface)
			case ip != nil && e.Version == 4 && ip.To4() == nil:
				v.fail(path+".interface", "%q is not an IPv4 address (version 4)", e.Interface)
			case ip != nil && e.Version == 6 && ip.To4() != nil:
				v.fail(path+".interface", "%q is not an IPv6 address (version 6)", e.Interface)
			}
		}
		if e.Path != "" {
			v.fail(path+".path", "only unix endpoints have a path")
		}
	case "unix":
		if e.Path == "" {
			v.fail(path+".path", "required")
		}
		if e.Interface != "" || e.Port != nil || e.Version != 0 {
			v.fail(path, "a unix endpoint has only a path (no interface, port or version)")
		}
	}
}

// endpoints reports two transports of the node listening on the same
// endpoint: the same unix socket, or the same TCP port where the interfaces
// are equal or one is every interface. Port 0 (any free port) never clashes.
func (v *validator) endpoints(c *Config) {
	type listener struct {
		path string
		e    *Endpoint
	}
	var ls []listener
	for i := range c.Workers {
		for j := range c.Workers[i].Transports {
			e := &c.Workers[i].Transports[j].Endpoint
			p := joinIndex(joinIndex("workers", i)+".transports", j) + ".endpoint"
			for _, l := range ls {
				if clash(l.e, e, c.Dir) {
					v.fail(p, "same endpoint as %s (%s)", l.path, e.Address(c.Dir))
				}
			}
			ls = append(ls, listener{p, e})
		}
	}
}

func clash(a, b *Endpoint, dir string) bool {
	if a.Type != b.Type {
		return false
	}
	switch a.Type {
	case "unix":
		return a.Path != "" && filepath.Clean(a.Address(dir)) == filepath.Clean(b.Address(dir))
	case "tcp":
		if a.Port == nil || b.Port == nil || *a.Port == 0 || *a.Port != *b.Port {
			return false
		}
		ai, bi := canonicalHost(a.Interface), canonicalHost(b.Interface)
		return ai == "" || bi == "" || ai == bi
	}
	return false
}

func canonicalHost(h string) string {
	switch h {
	case "", "0.0.0.0", "::":
		return ""
	case "localhost":
		return "127.0.0.1"
	}
	if ip := net.ParseIP(h); ip != nil {
		return ip.String()
	}
	return strings.ToLower(h)
}

func validPathKey(k string) bool {
	if k == "/" {
		return true
	}
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
