// Package cbor is the WAMP CBOR serializer ("wamp.2.cbor", RawSocket
// serializer 3, WebSocket binary frames).
//
// Decoding is hand-written per message type (WAMP §"Message Definitions"):
// arity and element types are checked, Options and Details are decoded,
// and Arguments and ArgumentsKw are validated by a skip-scan and kept as
// raw bytes aliasing the frame (wamp.RawPayload).
//
// The decoder is strict, and deliberately narrower than RFC 8949:
//   - indefinite-length strings, arrays and maps are refused (WAMP
//     implementations write definite lengths; refusing them keeps every
//     item's extent known from its head);
//   - tags of any kind are refused with an error rather than decoded or
//     dropped, since a router cannot give them a meaning in the other
//     serializers (this includes bignums, tag 2 and 3);
//   - text strings must be valid UTF-8, map keys must be text strings;
//   - simple values other than false, true, null and undefined (decoded
//     as nil) are refused, as are reserved additional-information values;
//   - negative integers below math.MinInt64 are refused;
//   - nesting is limited to MaxDepth.
//
// Values decode to nil, bool, int64, uint64 (only above math.MaxInt64),
// float64 (half and single precision are widened), string, []byte,
// wamp.List and wamp.Dict. Ids may also arrive as integral floats.
//
// The wire format is read and written here by hand, on the caller's
// buffer and without reflection; github.com/fxamacker/cbor/v2, the
// project's CBOR library, has no append or zero-copy API, so it serves as
// the reference the tests and the fuzzer check this package against.
package cbor
