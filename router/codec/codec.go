// Package codec defines the Codec interface that turns WAMP messages into
// frames and back, and looks codecs up by name, WebSocket subprotocol and
// RawSocket serializer id. The codecs themselves live in json, msgpack and
// cbor below; they satisfy Codec without importing this package.
package codec

import (
	"github.com/edgebar/edgebar/router/codec/cbor"
	"github.com/edgebar/edgebar/router/codec/json"
	"github.com/edgebar/edgebar/router/codec/msgpack"
	"github.com/edgebar/edgebar/router/wamp"
)

// Codec is one WAMP serializer.
//
// Decode is strict: it checks the arity and element types of every message
// type and returns an error for anything else (a protocol violation for the
// session). It decodes only what a router routes on; Arguments and
// ArgumentsKw stay raw (wamp.RawPayload with Enc set to the codec) and alias
// data, so the caller must not reuse data while the message is alive.
//
// Encode appends a message to dst. A raw payload of the same codec is copied
// as it is; a raw payload of another codec is transcoded through its values.
type Codec interface {
	wamp.Encoding
	// Subprotocol is the WebSocket subprotocol, e.g. "wamp.2.json".
	Subprotocol() string
	// RawSocketID is the serializer id of the RawSocket handshake.
	RawSocketID() byte
	// Binary reports whether frames are binary (WebSocket binary messages).
	Binary() bool
	Encode(dst []byte, m wamp.Message) ([]byte, error)
	Decode(data []byte) (wamp.Message, error)
	// EncodeValue appends one value (types as on wamp.Payload).
	EncodeValue(dst []byte, v any) ([]byte, error)
}

var all = []Codec{json.Codec, msgpack.Codec, cbor.Codec}

// All returns the codecs in order of preference: json, msgpack, cbor.
func All() []Codec { return all }

// ByName returns the codec called name ("json", "msgpack", "cbor").
func ByName(name string) (Codec, bool) {
	for _, c := range all {
		if c.Name() == name {
			return c, true
		}
	}
	return nil, false
}

// BySubprotocol returns the codec of a WebSocket subprotocol.
func BySubprotocol(p string) (Codec, bool) {
	for _, c := range all {
		if c.Subprotocol() == p {
			return c, true
		}
	}
	return nil, false
}

// ByRawSocketID returns the codec of a RawSocket serializer id.
func ByRawSocketID(id byte) (Codec, bool) {
	for _, c := range all {
		if c.RawSocketID() == id {
			return c, true
		}
	}
	return nil, false
}
