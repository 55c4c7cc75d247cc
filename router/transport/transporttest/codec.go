// Package transporttest holds what the transport packages' tests share: a
// stand-in codec that JSON-encodes a few message types with encoding/json,
// so framing tests do not depend on the real codecs.
package transporttest

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/edgebar/edgebar/router/wamp"
)

// Codec stands in for the real codecs in transport tests that are about
// framing:
// it JSON-encodes a few message types with encoding/json. Binary variants
// differ only in name, id and the Binary flag.
type Codec struct {
	name   string
	id     byte
	binary bool
}

// The three stand-ins, named like the real codecs.
var (
	JSON    = &Codec{"json", 1, false}
	Msgpack = &Codec{"msgpack", 2, true}
	CBOR    = &Codec{"cbor", 3, true}
)

func (c *Codec) Name() string        { return c.name }
func (c *Codec) Subprotocol() string { return "wamp.2." + c.name }
func (c *Codec) RawSocketID() byte   { return c.id }
func (c *Codec) Binary() bool        { return c.binary }

func (c *Codec) DecodeValue(data []byte) (any, error) {
	var v any
	err := json.Unmarshal(data, &v)
	return v, err
}

func (c *Codec) EncodeValue(dst []byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	return append(dst, b...), err
}

func (c *Codec) Encode(dst []byte, m wamp.Message) ([]byte, error) {
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

func (c *Codec) Decode(data []byte) (wamp.Message, error) {
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
