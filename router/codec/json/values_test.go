package json_test

import (
	"math"
	"strings"
	"testing"

	"github.com/edgebar/edgebar/router/codec/internal/codectest"
	"github.com/edgebar/edgebar/router/wamp"
)

func TestDecodeValue(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{`null`, nil},
		{`true`, true},
		{` false `, false},
		{`0`, int64(0)},
		{`-0`, int64(0)},
		{`-9223372036854775808`, int64(math.MinInt64)},
		{`9223372036854775807`, int64(math.MaxInt64)},
		{`9223372036854775808`, uint64(1 << 63)},
		{`18446744073709551615`, uint64(math.MaxUint64)},
		{`18446744073709551616`, float64(1 << 64)},
		{`-9223372036854775809`, float64(math.MinInt64)},
		{`1.5`, 1.5},
		{`3.0`, 3.0},
		{`1e3`, 1000.0},
		{`"a\"b\\c\/\b\f\n\r\t\u00e9\ud83d\ude00"`, "a\"b\\c/\b\f\n\r\t\u00e9\U0001F600"},
		{`"\ud800x"`, "\uFFFDx"},
		{`"\u0000AQID"`, []byte{1, 2, 3}},
		{`"\u0000AQI"`, []byte{1, 2}},
		{`"\u0000"`, []byte{}},
	}
	for _, tt := range tests {
		got, err := c.DecodeValue([]byte(tt.in))
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if codectest.Show(got) != codectest.Show(tt.want) {
			t.Errorf("%s: got %#v, want %#v", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{``, `nul`, `[1,]`, `{"a":1,}`, `1 2`, `"\u0000***"`, "\"\xff\"", `-`, `1e`, `.5`, `+1`, `NaN`} {
		if v, err := c.DecodeValue([]byte(bad)); err == nil {
			t.Errorf("%q decoded to %#v", bad, v)
		}
	}
}

type point struct {
	X int    `json:"x"`
	Y string `json:"y,omitempty"`
}

func TestEncodeValue(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{nil, `null`},
		{true, `true`},
		{int64(-5), `-5`},
		{uint64(math.MaxUint64), `18446744073709551615`},
		{3.0, `3.0`},
		{1.5, `1.5`},
		{1e21, `1e+21`},
		{float32(0.1), `0.1`},
		{"a\"\\\n\x01<>&\u2028", `"a\"\\\n\u0001<>&` + "\u2028" + `"`},
		{"bad\xffutf8", `"bad\ufffdutf8"`},
		{[]byte{1, 2, 3}, `"\u0000AQID"`},
		{wamp.List{int8(1), uint16(2), wamp.ID(3), wamp.URI("u")}, `[1,2,3,"u"]`},
		{wamp.Dict{"k": wamp.List{}}, `{"k":[]}`},
		{wamp.Dict(nil), `{}`},
		{[]string{"a", "b"}, `["a","b"]`},
		{map[string]string{"a": "b"}, `{"a":"b"}`},
		{[]wamp.Dict{{"a": 1}}, `[{"a":1}]`},
		{point{X: 1}, `{"x":1}`},
	}
	for _, tt := range tests {
		got, err := c.EncodeValue([]byte("prefix:"), tt.in)
		if err != nil {
			t.Errorf("%#v: %v", tt.in, err)
			continue
		}
		if string(got) != "prefix:"+tt.want {
			t.Errorf("%#v: got %s, want %s", tt.in, got, tt.want)
		}
	}
	for _, bad := range []any{math.NaN(), math.Inf(1), make(chan int), wamp.List{math.Inf(-1)}} {
		if out, err := c.EncodeValue(nil, bad); err == nil {
			t.Errorf("%#v encoded to %s", bad, out)
		}
	}
	cyclic := wamp.List{nil}
	cyclic[0] = cyclic
	if _, err := c.EncodeValue(nil, cyclic); err == nil || !strings.Contains(err.Error(), "deeper") {
		t.Errorf("cyclic list: err = %v", err)
	}
}

// Every value the decoder produces encodes back to an equal value, with the
// same Go types (floats stay floats, binaries stay binaries).
func TestValueRoundTrip(t *testing.T) {
	in := `{"i":-3,"u":18446744073709551615,"f":2.0,"s":"x\u0001","b":"\u0000/w==","l":[[],{}],"n":null}`
	v, err := c.DecodeValue([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.EncodeValue(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := c.DecodeValue(out)
	if err != nil {
		t.Fatal(err)
	}
	if codectest.Show(v) != codectest.Show(v2) {
		t.Fatalf("round trip:\n %#v\n %#v", v, v2)
	}
}

func TestEncodeMessages(t *testing.T) {
	tests := []struct {
		m    wamp.Message
		want string
	}{
		{&wamp.Hello{Realm: "r"}, `[1,"r",{}]`},
		{&wamp.Unsubscribed{Request: 5}, `[35,5]`},
		{&wamp.Unsubscribed{Request: 5, Details: wamp.Dict{}}, `[35,5,{}]`},
		{&wamp.Unregistered{Request: 5}, `[67,5]`},
		{&wamp.Event{Subscription: 1, Publication: 2}, `[36,1,2,{}]`},
		{&wamp.Event{Subscription: 1, Publication: 2, Payload: wamp.Payload{Kwargs: wamp.Dict{"a": 1}}}, `[36,1,2,{},[],{"a":1}]`},
		{&wamp.Event{Subscription: 1, Publication: 2, Payload: wamp.Payload{Args: wamp.List{}}}, `[36,1,2,{},[]]`},
		{&wamp.Result{Request: 1, Payload: wamp.Payload{Raw: wamp.RawPayload{Enc: c, Kwargs: []byte(`{"x":1}`)}}}, `[50,1,{},[],{"x":1}]`},
		{&wamp.ErrorMessage{RequestType: wamp.CALL, Request: 7, Error: "wamp.error.canceled"}, `[8,48,7,{},"wamp.error.canceled"]`},
	}
	for _, tt := range tests {
		got, err := c.Encode(nil, tt.m)
		if err != nil || string(got) != tt.want {
			t.Errorf("%T: got %s, %v; want %s", tt.m, got, err, tt.want)
		}
	}
	if _, err := c.Encode(nil, (*wamp.Call)(nil)); err == nil {
		t.Error("nil *Call encoded")
	}
	if _, err := c.Encode(nil, nil); err == nil {
		t.Error("nil message encoded")
	}
	bad := &wamp.Call{Request: 1, Procedure: "p", Payload: wamp.Payload{Args: wamp.List{math.NaN()}}}
	if out, err := c.Encode([]byte("keep"), bad); err == nil || string(out) != "keep" {
		t.Errorf("NaN payload: %s, %v", out, err)
	}
}
