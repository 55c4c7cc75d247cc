package msgpack_test

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/tinylib/msgp/msgp"

	"github.com/edgebar/edgebar/router/codec/internal/codectest"
	"github.com/edgebar/edgebar/router/codec/json"
	"github.com/edgebar/edgebar/router/codec/msgpack"
	"github.com/edgebar/edgebar/router/wamp"
)

var c = msgpack.Codec

func TestIdentity(t *testing.T) {
	if c.Name() != "msgpack" || c.Subprotocol() != "wamp.2.msgpack" || c.RawSocketID() != 2 || !c.Binary() {
		t.Fatal("wrong codec identity")
	}
}

func TestVectors(t *testing.T) { codectest.Vectors(t, c, codectest.Options{MinFrames: 28}) }

// TestCrossCodec transcodes the JSON vectors to msgpack and back.
func TestCrossCodec(t *testing.T) {
	codectest.CrossCodec(t, c, json.Codec, codectest.TranscodeFrames)
}

func TestDecodeFields(t *testing.T) {
	var b []byte
	b = msgp.AppendArrayHeader(b, 6)
	b = msgp.AppendInt(b, 48)
	b = msgp.AppendUint64(b, 7814135)
	b = msgp.AppendMapHeader(b, 1)
	b = msgp.AppendString(b, "x")
	b = msgp.AppendArrayHeader(b, 4)
	b = msgp.AppendFloat32(b, 1.5)
	b = msgp.AppendBytes(b, []byte{1, 2})
	b = msgp.AppendNil(b)
	b = msgp.AppendUint64(b, math.MaxUint64)
	b = msgp.AppendString(b, "com.myapp.p")
	args := msgp.AppendArrayHeader(nil, 1)
	args = msgp.AppendInt64(args, -1)
	kwargs := msgp.AppendMapHeader(nil, 0)
	b = append(append(b, args...), kwargs...)
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

// frame builds a MessagePack array from already encoded elements.
func frame(elems ...[]byte) []byte {
	b := msgp.AppendArrayHeader(nil, uint32(len(elems)))
	for _, e := range elems {
		b = append(b, e...)
	}
	return b
}

func u(v uint64) []byte   { return msgp.AppendUint64(nil, v) }
func i(v int64) []byte    { return msgp.AppendInt64(nil, v) }
func s(v string) []byte   { return msgp.AppendString(nil, v) }
func raw(h string) []byte { return []byte(h) }

var (
	emptyMap = msgp.AppendMapHeader(nil, 0)
	emptyArr = msgp.AppendArrayHeader(nil, 0)
)

func nested(n int) []byte {
	b := bytes.Repeat([]byte{0x91}, n-1)
	return append(b, 0x90)
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty input", nil, "not an array"},
		{"map top level", emptyMap, "not an array"},
		{"empty array", emptyArr, "empty message"},
		{"unknown type", frame(u(7), emptyMap, s("x")), "unknown message type"},
		{"negative type", frame(i(-1)), "unknown message type"},
		{"string type", frame(s("1")), "unknown message type"},
		{"too few", frame(u(48), u(1), emptyMap), "CALL: 3 elements, want 4 to 6"},
		{"too many", frame(u(48), u(1), emptyMap, s("p"), emptyArr, emptyMap, u(1)), "CALL: 7 elements, want 4 to 6"},
		{"too many fixed", frame(u(32), u(1), emptyMap, s("t"), emptyArr), "SUBSCRIBE: 5 elements, want 4"},
		{"procedure not string", frame(u(48), u(1), emptyMap, u(5)), "msgpack: CALL: element 3 (Procedure) is not a string"},
		{"procedure bin", frame(u(48), u(1), emptyMap, msgp.AppendBytes(nil, []byte("p"))), "element 3 (Procedure) is not a string"},
		{"options not dict", frame(u(48), u(1), emptyArr, s("p")), "element 2 (Options) is not a dict"},
		{"args not list", frame(u(48), u(1), emptyMap, s("p"), emptyMap), "element 4 (Arguments) is not a list"},
		{"kwargs not dict", frame(u(48), u(1), emptyMap, s("p"), emptyArr, emptyArr), "element 5 (ArgumentsKw) is not a dict"},
		{"id string", frame(u(48), s("1"), emptyMap, s("p")), "element 1 (Request) is not an id"},
		{"negative id", frame(u(48), i(-1), emptyMap, s("p")), "not an id in [0, 2^53]"},
		{"id above 2^53", frame(u(48), u(1<<53+1), emptyMap, s("p")), "not an id in [0, 2^53]"},
		{"fractional id", frame(u(48), msgp.AppendFloat64(nil, 1.5), emptyMap, s("p")), "not an id in [0, 2^53]"},
		{"bad request type", frame(u(8), u(99), u(1), emptyMap, s("e")), "element 1 (RequestType) is not a message type"},
		{"trailing garbage", append(frame(u(6), emptyMap, s("r")), 0xc0), "trailing data"},
		{"truncated", frame(u(48), u(1), emptyMap, s("p"), raw("\x92\x01")), "end of input"},
		{"truncated str", frame(u(48), u(1), emptyMap, raw("\xa5ab")), "end of input"},
		{"str32 length lie", frame(u(6), emptyMap, raw("\xdb\xff\xff\xff\xffab")), "end of input"},
		{"array32 length lie", frame(u(48), u(1), emptyMap, s("p"), raw("\xdd\xff\xff\xff\xff\x01")), "end of input"},
		{"map32 length lie", frame(u(48), u(1), raw("\xdf\x80\x00\x00\x00"), s("p")), "end of input"},
		{"invalid utf8 uri", frame(u(6), emptyMap, s("r\xff")), "invalid UTF-8"},
		{"invalid utf8 args", frame(u(48), u(1), emptyMap, s("p"), frame(s("\xc3"))), "invalid UTF-8"},
		{"int map key", frame(u(48), u(1), raw("\x81\x01\x02"), s("p")), "map key is not a str"},
		{"int map key in kwargs", frame(u(48), u(1), emptyMap, s("p"), emptyArr, raw("\x81\x01\x02")), "map key is not a str"},
		{"ext in options", frame(u(48), u(1), raw("\x81\xa1a\xd4\x01\x02"), s("p")), "unsupported type"},
		{"timestamp in args", frame(u(48), u(1), emptyMap, s("p"), raw("\x91\xd6\xff\x00\x00\x00\x01")), "unsupported type"},
		{"never used byte", frame(u(48), u(1), emptyMap, s("p"), raw("\x91\xc1")), "0xc1"},
		{"deep args", frame(u(48), u(1), emptyMap, s("p"), nested(200)), "nesting deeper than 100"},
		{"deep options", frame(u(48), u(1), append(bytes.Repeat(raw("\x81\xa1a"), 120), 0x01), s("p")), "nesting deeper than 100"},
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
			if !strings.HasPrefix(err.Error(), "msgpack: ") {
				t.Fatalf("err = %q lacks the package prefix", err)
			}
		})
	}
}

func TestDepthLimitExact(t *testing.T) {
	ok := frame(u(48), u(1), emptyMap, s("p"), nested(99))
	if _, err := c.Decode(ok); err != nil {
		t.Fatalf("100 levels refused: %v", err)
	}
	bad := frame(u(48), u(1), emptyMap, s("p"), nested(100))
	if _, err := c.Decode(bad); err == nil {
		t.Fatal("101 levels accepted")
	}
}

func TestValues(t *testing.T) {
	in := wamp.Dict{
		"i": int64(-3), "u": uint64(math.MaxUint64), "small": uint8(7), "f": 2.0, "f32": float32(0.5),
		"s": "x", "b": []byte{0xff}, "l": wamp.List{wamp.List{}, wamp.Dict{}}, "n": nil,
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
	if d["i"] != int64(-3) || d["u"] != uint64(math.MaxUint64) || d["small"] != int64(7) || d["f"] != 2.0 ||
		d["f32"] != 0.5 || d["s"] != "x" || !bytes.Equal(d["b"].([]byte), []byte{0xff}) || d["n"] != nil ||
		d["id"] != int64(9) || d["uri"] != "a.b" {
		t.Fatalf("got %#v", d)
	}
	if codectest.Show(d["ss"]) != codectest.Show(wamp.List{"a"}) || codectest.Show(d["ms"]) != codectest.Show(wamp.Dict{"a": "b"}) ||
		codectest.Show(d["ds"]) != codectest.Show(wamp.List{wamp.Dict{"a": true}}) || codectest.Show(d["l"]) != codectest.Show(wamp.List{wamp.List{}, wamp.Dict{}}) {
		t.Fatalf("got %#v", d)
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
	if _, err := c.EncodeValue(nil, make(chan int)); err == nil {
		t.Error("channel encoded")
	}
	if _, err := c.DecodeValue(append(u(1), 0)); err == nil {
		t.Error("trailing data accepted")
	}
}

func TestEncodeMessages(t *testing.T) {
	m := &wamp.Event{Subscription: 1, Publication: 2, Payload: wamp.Payload{Kwargs: wamp.Dict{"a": int64(1)}}}
	got, err := c.Encode(nil, m)
	want := frame(u(36), u(1), u(2), emptyMap, emptyArr, append(msgp.AppendMapHeader(nil, 1), append(s("a"), u(1)...)...))
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("got %x, %v; want %x", got, err, want)
	}
	got, err = c.Encode(nil, &wamp.Unregistered{Request: 5})
	if want := frame(u(67), u(5)); err != nil || !bytes.Equal(got, want) {
		t.Errorf("got %x, %v; want %x", got, err, want)
	}
	if _, err := c.Encode(nil, (*wamp.Hello)(nil)); err == nil {
		t.Error("nil *Hello encoded")
	}
}
