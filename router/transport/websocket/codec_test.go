package websocket

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/edgebar/edgebar/router/wamp"
)

// testCodec stands in for the real codecs in tests that are about framing:
// it JSON-encodes a few message types with encoding/json. Binary variants
// differ only in name, id and the Binary flag.
type testCodec struct {
	name   string
	id     byte
	binary bool
}

var (
	tJSON    = &testCodec{"json", 1, false}
	tMsgpack = &testCodec{"msgpack", 2, true}
	tCBOR    = &testCodec{"cbor", 3, true}
)

func (c *testCodec) Name() string        { return c.name }
func (c *testCodec) Subprotocol() string { return "wamp.2." + c.name }
func (c *testCodec) RawSocketID() byte   { return c.id }
func (c *testCodec) Binary() bool        { return c.binary }

func (c *testCodec) DecodeValue(data []byte) (any, error) {
	var v any
	err := json.Unmarshal(data, &v)
	return v, err
}

func (c *testCodec) EncodeValue(dst []byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	return append(dst, b...), err
}

func (c *testCodec) Encode(dst []byte, m wamp.Message) ([]byte, error) {
	var arr []any
	switch m := m.(type) {
	case *wamp.Hello:
		arr = []any{wamp.HELLO, m.Realm, dictOrEmpty(m.Details)}
	case *wamp.Goodbye:
		arr = []any{wamp.GOODBYE, dictOrEmpty(m.Details), m.Reason}
	case *wamp.Publish:
		arr = []any{wamp.PUBLISH, m.Request, dictOrEmpty(m.Options), m.Topic}
		if m.Args != nil {
			arr = append(arr, m.Args)
		}
	default:
		return dst, fmt.Errorf("testcodec: cannot encode %v", m.Type())
	}
	b, err := json.Marshal(arr)
	return append(dst, b...), err
}

func dictOrEmpty(d wamp.Dict) wamp.Dict {
	if d == nil {
		return wamp.Dict{}
	}
	return d
}

func (c *testCodec) Decode(data []byte) (wamp.Message, error) {
	var arr []any
	if err := json.Unmarshal(data, &arr); err != nil {
		return nil, fmt.Errorf("testcodec: %w", err)
	}
	if len(arr) < 3 {
		return nil, errors.New("testcodec: short message")
	}
	typ, _ := arr[0].(float64)
	switch wamp.MessageType(typ) {
	case wamp.HELLO:
		realm, _ := arr[1].(string)
		d, _ := arr[2].(map[string]any)
		return &wamp.Hello{Realm: wamp.URI(realm), Details: d}, nil
	case wamp.GOODBYE:
		d, _ := arr[1].(map[string]any)
		reason, _ := arr[2].(string)
		return &wamp.Goodbye{Details: d, Reason: wamp.URI(reason)}, nil
	case wamp.PUBLISH:
		if len(arr) < 4 {
			return nil, errors.New("testcodec: short PUBLISH")
		}
		req, _ := wamp.AsID(arr[1])
		opts, _ := arr[2].(map[string]any)
		topic, _ := arr[3].(string)
		m := &wamp.Publish{Request: req, Options: opts, Topic: wamp.URI(topic)}
		if len(arr) > 4 {
			m.Args, _ = arr[4].([]any)
		}
		return m, nil
	}
	return nil, fmt.Errorf("testcodec: unknown type %v", arr[0])
}
