package json

import (
	"errors"
	"fmt"

	"github.com/edgebar/edgebar/router/codec/internal/layout"
	"github.com/edgebar/edgebar/router/wamp"
)

// MaxDepth is the deepest nesting of lists and dicts accepted, counting the
// message's own list as 1. It bounds the decoder's recursion.
const MaxDepth = 100

// Serializer is the JSON codec. Its zero value is ready; use Codec.
type Serializer struct{}

// Codec is the JSON serializer. It satisfies router/codec.Codec.
var Codec = &Serializer{}

// Name returns "json".
func (*Serializer) Name() string { return "json" }

// Subprotocol returns "wamp.2.json".
func (*Serializer) Subprotocol() string { return "wamp.2.json" }

// RawSocketID returns 1, the JSON serializer id of the RawSocket handshake.
func (*Serializer) RawSocketID() byte { return 1 }

// Binary returns false: JSON travels in WebSocket text frames.
func (*Serializer) Binary() bool { return false }

// Decode decodes one message. Raw Arguments and ArgumentsKw alias data.
func (*Serializer) Decode(data []byte) (wamp.Message, error) {
	r := reader{s: scanner{data: data}}
	r.start()
	m := r.message()
	r.end()
	if r.err != nil {
		return nil, r.err
	}
	return m, nil
}

// DecodeValue decodes one complete JSON value. Nothing but white space may
// follow it.
func (*Serializer) DecodeValue(data []byte) (any, error) {
	s := scanner{data: data}
	v, err := s.value(0)
	if err != nil {
		return nil, err
	}
	if err := s.eof(); err != nil {
		return nil, err
	}
	return v, nil
}

// EncodeValue appends v to dst; see appendValue for the accepted types.
func (*Serializer) EncodeValue(dst []byte, v any) ([]byte, error) {
	return appendValue(dst, v, 0)
}

var errNilMessage = errors.New("json: cannot encode a nil message")

// Encode appends m to dst. On error dst is returned unchanged in length.
func (*Serializer) Encode(dst []byte, m wamp.Message) ([]byte, error) {
	w := writer{b: dst}
	w.message(m)
	switch {
	case w.err == layout.ErrNil:
		return dst, errNilMessage
	case w.err != nil:
		return dst, fmt.Errorf("json: %s: %w", m.Type(), w.err)
	}
	return w.b, nil
}
