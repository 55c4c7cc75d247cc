package wamp

import "math"

// AsID converts a decoded value to an id. It accepts the integer types
// codecs produce and integral floats (JSON numbers from some clients), and
// refuses anything outside [0, 2^53].
func AsID(v any) (ID, bool) {
	switch n := v.(type) {
	case int64:
		if n >= 0 && ID(n) <= MaxID {
			return ID(n), true
		}
	case uint64:
		if ID(n) <= MaxID {
			return ID(n), true
		}
	case int:
		if n >= 0 && ID(n) <= MaxID {
			return ID(n), true
		}
	case ID:
		if n <= MaxID {
			return n, true
		}
	case float64:
		if n >= 0 && n <= float64(MaxID) && n == math.Trunc(n) {
			return ID(n), true
		}
	}
	return 0, false
}

// AsInt64 converts a decoded integer (or integral float) to int64.
func AsInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case uint64:
		if n <= math.MaxInt64 {
			return int64(n), true
		}
	case ID:
		return int64(n), true
	case float64:
		if n == math.Trunc(n) && n >= math.MinInt64 && n <= math.MaxInt64 {
			return int64(n), true
		}
	}
	return 0, false
}

// AsString converts a decoded string or URI to a string.
func AsString(v any) (string, bool) {
	switch s := v.(type) {
	case string:
		return s, true
	case URI:
		return string(s), true
	}
	return "", false
}

// OptString returns d[key] when it is a string, else "".
func OptString(d Dict, key string) string {
	s, _ := AsString(d[key])
	return s
}

// OptBool returns d[key] when it is a bool, else def.
func OptBool(d Dict, key string, def bool) bool {
	if b, ok := d[key].(bool); ok {
		return b
	}
	return def
}

// OptInt64 returns d[key] when it is an integer, else def.
func OptInt64(d Dict, key string, def int64) int64 {
	if n, ok := AsInt64(d[key]); ok {
		return n
	}
	return def
}
