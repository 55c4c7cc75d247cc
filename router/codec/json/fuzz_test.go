package json_test

import (
	"testing"

	"github.com/edgebar/edgebar/router/codec/internal/codectest"
)

// FuzzDecode: no input panics, and whatever decodes encodes to something
// that decodes to an equal message.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`[48,1,{"a":[1.5,-2,"\u0000AQ==",{"b":null}]},"p",["\ud83d\ude00"],{"k":18446744073709551615}]`))
	f.Add([]byte(`[35,1,{}]`))
	codectest.FuzzDecode(f, c, codectest.Options{})
}

// FuzzDecodeValue: no panics; decodable values survive a round trip.
func FuzzDecodeValue(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5,"x",null,true]}`, `"\u0000AQID"`, `18446744073709551615`, `-0.0`, `"\ud800"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := c.DecodeValue(data)
		if err != nil {
			return
		}
		out, err := c.EncodeValue(nil, v)
		if err != nil {
			t.Fatalf("encode %#v: %v", v, err)
		}
		v2, err := c.DecodeValue(out)
		if err != nil {
			t.Fatalf("re-decode %q: %v", out, err)
		}
		if codectest.Show(codectest.Norm(v)) != codectest.Show(codectest.Norm(v2)) {
			t.Fatalf("round trip:\n %#v\n %#v", v, v2)
		}
	})
}
