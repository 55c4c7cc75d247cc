// Package codectest holds the tests that the json, msgpack and cbor codecs
// share, as helpers each codec's tests call with its own Codec: the golden
// vectors of router/codec/testdata/vectors.txt (converted from wamp-proto's
// testsuite), round trips, transcoding between codecs, the FuzzDecode body
// and the benchmarks.
//
// The oracle, Wire, lays a message out as the generic list of WAMP
// §"Message Definitions" by hand, independently of the codecs and of
// package layout, which it checks.
package codectest

import (
	"bufio"
	"bytes"
	"encoding/hex"
	stdjson "encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/edgebar/edgebar/router/wamp"
)

// Vector is one block of vectors.txt.
type Vector struct {
	Name   string
	Expect []any               // the message as a normalised generic list; nil when Reject is set
	Reject string              // every codec must refuse the frames with an error containing it
	Frames map[string][][]byte // by codec name
}

// VectorsFile is where LoadVectors reads the vectors: relative to a codec's
// package directory, where its tests run.
const VectorsFile = "../testdata/vectors.txt"

// LoadVectors reads VectorsFile.
func LoadVectors(t testing.TB) []Vector {
	t.Helper()
	f, err := os.Open(VectorsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var vs []Vector
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		if line[0] == '=' {
			vs = append(vs, Vector{Name: strings.TrimSpace(line[1:]), Frames: map[string][][]byte{}})
			continue
		}
		if len(vs) == 0 {
			t.Fatalf("vectors: %q before the first block", line)
		}
		v := &vs[len(vs)-1]
		kw, arg, _ := strings.Cut(line, " ")
		switch kw {
		case "expect":
			v.Expect = parseGeneric(t, arg).([]any)
		case "reject":
			v.Reject = arg
		default:
			b, err := hex.DecodeString(arg)
			if err != nil {
				t.Fatalf("vectors: %s: %v", v.Name, err)
			}
			v.Frames[kw] = append(v.Frames[kw], b)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

// parseGeneric reads JSON with encoding/json and normalises its numbers.
func parseGeneric(t testing.TB, s string) any {
	t.Helper()
	d := stdjson.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("vectors: %q: %v", s, err)
	}
	return Norm(v)
}

// Norm makes values comparable with reflect.DeepEqual: every number
// becomes a string "i:<integer>" or "f:<float>", every nil dict an empty
// one, every byte slice a "b:<hex>" string.
func Norm(v any) any {
	switch x := v.(type) {
	case stdjson.Number:
		if _, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return "i:" + string(x)
		}
		if _, err := strconv.ParseUint(string(x), 10, 64); err == nil {
			return "i:" + string(x)
		}
		f, _ := x.Float64()
		return Norm(f)
	case int64:
		return "i:" + strconv.FormatInt(x, 10)
	case uint64:
		return "i:" + strconv.FormatUint(x, 10)
	case int:
		return "i:" + strconv.Itoa(x)
	case wamp.ID:
		return "i:" + strconv.FormatUint(uint64(x), 10)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
			return "f:" + strconv.FormatInt(int64(x), 10)
		}
		return "f:" + strconv.FormatFloat(x, 'g', -1, 64)
	case []byte:
		return "b:" + hex.EncodeToString(x)
	case wamp.URI:
		return string(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Norm(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Norm(e)
		}
		return out
	}
	return v
}

// Wire lays m out as the generic list WAMP §"Message Definitions" gives,
// decoding a raw payload, and normalises it.
func Wire(t testing.TB, m wamp.Message) []any {
	t.Helper()
	d := func(x wamp.Dict) any {
		if x == nil {
			return map[string]any{}
		}
		return x
	}
	var l []any
	var p *wamp.Payload
	switch m := m.(type) {
	case *wamp.Hello:
		l = []any{m.Realm, d(m.Details)}
	case *wamp.Welcome:
		l = []any{m.Session, d(m.Details)}
	case *wamp.Abort:
		l = []any{d(m.Details), m.Reason}
	case *wamp.Challenge:
		l = []any{m.AuthMethod, d(m.Extra)}
	case *wamp.Authenticate:
		l = []any{m.Signature, d(m.Extra)}
	case *wamp.Goodbye:
		l = []any{d(m.Details), m.Reason}
	case *wamp.ErrorMessage:
		l, p = []any{int(m.RequestType), m.Request, d(m.Details), m.Error}, &m.Payload
	case *wamp.Publish:
		l, p = []any{m.Request, d(m.Options), m.Topic}, &m.Payload
	case *wamp.Published:
		l = []any{m.Request, m.Publication}
	case *wamp.Subscribe:
		l = []any{m.Request, d(m.Options), m.Topic}
	case *wamp.Subscribed:
		l = []any{m.Request, m.Subscription}
	case *wamp.Unsubscribe:
		l = []any{m.Request, m.Subscription}
	case *wamp.Unsubscribed:
		l = []any{m.Request}
		if m.Details != nil {
			l = append(l, m.Details)
		}
	case *wamp.Event:
		l, p = []any{m.Subscription, m.Publication, d(m.Details)}, &m.Payload
	case *wamp.Call:
		l, p = []any{m.Request, d(m.Options), m.Procedure}, &m.Payload
	case *wamp.Cancel:
		l = []any{m.Request, d(m.Options)}
	case *wamp.Result:
		l, p = []any{m.Request, d(m.Details)}, &m.Payload
	case *wamp.Register:
		l = []any{m.Request, d(m.Options), m.Procedure}
	case *wamp.Registered:
		l = []any{m.Request, m.Registration}
	case *wamp.Unregister:
		l = []any{m.Request, m.Registration}
	case *wamp.Unregistered:
		l = []any{m.Request}
		if m.Details != nil {
			l = append(l, m.Details)
		}
	case *wamp.Invocation:
		l, p = []any{m.Request, m.Registration, d(m.Details)}, &m.Payload
	case *wamp.Interrupt:
		l = []any{m.Request, d(m.Options)}
	case *wamp.Yield:
		l, p = []any{m.Request, d(m.Options)}, &m.Payload
	default:
		t.Fatalf("wire: unexpected %T", m)
	}
	l = append([]any{int(m.Type())}, l...)
	if p != nil {
		args, kwargs, err := p.Values()
		if err != nil {
			t.Fatalf("wire: payload: %v", err)
		}
		switch {
		case p.HasKwargs():
			if args == nil {
				args = wamp.List{}
			}
			l = append(l, args, kwargs)
		case p.HasArgs():
			l = append(l, args)
		}
	}
	return Norm(l).([]any)
}

// EqualWire fails t when a and b differ, printing both.
func EqualWire(t testing.TB, what string, a, b []any) {
	t.Helper()
	if !reflect.DeepEqual(a, b) {
		t.Errorf("%s:\n got  %s\n want %s", what, Show(a), Show(b))
	}
}

// Show prints v with its Go syntax, for comparing and reporting.
func Show(v any) string {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%#v", v)
	return buf.String()
}
