package dealer

import "github.com/edgebar/edgebar/router/wamp"

// pptKeys are the Payload Passthru Mode attributes (WAMP §"Payload Passthru
// Mode") the dealer copies from CALL.Options to INVOCATION.Details, from
// YIELD.Options to RESULT.Details and from a callee's ERROR.Details to the
// caller's. The payload itself is forwarded as it came, never looked into.
var pptKeys = [...]string{"ppt_scheme", "ppt_serializer", "ppt_cipher", "ppt_keyid"}

// pptAttrs returns the ppt_* attributes of opts when Payload Passthru Mode
// is in use (a non-empty string ppt_scheme), else nil. For options without
// ppt_scheme it costs one map lookup.
func pptAttrs(opts wamp.Dict) wamp.Dict {
	if s, _ := opts["ppt_scheme"].(string); s == "" {
		return nil
	}
	a := make(wamp.Dict, len(pptKeys))
	for _, k := range pptKeys {
		if v, ok := opts[k]; ok {
			a[k] = v
		}
	}
	return a
}
