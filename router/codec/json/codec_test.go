package json_test

import (
	"strings"
	"testing"

	"github.com/edgebar/edgebar/router/codec/internal/codectest"
	"github.com/edgebar/edgebar/router/codec/json"
	"github.com/edgebar/edgebar/router/wamp"
)

var c = json.Codec

func TestIdentity(t *testing.T) {
	if c.Name() != "json" || c.Subprotocol() != "wamp.2.json" || c.RawSocketID() != 1 || c.Binary() {
		t.Fatal("wrong codec identity")
	}
}

func TestVectors(t *testing.T) { codectest.Vectors(t, c, codectest.Options{MinFrames: 30}) }

func TestDecodeFields(t *testing.T) {
	m, err := c.Decode([]byte(`[48, 7814135, {"timeout": 1000, "x": [1.5, "\u0000AQID", null]}, "com.myapp.p", ["a", 2], {"k": true}]`))
	if err != nil {
		t.Fatal(err)
	}
	call := m.(*wamp.Call)
	if call.Request != 7814135 || call.Procedure != "com.myapp.p" {
		t.Fatalf("got %+v", call)
	}
	if v, ok := call.Options["timeout"].(int64); !ok || v != 1000 {
		t.Fatalf("timeout = %#v", call.Options["timeout"])
	}
	x := call.Options["x"].(wamp.List)
	if x[0] != 1.5 || string(x[1].([]byte)) != "\x01\x02\x03" || x[2] != nil {
		t.Fatalf("x = %#v", x)
	}
	if call.Raw.Enc != c || string(call.Raw.Args) != `["a", 2]` || string(call.Raw.Kwargs) != `{"k": true}` {
		t.Fatalf("raw = %+v", call.Raw)
	}
	if cap(call.Raw.Args) != len(call.Raw.Args) {
		t.Fatal("raw Args is not capped: appending to it would overwrite the frame")
	}
}

func TestIntegralFloatIDs(t *testing.T) {
	m, err := c.Decode([]byte(`[33, 1.0, 4.5e3]`))
	if err != nil {
		t.Fatal(err)
	}
	if s := m.(*wamp.Subscribed); s.Request != 1 || s.Subscription != 4500 {
		t.Fatalf("got %+v", s)
	}
	if _, err := c.Decode([]byte(`[33, 1.5, 1]`)); err == nil {
		t.Fatal("fractional id accepted")
	}
}

func TestMalformed(t *testing.T) {
	deep := strings.Repeat("[", 200) + strings.Repeat("]", 200)
	deepDict := `[1,"r",` + strings.Repeat(`{"a":`, 120) + "1" + strings.Repeat("}", 120) + "]"
	tests := []struct{ name, in, want string }{
		{"empty input", ``, "not a list"},
		{"not a list", `{"a":1}`, "not a list"},
		{"string", `"x"`, "not a list"},
		{"empty list", `[]`, "empty message"},
		{"unknown type", `[7, {}, "x"]`, "unknown message type 7"},
		{"type 256", `[256]`, "unknown message type"},
		{"negative type", `[-1]`, "unknown message type"},
		{"float type", `[1.0, "r", {}]`, "unknown message type"},
		{"string type", `["1", "r", {}]`, "message type is not an integer"},
		{"too few", `[48, 1, {}]`, "CALL: 3 elements, want 4 to 6"},
		{"too many", `[48, 1, {}, "p", [], {}, 1]`, "CALL: more than 6 elements"},
		{"too many fixed", `[32, 1, {}, "t", []]`, "SUBSCRIBE: more than 4 elements"},
		{"unsubscribed too many", `[35, 1, {}, 1]`, "UNSUBSCRIBED: more than 3 elements"},
		{"procedure not string", `[48, 1, {}, 5]`, "json: CALL: element 3 (Procedure) is not a string"},
		{"options not dict", `[48, 1, [], "p"]`, "element 2 (Options) is not a dict"},
		{"args not list", `[48, 1, {}, "p", {}]`, "element 4 (Arguments) is not a list"},
		{"kwargs not dict", `[48, 1, {}, "p", [], []]`, "element 5 (ArgumentsKw) is not a dict"},
		{"id string", `[48, "1", {}, "p"]`, "element 1 (Request) is not an id"},
		{"negative id", `[48, -1, {}, "p"]`, "not an id in [0, 2^53]"},
		{"id above 2^53", `[48, 9007199254740993, {}, "p"]`, "not an id in [0, 2^53]"},
		{"id 2^64", `[48, 18446744073709551616, {}, "p"]`, "not an id in [0, 2^53]"},
		{"bad request type", `[8, 99, 1, {}, "e"]`, "element 1 (RequestType) is not a message type"},
		{"details not dict", `[35, 1, 2]`, "element 2 (Details) is not a dict"},
		{"trailing garbage", `[6, {}, "r"] x`, "trailing data"},
		{"two messages", `[6, {}, "r"][6, {}, "r"]`, "trailing data"},
		{"truncated", `[48, 1, {}, "p", ["a"`, "end of input"},
		{"truncated string", `[48, 1, {}, "p`, "end of input"},
		{"unterminated list", `[6, {}, "r"`, "end of input"},
		{"missing comma", `[6 {} "r"]`, "unexpected"},
		{"trailing comma", `[6, {}, "r",]`, "more than 3 elements"},
		{"trailing comma optional", `[48, 1, {}, "p",]`, "(Arguments) is not a list"},
		{"invalid utf8 uri", "[6, {}, \"r\xff\"]", "invalid UTF-8"},
		{"invalid utf8 args", "[48, 1, {}, \"p\", [\"\xc3\"]]", "invalid UTF-8"},
		{"invalid utf8 key", "[48, 1, {\"\xe2\x82\":1}, \"p\"]", "invalid UTF-8"},
		{"control char", "[6, {}, \"a\nb\"]", "control character"},
		{"bad escape", `[6, {}, "a\qb"]`, "bad escape"},
		{"bad unicode escape", `[6, {}, "a\u12G4"]`, "bad \\u escape"},
		{"bad escape in args", `[48, 1, {}, "p", ["\x"]]`, "bad escape"},
		{"bad base64 in args", `[48, 1, {}, "p", ["\u0000!!!"]]`, "binary string"},
		{"bad base64 in options", `[48, 1, {"a":"\u0000%"}, "p"]`, "binary string"},
		{"deep args", `[48, 1, {}, "p", ` + deep + `]`, "nesting deeper than 100"},
		{"deep options", deepDict, "nesting deeper than 100"},
		{"number overflow", `[48, 1, {"a": 1e999}, "p"]`, "out of range"},
		{"number overflow args", `[48, 1, {}, "p", [1e999]]`, "out of range"},
		{"bad number", `[48, 1, {"a": 01}, "p"]`, "unexpected"},
		{"bad fraction", `[48, 1, {"a": 1.}, "p"]`, "bad number"},
		{"bad literal", `[48, 1, {"a": tru}, "p"]`, "unexpected"},
		{"non-string key", `[48, 1, {1: 2}, "p"]`, "unexpected"},
		{"missing colon", `[48, 1, {"a" 2}, "p"]`, "unexpected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := c.Decode([]byte(tt.in))
			if err == nil {
				t.Fatalf("decoded %#v", m)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %q, want it to contain %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "json: ") {
				t.Fatalf("err = %q lacks the package prefix", err)
			}
		})
	}
}

func TestDepthLimitExact(t *testing.T) {
	// The message list is level 1, so Arguments may hold 98 more levels.
	ok := `[48, 1, {}, "p", ` + strings.Repeat("[", 99) + strings.Repeat("]", 99) + `]`
	if _, err := c.Decode([]byte(ok)); err != nil {
		t.Fatalf("100 levels refused: %v", err)
	}
	bad := `[48, 1, {}, "p", ` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `]`
	if _, err := c.Decode([]byte(bad)); err == nil {
		t.Fatal("101 levels accepted")
	}
}
