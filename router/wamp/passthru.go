package wamp

// PassthruKeys are the Payload Passthru Mode attributes (WAMP §"Payload
// Passthru Mode") a router copies from CALL, YIELD and PUBLISH options to
// INVOCATION, RESULT and EVENT details, and between ERRORs.
var PassthruKeys = [...]string{"ppt_scheme", "ppt_serializer", "ppt_cipher", "ppt_keyid"}

// PassthruAttrs returns the ppt_* attributes of opts when Payload Passthru
// Mode is in use (a non-empty string ppt_scheme), else nil. For options
// without ppt_scheme it costs one map lookup.
func PassthruAttrs(opts Dict) Dict {
	if s, _ := opts["ppt_scheme"].(string); s == "" {
		return nil
	}
	a := make(Dict, len(PassthruKeys))
	for _, k := range PassthruKeys {
		if v, ok := opts[k]; ok {
			a[k] = v
		}
	}
	return a
}
