package json

import (
	"encoding/base64"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/edgebar/edgebar/router/wamp"
)

// writer appends one message list to b; the first error sticks in err.
type writer struct {
	b   []byte
	err error
}

func (w *writer) begin(t wamp.MessageType, _ int) {
	w.b = append(w.b, '[')
	w.b = strconv.AppendUint(w.b, uint64(t), 10)
}

func (w *writer) end() { w.b = append(w.b, ']') }

func (w *writer) uint(u uint64) {
	w.b = append(w.b, ',')
	w.b = strconv.AppendUint(w.b, u, 10)
}

func (w *writer) str(s string) {
	w.b = append(w.b, ',')
	w.b = appendString(w.b, s)
}

// dict writes d; nil is written as {}.
func (w *writer) dict(d wamp.Dict) {
	if w.err != nil {
		return
	}
	w.b = append(w.b, ',')
	w.b, w.err = appendDict(w.b, d, 2)
}

// payload writes Arguments and ArgumentsKw: raw JSON bytes as they are,
// raw bytes of another codec transcoded through their values, else the
// values. An absent Arguments before a present ArgumentsKw is written [].
func (w *writer) payload(p *wamp.Payload) {
	if w.err != nil || !p.HasArgs() && !p.HasKwargs() {
		return
	}
	if _, same := p.Raw.Enc.(*Serializer); same {
		w.b = append(w.b, ',')
		if p.Raw.Args != nil {
			w.b = append(w.b, p.Raw.Args...)
		} else {
			w.b = append(w.b, "[]"...)
		}
		if p.Raw.Kwargs != nil {
			w.b = append(w.b, ',')
			w.b = append(w.b, p.Raw.Kwargs...)
		}
		return
	}
	args, kwargs, err := p.Values()
	if err != nil {
		w.err = fmt.Errorf("transcoding payload from %s: %w", p.Raw.Enc.Name(), err)
		return
	}
	w.b = append(w.b, ',')
	if args == nil {
		args = wamp.List{}
	}
	if w.b, w.err = appendValue(w.b, args, 1); w.err != nil || !p.HasKwargs() {
		return
	}
	w.b = append(w.b, ',')
	w.b, w.err = appendDict(w.b, kwargs, 2)
}

var errDepthEncode = fmt.Errorf("json: cannot encode values nested deeper than %d", MaxDepth)

// appendValue appends v as JSON. It takes the value types of wamp.Payload
// and, for convenience, Go's other integer and float types, wamp.ID,
// wamp.URI, []string, map[string]string and []wamp.Dict. Anything else goes
// through encoding/json (struct tags apply) and is checked by this
// package's decoder: a convenience for clients, not for the router's paths.
// depth counts enclosing containers; cycles end in an error, not a crash.
func appendValue(b []byte, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		return appendString(b, x), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case uint64:
		return strconv.AppendUint(b, x, 10), nil
	case float64:
		return appendFloat(b, x, 64)
	case []byte:
		b = append(b, `"\u0000`...)
		b = base64.StdEncoding.AppendEncode(b, x)
		return append(b, '"'), nil
	case wamp.List:
		return appendList(b, len(x), depth, func(b []byte, i int) ([]byte, error) {
			return appendValue(b, x[i], depth+1)
		})
	case wamp.Dict:
		return appendDict(b, x, depth+1)
	case wamp.ID:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case wamp.URI:
		return appendString(b, string(x)), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int8:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(x), 10), nil
	case uint:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case uint8:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case uint16:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case uint32:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case float32:
		return appendFloat(b, float64(x), 32)
	}
	return appendOther(b, v, depth)
}

func appendOther(b []byte, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case []string:
		return appendList(b, len(x), depth, func(b []byte, i int) ([]byte, error) {
			return appendString(b, x[i]), nil
		})
	case map[string]string:
		if depth+1 > MaxDepth {
			return b, errDepthEncode
		}
		b = append(b, '{')
		first := true
		for k, s := range x {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendString(b, k)
			b = append(b, ':')
			b = appendString(b, s)
		}
		return append(b, '}'), nil
	case []wamp.Dict:
		return appendList(b, len(x), depth, func(b []byte, i int) ([]byte, error) {
			return appendDict(b, x[i], depth+2)
		})
	}
	// The fallback: encoding/json, then our own validation, so that what we
	// send is always something we would accept.
	data, err := stdjson.Marshal(v)
	if err != nil {
		return b, fmt.Errorf("json: encoding %T: %w", v, err)
	}
	s := scanner{data: data}
	if err := s.skip(depth); err != nil {
		return b, fmt.Errorf("json: encoding %T: %w", v, err)
	}
	return append(b, data...), nil
}

// appendList writes n elements produced by elem, one level below depth.
func appendList(b []byte, n, depth int, elem func([]byte, int) ([]byte, error)) ([]byte, error) {
	if depth+1 > MaxDepth {
		return b, errDepthEncode
	}
	b = append(b, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = elem(b, i); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

// appendDict writes d, which sits at depth (its own level); nil is {}.
func appendDict(b []byte, d wamp.Dict, depth int) ([]byte, error) {
	if depth > MaxDepth {
		return b, errDepthEncode
	}
	if len(d) == 0 {
		// Ranging over even a nil map costs an iterator set-up; most
		// Details and Options are empty.
		return append(b, "{}"...), nil
	}
	b = append(b, '{')
	first := true
	for k, v := range d {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, k)
		b = append(b, ':')
		var err error
		if b, err = appendValue(b, v, depth); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

var errNonFinite = errors.New("json: cannot encode NaN or infinity")

// appendFloat writes f so that it decodes as a float again: an integral
// value gets ".0" (3.0, not 3, which would decode as an integer).
func appendFloat(b []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, errNonFinite
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, 'g', -1, bits)
	for _, c := range b[start:] {
		if c == '.' || c == 'e' {
			return b, nil
		}
	}
	return append(b, ".0"...), nil
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string: quote, backslash and control
// characters escaped, invalid UTF-8 replaced by U+FFFD, nothing
// HTML-escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
