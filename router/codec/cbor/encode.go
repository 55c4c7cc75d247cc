package cbor

import (
	"bytes"
	"encoding/binary"
	stdjson "encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/edgebar/edgebar/router/wamp"
)

// writer appends one message array to b; the first error sticks in err.
type writer struct {
	b   []byte
	err error
}

func (w *writer) begin(t wamp.MessageType, n int) {
	w.b = appendHead(w.b, majorArray, uint64(n))
	w.b = appendHead(w.b, majorUint, uint64(t))
}

func (w *writer) end() {}

func (w *writer) uint(u uint64) { w.b = appendHead(w.b, majorUint, u) }
func (w *writer) str(s string)  { w.b = appendText(w.b, s) }
func (w *writer) dict(d wamp.Dict) {
	if len(d) == 0 && w.err == nil {
		w.b = append(w.b, 0xa0) // an empty map, as most Details and Options, without a call
		return
	}
	w.appendDict(d)
}

func (w *writer) appendDict(d wamp.Dict) {
	if w.err == nil {
		w.b, w.err = appendDict(w.b, d, 2)
	}
}

// payload writes Arguments and ArgumentsKw: raw CBOR bytes as they
// are, raw bytes of another codec transcoded through their values, else
// the values. An absent Arguments before a present ArgumentsKw is [].
func (w *writer) payload(p *wamp.Payload) {
	if w.err != nil || !p.HasArgs() && !p.HasKwargs() {
		return
	}
	if _, same := p.Raw.Enc.(*Serializer); same {
		if p.Raw.Args != nil {
			w.b = append(w.b, p.Raw.Args...)
		} else {
			w.b = appendHead(w.b, majorArray, 0)
		}
		w.b = append(w.b, p.Raw.Kwargs...)
		return
	}
	args, kwargs, err := p.Values()
	if err != nil {
		w.err = fmt.Errorf("transcoding payload from %s: %w", p.Raw.Enc.Name(), err)
		return
	}
	if args == nil {
		args = wamp.List{}
	}
	if w.b, w.err = appendValue(w.b, args, 1); w.err == nil && p.HasKwargs() {
		w.appendDict(kwargs)
	}
}

var errDepthEncode = fmt.Errorf("cbor: cannot encode values nested deeper than %d", MaxDepth)

// appendValue appends v. It takes the value types of wamp.Payload and, for
// convenience, Go's other integer and float types, wamp.ID, wamp.URI,
// []string, map[string]string and []wamp.Dict. Anything else goes through
// encoding/json (struct tags apply, []byte fields become base64 strings)
// and back to generic values: a convenience for clients, not for the
// router's paths. depth counts enclosing containers, so cycles end in an
// error rather than a crash.
func appendValue(b []byte, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, 0xf6), nil
	case bool:
		return appendBool(b, x), nil
	case string:
		return appendText(b, x), nil
	case int64:
		return appendInt(b, x), nil
	case uint64:
		return appendHead(b, majorUint, x), nil
	case float64:
		return binary.BigEndian.AppendUint64(append(b, 0xfb), math.Float64bits(x)), nil
	case []byte:
		return append(appendHead(b, majorBytes, uint64(len(x))), x...), nil
	case wamp.List:
		if depth+1 > MaxDepth {
			return b, errDepthEncode
		}
		b = appendHead(b, majorArray, uint64(len(x)))
		for _, e := range x {
			var err error
			if b, err = appendValue(b, e, depth+1); err != nil {
				return b, err
			}
		}
		return b, nil
	case wamp.Dict:
		return appendDict(b, x, depth+1)
	case wamp.ID:
		return appendHead(b, majorUint, uint64(x)), nil
	case wamp.URI:
		return appendText(b, string(x)), nil
	case int:
		return appendInt(b, int64(x)), nil
	case int8:
		return appendInt(b, int64(x)), nil
	case int16:
		return appendInt(b, int64(x)), nil
	case int32:
		return appendInt(b, int64(x)), nil
	case uint:
		return appendHead(b, majorUint, uint64(x)), nil
	case uint8:
		return appendHead(b, majorUint, uint64(x)), nil
	case uint16:
		return appendHead(b, majorUint, uint64(x)), nil
	case uint32:
		return appendHead(b, majorUint, uint64(x)), nil
	case float32:
		return binary.BigEndian.AppendUint32(append(b, 0xfa), math.Float32bits(x)), nil
	}
	return appendOther(b, v, depth)
}

func appendOther(b []byte, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case []string:
		if depth+1 > MaxDepth {
			return b, errDepthEncode
		}
		b = appendHead(b, majorArray, uint64(len(x)))
		for _, s := range x {
			b = appendText(b, s)
		}
		return b, nil
	case map[string]string:
		if depth+1 > MaxDepth {
			return b, errDepthEncode
		}
		b = appendHead(b, majorMap, uint64(len(x)))
		for k, s := range x {
			b = appendText(appendText(b, k), s)
		}
		return b, nil
	case []wamp.Dict:
		if depth+1 > MaxDepth {
			return b, errDepthEncode
		}
		b = appendHead(b, majorArray, uint64(len(x)))
		for _, d := range x {
			var err error
			if b, err = appendDict(b, d, depth+2); err != nil {
				return b, err
			}
		}
		return b, nil
	}
	g, err := viaJSON(v)
	if err != nil {
		return b, fmt.Errorf("cbor: encoding %T: %w", v, err)
	}
	return appendValue(b, g, depth)
}

// appendDict appends d, which sits at depth (its own level); nil is {}.
func appendDict(b []byte, d wamp.Dict, depth int) ([]byte, error) {
	if depth > MaxDepth {
		return b, errDepthEncode
	}
	b = appendHead(b, majorMap, uint64(len(d)))
	if len(d) == 0 {
		return b, nil // no iterator set-up: most Details and Options are empty
	}
	for k, v := range d {
		b = appendText(b, k)
		var err error
		if b, err = appendValue(b, v, depth); err != nil {
			return b, err
		}
	}
	return b, nil
}

// viaJSON turns any Go value into generic values through encoding/json.
func viaJSON(v any) (any, error) {
	data, err := stdjson.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := stdjson.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var g any
	if err := dec.Decode(&g); err != nil {
		return nil, err
	}
	return numbers(g), nil
}

// numbers replaces json.Number by int64, uint64 or float64, in place.
func numbers(v any) any {
	switch x := v.(type) {
	case stdjson.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return i
		}
		if u, err := strconv.ParseUint(string(x), 10, 64); err == nil {
			return u
		}
		f, err := x.Float64()
		if err != nil || math.IsInf(f, 0) {
			return string(x)
		}
		return f
	case []any:
		for i := range x {
			x[i] = numbers(x[i])
		}
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e)
		}
	}
	return v
}

// appendHead appends an initial byte and argument in the shortest form
// (RFC 8949 §4.2.1, preferred serialization).
func appendHead(b []byte, major byte, arg uint64) []byte {
	m := major << 5
	switch {
	case arg < 24:
		return append(b, m|byte(arg))
	case arg <= math.MaxUint8:
		return append(b, m|24, byte(arg))
	case arg <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(arg))
	case arg <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(arg))
	}
	return binary.BigEndian.AppendUint64(append(b, m|27), arg)
}

func appendInt(b []byte, i int64) []byte {
	if i >= 0 {
		return appendHead(b, majorUint, uint64(i))
	}
	return appendHead(b, majorNeg, uint64(-(i + 1)))
}

func appendText(b []byte, s string) []byte {
	return append(appendHead(b, majorText, uint64(len(s))), s...)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 0xf5)
	}
	return append(b, 0xf4)
}
