package cbor_test

import (
	"testing"

	"github.com/edgebar/edgebar/router/codec/internal/codectest"
	"github.com/edgebar/edgebar/router/codec/json"
)

var (
	callFrame          = codectest.Transcode(json.Codec, c, codectest.CallJSON)
	callFrameNoOptions = codectest.Transcode(json.Codec, c, codectest.CallNoOptionsJSON)
)

func BenchmarkDecodeCall(b *testing.B)          { codectest.BenchDecode(b, c, callFrame) }
func BenchmarkDecodeCallNoOptions(b *testing.B) { codectest.BenchDecode(b, c, callFrameNoOptions) }
func BenchmarkEncodeEventRaw(b *testing.B)      { codectest.BenchEncodeEventRaw(b, c, callFrame) }
