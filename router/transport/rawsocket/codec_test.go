package rawsocket

import "github.com/edgebar/edgebar/router/transport/transporttest"

// Framing tests use the stand-in codec, not the real ones.
var (
	tJSON    = transporttest.JSON
	tMsgpack = transporttest.Msgpack
	tCBOR    = transporttest.CBOR
)
