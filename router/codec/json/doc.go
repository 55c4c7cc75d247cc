// Package json is the WAMP JSON serializer ("wamp.2.json", RawSocket
// serializer 1, WebSocket text frames).
//
// Decoding is hand-written: a small scanner walks the frame once, checks
// the arity and element types of each message type (WAMP §"Message
// Definitions") and decodes only what the router routes on. Arguments and
// ArgumentsKw are validated by a skip-scan and kept as raw bytes aliasing
// the frame (wamp.RawPayload), so a router forwards them to other JSON
// peers without decoding them.
//
// Values decode to nil, bool, int64 (integer literals that fit), uint64
// (larger positive integer literals), float64 (everything else), string,
// []byte, wamp.List and wamp.Dict. Binary values follow WAMP §"Binary
// conversion of JSON strings": a []byte is the string "\u0000" followed by
// its standard, padded base64; unpadded base64 is accepted on input.
// Strings must be valid UTF-8, nesting is limited to MaxDepth, and a lone
// UTF-16 surrogate in an escape decodes to U+FFFD as in encoding/json.
//
// The encoder appends to the caller's buffer, never HTML-escapes, writes
// integral float64 values with a ".0" so they decode as floats again, and
// refuses NaN and infinities, which JSON cannot carry.
package json
