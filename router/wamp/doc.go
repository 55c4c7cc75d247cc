// Package wamp holds the WAMP v2 vocabulary shared by the router, its codecs,
// transports and the client: message structs and type codes, ids, URI checks,
// the standard error and close URIs, and the single Error type that becomes an
// ERROR or ABORT message. It does no I/O and imports no project package.
package wamp
