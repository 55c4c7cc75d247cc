package cbor_test

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"

	fxcbor "github.com/fxamacker/cbor/v2"

	"github.com/edgebar/edgebar/router/codec/cbor"
	"github.com/edgebar/edgebar/router/codec/internal/codectest"
	"github.com/edgebar/edgebar/router/codec/json"
	"github.com/edgebar/edgebar/router/wamp"
)

var c = cbor.Codec

// ref is fxamacker/cbor configured as strictly as this package: the
// reference the tests and the fuzzer compare against.
var ref = func() fxcbor.DecMode {
	dm, err := fxcbor.DecOptions{
		MaxNestedLevels:  cbor.MaxDepth,
		IndefLength:      fxcbor.IndefLengthForbidden,
		TagsMd:           fxcbor.TagsForbidden,
		UTF8:             fxcbor.UTF8RejectInvalid,
		DefaultMapType:   reflect.TypeOf(map[string]any(nil)),
		MaxArrayElements: math.MaxInt32,
		MaxMapPairs:      math.MaxInt32,
	}.DecMode()
	if err != nil {
		panic(err)
	}
	return dm
}()

// enc encodes v with fxamacker/cbor, independently of this package.
func enc(v any) []byte {
	b, err := fxcbor.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func TestIdentity(t *testing.T) {
	if c.Name() != "cbor" || c.Subprotocol() != "wamp.2.cbor" || c.RawSocketID() != 3 || !c.Binary() {
		t.Fatal("wrong codec identity")
	}
}

func TestVectors(t *testing.T) {
	codectest.Vectors(t, c, codectest.Options{MinFrames: 28, Wellformed: ref.Wellformed})
}

// TestCrossCodec transcodes the JSON vectors to cbor and back.
func TestCrossCodec(t *testing.T) {
	codectest.CrossCodec(t, c, json.Codec, codectest.TranscodeFrames)
}

func TestDecodeFields(t *testing.T) {
	args := enc([]any{-1, "x"})
	kwargs := enc(map[string]any{})
	b := append(enc([]any{48, 7814135, map[string]any{"x": []any{float32(1.5), []byte{1, 2}, nil, uint64(math.MaxUint64)}}, "com.myapp.p"}), args...)
	b = append(b, kwargs...)
	b[0] = 0x86 // six elements
	m, err := c.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	call := m.(*wamp.Call)
	x := call.Options["x"].(wamp.List)
	if call.Request != 7814135 || call.Procedure != "com.myapp.p" || x[0] != 1.5 ||
		!bytes.Equal(x[1].([]byte), []byte{1, 2}) || x[2] != nil || x[3] != uint64(math.MaxUint64) {
		t.Fatalf("got %#v", call)
	}
	if call.Raw.Enc != c || !bytes.Equal(call.Raw.Args, args) || !bytes.Equal(call.Raw.Kwargs, kwargs) {
		t.Fatalf("raw = %+v", call.Raw)
	}
	if cap(call.Raw.Args) != len(call.Raw.Args) {
		t.Fatal("raw Args is not capped")
	}
}

// frame builds a CBOR array from already encoded elements.
func frame(elems ...[]byte) []byte {
	b := []byte{0x80 | byte(len(elems))}
	for _, e := range elems {
		b = append(b, e...)
	}
	return b
}

func nested(n int) []byte {
	b := bytes.Repeat([]byte{0x81}, n-1)
	return append(b, 0x80)
}

var (
	emptyMap = []byte{0xa0}
	emptyArr = []byte{0x80}
)

func TestMalformed(t *testing.T) {
	e := enc
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty input", nil, "not an array"},
		{"map top level", emptyMap, "not an array"},
		{"empty array", emptyArr, "empty message"},
		{"unknown type", frame(e(7), emptyMap, e("x")), "unknown message type"},
		{"negative type", frame(e(-1)), "unknown message type"},
		{"too few", frame(e(48), e(1), emptyMap), "CALL: 3 elements, want 4 to 6"},
		{"too many", frame(e(48), e(1), emptyMap, e("p"), emptyArr, emptyMap, e(1)), "CALL: 7 elements, want 4 to 6"},
		{"procedure not string", frame(e(48), e(1), emptyMap, e(5)), "cbor: CALL: element 3 (Procedure) is not a string"},
		{"procedure bytes", frame(e(48), e(1), emptyMap, e([]byte("p"))), "element 3 (Procedure) is not a string"},
		{"options not dict", frame(e(48), e(1), emptyArr, e("p")), "element 2 (Options) is not a dict"},
		{"args not list", frame(e(48), e(1), emptyMap, e("p"), emptyMap), "element 4 (Arguments) is not a list"},
		{"kwargs not dict", frame(e(48), e(1), emptyMap, e("p"), emptyArr, emptyArr), "element 5 (ArgumentsKw) is not a dict"},
		{"id string", frame(e(48), e("1"), emptyMap, e("p")), "element 1 (Request) is not an id"},
		{"negative id", frame(e(48), e(-1), emptyMap, e("p")), "not an id in [0, 2^53]"},
		{"id above 2^53", frame(e(48), e(uint64(1<<53+1)), emptyMap, e("p")), "not an id in [0, 2^53]"},
		{"fractional id", frame(e(48), e(1.5), emptyMap, e("p")), "not an id in [0, 2^53]"},
		{"bad request type", frame(e(8), e(99), e(1), emptyMap, e("e")), "element 1 (RequestType) is not a message type"},
		{"trailing garbage", append(frame(e(6), emptyMap, e("r")), 0xf6), "trailing data"},
		{"truncated", frame(e(48), e(1), emptyMap, e("p"), []byte{0x82, 0x01}), "end of input"},
		{"truncated head", frame(e(48), []byte{0x1b, 0, 0}, emptyMap, e("p")), "end of input"},
		{"length lie", frame(e(6), emptyMap, []byte{0x7b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 'a'}), "end of input"},
		{"array length lie", frame(e(48), e(1), emptyMap, e("p"), []byte{0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1}), "end of input"},
		{"map length lie", frame(e(48), e(1), []byte{0xbb, 0x80, 0, 0, 0, 0, 0, 0, 0}, e("p")), "end of input"},
		{"indefinite array", frame(e(48), e(1), emptyMap, e("p"), []byte{0x9f, 0x01, 0xff}), "indefinite-length"},
		{"indefinite message", []byte{0x9f, 0x06, 0xa0, 0x61, 'r', 0xff}, "indefinite-length"},
		{"indefinite string", frame(e(6), emptyMap, []byte{0x7f, 0x61, 'r', 0xff}), "indefinite-length"},
		{"break", frame(e(48), e(1), emptyMap, e("p"), []byte{0x81, 0xff}), "unexpected break"},
		{"tag in args", frame(e(48), e(1), emptyMap, e("p"), []byte{0x81, 0xc1, 0x01}), "tags are not supported"},
		{"bignum in options", frame(e(48), e(1), []byte{0xa1, 0x61, 'a', 0xc2, 0x41, 0x01}, e("p")), "tags are not supported"},
		{"tagged id", frame(e(48), []byte{0xc1, 0x01}, emptyMap, e("p")), "tags are not supported"},
		{"reserved ai", frame(e(48), e(1), emptyMap, e("p"), []byte{0x81, 0x1c}), "reserved"},
		{"simple value", frame(e(48), e(1), emptyMap, e("p"), []byte{0x81, 0xf0}), "unsupported simple value"},
		{"simple value 1 byte", frame(e(48), e(1), emptyMap, e("p"), []byte{0x81, 0xf8, 0x20}), "unsupported simple value"},
		{"negative below MinInt64", frame(e(48), e(1), emptyMap, e("p"), []byte{0x81, 0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}), "below math.MinInt64"},
		{"invalid utf8 uri", frame(e(6), emptyMap, []byte{0x62, 'r', 0xff}), "invalid UTF-8"},
		{"invalid utf8 args", frame(e(48), e(1), emptyMap, e("p"), []byte{0x81, 0x61, 0xc3}), "invalid UTF-8"},
		{"int map key", frame(e(48), e(1), []byte{0xa1, 0x01, 0x02}, e("p")), "map key is not a text string"},
		{"bytes map key in kwargs", frame(e(48), e(1), emptyMap, e("p"), emptyArr, []byte{0xa1, 0x41, 'a', 0x02}), "map key is not a text string"},
		{"deep args", frame(e(48), e(1), emptyMap, e("p"), nested(200)), "nesting deeper than 100"},
		{"deep options", frame(e(48), e(1), append(bytes.Repeat([]byte{0xa1, 0x61, 'a'}, 120), 0x01), e("p")), "nesting deeper than 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := c.Decode(tt.in)
			if err == nil {
				t.Fatalf("decoded %#v", m)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %q, want it to contain %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "cbor: ") {
				t.Fatalf("err = %q lacks the package prefix", err)
			}
		})
	}
}

func TestDepthLimitExact(t *testing.T) {
	if _, err := c.Decode(frame(enc(48), enc(1), emptyMap, enc("p"), nested(99))); err != nil {
		t.Fatalf("100 levels refused: %v", err)
	}
	if _, err := c.Decode(frame(enc(48), enc(1), emptyMap, enc("p"), nested(100))); err == nil {
		t.Fatal("101 levels accepted")
	}
}

func TestDecodeValueFloats(t *testing.T) {
	tests := []struct {
		in   []byte
		want float64
	}{
		{[]byte{0xf9, 0x3c, 0x00}, 1},
		{[]byte{0xf9, 0xc0, 0x00}, -2},
		{[]byte{0xf9, 0x7b, 0xff}, 65504},
		{[]byte{0xf9, 0x00, 0x01}, 5.960464477539063e-8},
		{[]byte{0xf9, 0x7c, 0x00}, math.Inf(1)},
		{[]byte{0xfa, 0x47, 0xc3, 0x50, 0x00}, 100000},
		{[]byte{0xfb, 0x3f, 0xf1, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a}, 1.1},
	}
	for _, tt := range tests {
		v, err := c.DecodeValue(tt.in)
		if err != nil || v != tt.want {
			t.Errorf("%x: got %v, %v; want %v", tt.in, v, err, tt.want)
		}
	}
	v, err := c.DecodeValue([]byte{0xf9, 0x7e, 0x00})
	if f, ok := v.(float64); err != nil || !ok || !math.IsNaN(f) {
		t.Errorf("half NaN: %v, %v", v, err)
	}
	if v, err := c.DecodeValue([]byte{0xf7}); err != nil || v != nil {
		t.Errorf("undefined: %v, %v", v, err)
	}
}

func TestValues(t *testing.T) {
	in := wamp.Dict{
		"i": int64(-3), "min": int64(math.MinInt64), "u": uint64(math.MaxUint64), "small": uint8(7), "f": 2.0,
		"f32": float32(0.5), "s": "x", "b": []byte{0xff}, "l": wamp.List{wamp.List{}, wamp.Dict{}}, "n": nil,
		"id": wamp.ID(9), "uri": wamp.URI("a.b"), "ss": []string{"a"}, "ms": map[string]string{"a": "b"},
		"ds": []wamp.Dict{{"a": true}},
	}
	out, err := c.EncodeValue(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.DecodeValue(out)
	if err != nil {
		t.Fatal(err)
	}
	d := v.(wamp.Dict)
	if d["i"] != int64(-3) || d["min"] != int64(math.MinInt64) || d["u"] != uint64(math.MaxUint64) ||
		d["small"] != int64(7) || d["f"] != 2.0 || d["f32"] != 0.5 || d["s"] != "x" ||
		!bytes.Equal(d["b"].([]byte), []byte{0xff}) || d["n"] != nil || d["id"] != int64(9) || d["uri"] != "a.b" {
		t.Fatalf("got %#v", d)
	}
	if codectest.Show(d["ss"]) != codectest.Show(wamp.List{"a"}) || codectest.Show(d["ms"]) != codectest.Show(wamp.Dict{"a": "b"}) ||
		codectest.Show(d["ds"]) != codectest.Show(wamp.List{wamp.Dict{"a": true}}) || codectest.Show(d["l"]) != codectest.Show(wamp.List{wamp.List{}, wamp.Dict{}}) {
		t.Fatalf("got %#v", d)
	}
	// The reference decoder reads the same values.
	var r any
	if err := ref.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	if codectest.Show(codectest.Norm(r)) != codectest.Show(codectest.Norm(v)) {
		t.Fatalf("reference:\n %#v\n %#v", codectest.Norm(r), codectest.Norm(v))
	}
	type point struct {
		X int `json:"x"`
	}
	out, err = c.EncodeValue(nil, point{X: 1})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := c.DecodeValue(out); err != nil || codectest.Show(v) != codectest.Show(wamp.Dict{"x": int64(1)}) {
		t.Fatalf("struct fallback: %#v, %v", v, err)
	}
	cyclic := wamp.List{nil}
	cyclic[0] = cyclic
	if _, err := c.EncodeValue(nil, cyclic); err == nil {
		t.Error("cyclic list encoded")
	}
	if _, err := c.DecodeValue([]byte{0x01, 0x00}); err == nil {
		t.Error("trailing data accepted")
	}
}

func TestEncodeMessages(t *testing.T) {
	m := &wamp.Event{Subscription: 1, Publication: 2, Payload: wamp.Payload{Kwargs: wamp.Dict{"a": int64(1)}}}
	got, err := c.Encode(nil, m)
	if want := enc([]any{36, 1, 2, map[string]any{}, []any{}, map[string]any{"a": 1}}); err != nil || !bytes.Equal(got, want) {
		t.Errorf("got %x, %v; want %x", got, err, want)
	}
	got, err = c.Encode(nil, &wamp.Unsubscribed{Request: 5})
	if want := enc([]any{35, 5}); err != nil || !bytes.Equal(got, want) {
		t.Errorf("got %x, %v; want %x", got, err, want)
	}
	if _, err := c.Encode(nil, (*wamp.Yield)(nil)); err == nil {
		t.Error("nil *Yield encoded")
	}
}
