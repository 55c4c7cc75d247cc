// Package client is edgebar's Go WAMP client: the in-process components
// (hardware bridge, node controller, HTTP bridge), the CLI and the tests join
// a realm through it as ordinary sessions. It never imports the router.
//
// A Session is joined on a transport.Peer (Join), or on a URL (Dial):
// ws://host:port/path, tcp://host:port, rs://host:port or unix:///path.
//
// # Concurrency
//
// One reader goroutine per session receives every message and dispatches it:
// replies go to the goroutine waiting in Call, Register, Subscribe, ...; each
// INVOCATION runs its Handler in a goroutine of its own; EVENTs go to a queue
// per Subscription that one goroutine drains in order. The reader therefore
// never runs user code and a slow handler never stalls other subscriptions or
// calls. Writes are serialized by a mutex around Peer.Send (the client sends
// far less than a router, so a writer goroutine would buy nothing).
//
// # Errors
//
// A WAMP error from the router or a callee is a *wamp.Error carrying the
// error URI and payload; errors.Is(err, &wamp.Error{URI: u}) matches by URI.
// Everything that fails because the session ended wraps ErrSessionClosed and
// the cause (a *wamp.Error with the GOODBYE or ABORT reason, or the
// transport's error).
//
// # Payloads
//
// Args and Kwargs handed to Call, Publish or returned from a Handler must not
// be modified afterwards: over an in-memory transport the router and other
// in-process sessions share them. Values received are decoded (from the raw
// bytes of the serializer, where there is one) into the types listed on
// wamp.Payload.
package client
