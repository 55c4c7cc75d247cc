package msgpack

import (
	"errors"
	"fmt"

	"github.com/edgebar/edgebar/router/codec/internal/layout"
	"github.com/edgebar/edgebar/router/wamp"
)

// MaxDepth is the deepest nesting of lists and dicts accepted, counting the
// message's own list as 1. It bounds the decoder's recursion.
const MaxDepth = 100

// Serializer is the MessagePack codec. Its zero value is ready; use Codec.
type Serializer struct{}

// Codec is the MessagePack serializer. It satisfies router/codec.Codec.
var Codec = &Serializer{}

// Name returns "msgpack".
func (*Serializer) Name() string { return "msgpack" }

// Subprotocol returns "wamp.2.msgpack".
func (*Serializer) Subprotocol() string { return "wamp.2.msgpack" }

// RawSocketID returns 2, the MessagePack serializer id of RawSocket.
func (*Serializer) RawSocketID() byte { return 2 }

// Binary returns true: MessagePack travels in WebSocket binary frames.
func (*Serializer) Binary() bool { return true }

// Decode decodes one message. Raw Arguments and ArgumentsKw alias data.
func (*Serializer) Decode(data []byte) (wamp.Message, error) {
	r := reader{b: data}
	r.start()
	m := r.message()
	r.end()
	if r.err != nil {
		return nil, r.err
	}
	return m, nil
}

// DecodeValue decodes one complete value; nothing may follow it.
func (*Serializer) DecodeValue(data []byte) (any, error) {
	v, rest, err := value(data, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, errTrailing
	}
	return v, nil
}

// EncodeValue appends v to dst; see appendValue for the accepted types.
func (*Serializer) EncodeValue(dst []byte, v any) ([]byte, error) {
	return appendValue(dst, v, 0)
}

var errNilMessage = errors.New("msgpack: cannot encode a nil message")

// Encode appends m to dst. On error dst is returned unchanged in length.
func (*Serializer) Encode(dst []byte, m wamp.Message) ([]byte, error) {
	w := writer{b: dst}
	w.message(m)
	switch {
	case w.err == layout.ErrNil:
		return dst, errNilMessage
	case w.err != nil:
		return dst, fmt.Errorf("msgpack: %s: %w", m.Type(), w.err)
	}
	return w.b, nil
}
