package msgpack_test

import (
	"testing"

	"github.com/edgebar/edgebar/router/codec/internal/codectest"
)

// FuzzDecode: no input panics, and whatever decodes encodes to something
// that decodes to an equal message.
func FuzzDecode(f *testing.F) { codectest.FuzzDecode(f, c, codectest.Options{}) }
