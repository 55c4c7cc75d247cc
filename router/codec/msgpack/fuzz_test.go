package msgpack_test

import (
	"testing"
)

// FuzzDecode: no input panics, and whatever decodes encodes to something
// that decodes to an equal message.
func FuzzDecode(f *testing.F) {
	for _, v := range loadVectors(f) {
		for _, frame := range v.frames[c.Name()] {
			f.Add(frame)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := c.Decode(data)
		if err != nil {
			return
		}
		want := wire(t, m)
		out, err := c.Encode(nil, m)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		m2, err := c.Decode(out)
		if err != nil {
			t.Fatalf("re-decode %x: %v", out, err)
		}
		equalWire(t, "re-decoded", wire(t, m2), want)
	})
}
