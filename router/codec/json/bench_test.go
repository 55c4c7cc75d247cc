package json_test

import (
	"testing"

	"github.com/edgebar/edgebar/router/codec/internal/codectest"
)

var (
	callFrame          = []byte(codectest.CallJSON)
	callFrameNoOptions = []byte(codectest.CallNoOptionsJSON)
)

func BenchmarkDecodeCall(b *testing.B)          { codectest.BenchDecode(b, c, callFrame) }
func BenchmarkDecodeCallNoOptions(b *testing.B) { codectest.BenchDecode(b, c, callFrameNoOptions) }
func BenchmarkEncodeEventRaw(b *testing.B)      { codectest.BenchEncodeEventRaw(b, c, callFrame) }
