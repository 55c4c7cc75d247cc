package codectest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/edgebar/edgebar/router/wamp"
)

// Codec is the part of router/codec.Codec the helpers use; codectest may
// not import router/codec, which imports the codecs.
type Codec interface {
	Name() string
	Binary() bool
	Encode(dst []byte, m wamp.Message) ([]byte, error)
	Decode(data []byte) (wamp.Message, error)
}

// Options are what a codec adds to the shared checks.
type Options struct {
	// MinFrames is the least number of vector frames the codec must have,
	// so that a vectors file that lost its lines fails.
	MinFrames int
	// Wellformed, when not nil, asks an independent reference decoder
	// whether a frame the codec produced or accepted is well-formed.
	Wellformed func(frame []byte) error
}

// frame prints a frame of c for a message: text as it is, binary in hex.
func frame(c Codec, b []byte) string {
	if c.Binary() {
		return fmt.Sprintf("%x", b)
	}
	return string(b)
}

// Vectors decodes every vector frame of c and compares it with the
// vector's expectation or refusal, then encodes what it decoded and decodes
// that again to the same message.
func Vectors(t *testing.T, c Codec, o Options) {
	n := 0
	for _, v := range LoadVectors(t) {
		for i, b := range v.Frames[c.Name()] {
			n++
			m, err := c.Decode(b)
			if v.Reject != "" {
				if err == nil || !strings.Contains(err.Error(), v.Reject) {
					t.Errorf("%s[%d]: err = %v, want one containing %q", v.Name, i, err, v.Reject)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s[%d]: %v", v.Name, i, err)
				continue
			}
			got := Wire(t, m)
			EqualWire(t, v.Name, got, v.Expect)
			out, err := c.Encode(nil, m)
			if err != nil {
				t.Errorf("%s[%d]: encode: %v", v.Name, i, err)
				continue
			}
			m2, err := c.Decode(out)
			if err != nil {
				t.Errorf("%s[%d]: re-decode %s: %v", v.Name, i, frame(c, out), err)
				continue
			}
			EqualWire(t, v.Name+" re-encoded", Wire(t, m2), got)
			if o.Wellformed == nil {
				continue
			}
			if err := o.Wellformed(out); err != nil {
				t.Errorf("%s[%d]: reference rejects our %s: %v", v.Name, i, frame(c, out), err)
			}
		}
	}
	if n < o.MinFrames {
		t.Fatalf("only %d vectors", n)
	}
}

// TranscodeFrames are frames of the json codec whose values need care
// when transcoded: integers past int64 and 2^53, binary strings, nested
// lists and dicts, an empty Arguments before ArgumentsKw.
var TranscodeFrames = [][]byte{
	[]byte(`[48,1,{"b":"\u0000AQID"},"p",[18446744073709551615,-9223372036854775808,1.5,2.0,"\u0000/w==",[{"x":null}]],{"big":9007199254740993,"bin":"\u0000AA=="}]`),
	[]byte(`[36,1,2,{},[],{"k":"v"}]`),
}

// CrossCodec decodes every valid vector frame of from, and the frames
// given, encodes each message with c, decodes it again and compares: raw
// payloads of from are transcoded through their values. Then it goes back
// to from, from c's raw payloads this time.
func CrossCodec(t *testing.T, c, from Codec, frames [][]byte) {
	frames = append([][]byte(nil), frames...)
	for _, v := range LoadVectors(t) {
		if v.Reject == "" {
			frames = append(frames, v.Frames[from.Name()]...)
		}
	}
	for _, b := range frames {
		in := frame(from, b)
		m, err := from.Decode(b)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		want := Wire(t, m)
		out, err := c.Encode(nil, m)
		if err != nil {
			t.Fatalf("%s: encode: %v", in, err)
		}
		m2, err := c.Decode(out)
		if err != nil {
			t.Fatalf("%s: decode %s: %v", in, frame(c, out), err)
		}
		EqualWire(t, in, Wire(t, m2), want)
		back, err := from.Encode(nil, m2)
		if err != nil {
			t.Fatalf("%s: back to %s: %v", in, from.Name(), err)
		}
		m3, err := from.Decode(back)
		if err != nil {
			t.Fatalf("%s: decode %s: %v", in, frame(from, back), err)
		}
		EqualWire(t, frame(from, back), Wire(t, m3), want)
	}
}

// FuzzDecode fuzzes c.Decode, seeded with c's vector frames besides what
// the caller added: no input panics; whatever decodes is well-formed for
// the reference, if any, and encodes to something that decodes to an equal
// message.
func FuzzDecode(f *testing.F, c Codec, o Options) {
	for _, v := range LoadVectors(f) {
		for _, b := range v.Frames[c.Name()] {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := c.Decode(data)
		if err != nil {
			return
		}
		if o.Wellformed != nil {
			if err := o.Wellformed(data); err != nil {
				t.Fatalf("accepted %s, which the reference rejects: %v", frame(c, data), err)
			}
		}
		want := Wire(t, m)
		out, err := c.Encode(nil, m)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		m2, err := c.Decode(out)
		if err != nil {
			t.Fatalf("re-decode %s: %v", frame(c, out), err)
		}
		EqualWire(t, "re-decoded", Wire(t, m2), want)
	})
}
