// Package msgpack is the WAMP MessagePack serializer ("wamp.2.msgpack",
// RawSocket serializer 2, WebSocket binary frames).
//
// Decoding is hand-written per message type (WAMP §"Message Definitions"):
// arity and element types are checked, Options and Details are decoded,
// and Arguments and ArgumentsKw are validated by a skip-scan and kept as
// raw bytes aliasing the frame (wamp.RawPayload).
//
// Values decode to nil, bool, int64, uint64 (only above math.MaxInt64),
// float64 (float32 is widened), string (str, which must be valid UTF-8),
// []byte (bin), wamp.List and wamp.Dict (map keys must be str). Extension
// types, including the timestamp extension, are refused, and nesting is
// limited to MaxDepth. Ids may also arrive as integral floats, as some
// JavaScript encoders write integers above 2^32 as float64.
//
// The wire primitives come from github.com/tinylib/msgp/msgp, the runtime
// package of the msgp code generator: it is widely used and maintained,
// pure Go with one small dependency (philhofer/fwd), and has exactly the
// low-level API a router wants: Append* functions that append to a
// caller's buffer and Read*Bytes functions that read from a slice with no
// allocation and no reflection. Lengths of str, bin, array and map are
// read here rather than by msgp, whose Read*Bytes convert 32-bit lengths
// to int and could slice with a negative length on 32-bit targets (arm,
// mips), which this router runs on.
package msgpack
