package json

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/edgebar/edgebar/router/wamp"
)

// scanner walks one JSON text. It never panics: every index is checked
// against len(data), and recursion is bounded by MaxDepth.
type scanner struct {
	data []byte
	pos  int
}

var errDepth = fmt.Errorf("json: nesting deeper than %d", MaxDepth)

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("json: "+format+" at offset %d", append(args, s.pos)...)
}

func (s *scanner) unexpected() error {
	if s.pos >= len(s.data) {
		return s.errorf("unexpected end of input")
	}
	return s.errorf("unexpected %q", s.data[s.pos])
}

func (s *scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.pos >= len(s.data) {
		return 0
	}
	return s.data[s.pos]
}

// eof checks that only white space is left.
func (s *scanner) eof() error {
	if s.ws(); s.pos != len(s.data) {
		return s.errorf("trailing data after the value")
	}
	return nil
}

// value decodes the value at s.pos; depth counts the enclosing containers.
func (s *scanner) value(depth int) (any, error) {
	switch c := s.peek(); c {
	case '{':
		return s.object(depth+1, true)
	case '[':
		return s.array(depth + 1)
	case '"':
		str, err := s.str()
		if err != nil || len(str) == 0 || str[0] != 0 {
			return str, err
		}
		return s.binary(str)
	case 't', 'f', 'n':
		return s.literal()
	default:
		if c == '-' || c >= '0' && c <= '9' {
			return s.number()
		}
		return nil, s.unexpected()
	}
}

func (s *scanner) literal() (any, error) {
	rest := s.data[s.pos:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		s.pos += 4
		return true, nil
	case len(rest) >= 5 && string(rest[:5]) == "false":
		s.pos += 5
		return false, nil
	case len(rest) >= 4 && string(rest[:4]) == "null":
		s.pos += 4
		return nil, nil
	}
	return nil, s.unexpected()
}

// binary converts a string that starts with NUL to the bytes of the base64
// that follows (WAMP §"Binary conversion of JSON strings").
func (s *scanner) binary(str string) ([]byte, error) {
	enc := str[1:]
	dec := base64.StdEncoding
	if len(enc)%4 != 0 {
		dec = base64.RawStdEncoding
	}
	b, err := dec.DecodeString(enc)
	if err != nil {
		return nil, fmt.Errorf("json: binary string before offset %d: %w", s.pos, err)
	}
	return b, nil
}

func (s *scanner) array(depth int) (wamp.List, error) {
	if depth > MaxDepth {
		return nil, errDepth
	}
	s.pos++ // '['
	l := wamp.List{}
	if s.peek() == ']' {
		s.pos++
		return l, nil
	}
	for {
		v, err := s.value(depth)
		if err != nil {
			return nil, err
		}
		l = append(l, v)
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return l, nil
		default:
			return nil, s.unexpected()
		}
	}
}

// object decodes a dict. With keepEmpty false an empty dict is nil.
func (s *scanner) object(depth int, keepEmpty bool) (wamp.Dict, error) {
	if depth > MaxDepth {
		return nil, errDepth
	}
	s.pos++ // '{'
	var d wamp.Dict
	if keepEmpty {
		d = wamp.Dict{}
	}
	if s.peek() == '}' {
		s.pos++
		return d, nil
	}
	for {
		if s.peek() != '"' {
			return nil, s.unexpected()
		}
		k, err := s.str()
		if err != nil {
			return nil, err
		}
		if s.peek() != ':' {
			return nil, s.unexpected()
		}
		s.pos++
		v, err := s.value(depth)
		if err != nil {
			return nil, err
		}
		if d == nil {
			d = make(wamp.Dict, 4)
		}
		d[k] = v
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return d, nil
		default:
			return nil, s.unexpected()
		}
	}
}

// str decodes the string at s.pos (a '"'). The common case, no escapes,
// allocates only the result.
func (s *scanner) str() (string, error) {
	start := s.pos + 1
	for i := start; i < len(s.data); {
		c := s.data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return string(s.data[start:i]), nil
		case c == '\\':
			b, err := s.unescape(start, i)
			return string(b), err
		case c < 0x20:
			s.pos = i
			return "", s.errorf("control character in string")
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(s.data[i:])
			if r == utf8.RuneError && size == 1 {
				s.pos = i
				return "", s.errorf("invalid UTF-8 in string")
			}
			i += size
		}
	}
	s.pos = len(s.data)
	return "", s.unexpected()
}

// unescape decodes a string from start, the first byte after the quote,
// whose first escape is at i.
func (s *scanner) unescape(start, i int) ([]byte, error) {
	b := make([]byte, 0, i-start+16)
	b = append(b, s.data[start:i]...)
	for i < len(s.data) {
		c := s.data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return b, nil
		case c == '\\':
			var err error
			if b, i, err = s.escape(b, i); err != nil {
				return nil, err
			}
		case c < 0x20:
			s.pos = i
			return nil, s.errorf("control character in string")
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRune(s.data[i:])
			if r == utf8.RuneError && size == 1 {
				s.pos = i
				return nil, s.errorf("invalid UTF-8 in string")
			}
			b = append(b, s.data[i:i+size]...)
			i += size
		}
	}
	s.pos = len(s.data)
	return nil, s.unexpected()
}

// escape appends the escape sequence at i (a backslash) to b and returns
// the index after it.
func (s *scanner) escape(b []byte, i int) ([]byte, int, error) {
	if i+1 >= len(s.data) {
		s.pos = len(s.data)
		return nil, 0, s.unexpected()
	}
	switch c := s.data[i+1]; c {
	case '"', '\\', '/':
		return append(b, c), i + 2, nil
	case 'b':
		return append(b, '\b'), i + 2, nil
	case 'f':
		return append(b, '\f'), i + 2, nil
	case 'n':
		return append(b, '\n'), i + 2, nil
	case 'r':
		return append(b, '\r'), i + 2, nil
	case 't':
		return append(b, '\t'), i + 2, nil
	case 'u':
		r, ok := hex4(s.data, i+2)
		if !ok {
			s.pos = i
			return nil, 0, s.errorf("bad \\u escape")
		}
		i += 6
		if utf16.IsSurrogate(r) {
			// A high surrogate followed by an escaped low one is one rune;
			// anything else is a lone surrogate, decoded as U+FFFD.
			r2, ok := rune(0), false
			if i+1 < len(s.data) && s.data[i] == '\\' && s.data[i+1] == 'u' {
				r2, ok = hex4(s.data, i+2)
			}
			if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
				return utf8.AppendRune(b, dec), i + 6, nil
			}
			r = utf8.RuneError
		}
		return utf8.AppendRune(b, r), i, nil
	}
	s.pos = i
	return nil, 0, s.errorf("bad escape")
}

func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// numberLit scans the number at s.pos and returns its text and whether it
// is an integer literal (no fraction, no exponent).
func (s *scanner) numberLit() ([]byte, bool, error) {
	d, start := s.data, s.pos
	i := start
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	default:
		s.pos = i
		return nil, false, s.unexpected()
	}
	isInt := true
	if i < len(d) && d[i] == '.' {
		isInt = false
		if i = digits(d, i+1); i < 0 {
			s.pos = len(d)
			return nil, false, s.errorf("bad number")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		isInt = false
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i = digits(d, i); i < 0 {
			s.pos = len(d)
			return nil, false, s.errorf("bad number")
		}
	}
	s.pos = i
	return d[start:i], isInt, nil
}

// digits skips one or more digits from i; -1 if there is none.
func digits(d []byte, i int) int {
	start := i
	for i < len(d) && d[i] >= '0' && d[i] <= '9' {
		i++
	}
	if i == start {
		return -1
	}
	return i
}

var errRange = errors.New("json: number out of range")

// number decodes the number at s.pos: int64 when an integer literal fits,
// uint64 when a positive one fits only there, float64 otherwise.
func (s *scanner) number() (any, error) {
	lit, isInt, err := s.numberLit()
	if err != nil {
		return nil, err
	}
	if isInt {
		if neg, u, ok := parseInt(lit); ok {
			switch {
			case !neg && u <= math.MaxInt64:
				return int64(u), nil
			case !neg:
				return u, nil
			case u <= 1<<63:
				return int64(-u), nil // -(1<<63) wraps to MinInt64
			}
		}
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, errRange
	}
	return f, nil
}

// parseInt returns the sign and magnitude of an integer literal; false when
// the magnitude does not fit a uint64.
func parseInt(lit []byte) (neg bool, u uint64, ok bool) {
	neg = lit[0] == '-'
	if neg {
		lit = lit[1:]
	}
	for _, c := range lit {
		d := uint64(c - '0')
		if u > (math.MaxUint64-d)/10 {
			return false, 0, false
		}
		u = u*10 + d
	}
	return neg, u, true
}

// skip validates the value at s.pos without building it: the same grammar,
// limits and checks as value, so that a skipped value always decodes.
func (s *scanner) skip(depth int) error {
	switch c := s.peek(); c {
	case '{', '[':
		return s.skipContainer(depth + 1)
	case '"':
		return s.skipStr()
	case 't', 'f', 'n':
		_, err := s.literal()
		return err
	default:
		if c == '-' || c >= '0' && c <= '9' {
			return s.skipNumber()
		}
		return s.unexpected()
	}
}

func (s *scanner) skipContainer(depth int) error {
	if depth > MaxDepth {
		return errDepth
	}
	closing := byte(']')
	isObj := s.data[s.pos] == '{'
	if isObj {
		closing = '}'
	}
	s.pos++
	if s.peek() == closing {
		s.pos++
		return nil
	}
	for {
		if isObj {
			if s.peek() != '"' {
				return s.unexpected()
			}
			if err := s.skipStr(); err != nil {
				return err
			}
			if s.peek() != ':' {
				return s.unexpected()
			}
			s.pos++
		}
		if err := s.skip(depth); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case closing:
			s.pos++
			return nil
		default:
			return s.unexpected()
		}
	}
}

// skipStr validates a string. The rare binary string ("\u0000...") is
// decoded to check its base64.
func (s *scanner) skipStr() error {
	start := s.pos
	for i := start + 1; i < len(s.data); {
		c := s.data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return nil
		case c == '\\':
			if i == start+1 && len(s.data) >= i+6 && string(s.data[i:i+6]) == `\u0000` {
				s.pos = start
				_, err := s.value(0)
				return err
			}
			if i+1 < len(s.data) && s.data[i+1] == 'u' {
				if _, ok := hex4(s.data, i+2); !ok {
					s.pos = i
					return s.errorf("bad \\u escape")
				}
				i += 6
				continue
			}
			if i+1 >= len(s.data) || !validEscape(s.data[i+1]) {
				s.pos = i
				return s.errorf("bad escape")
			}
			i += 2
		case c < 0x20:
			s.pos = i
			return s.errorf("control character in string")
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(s.data[i:])
			if r == utf8.RuneError && size == 1 {
				s.pos = i
				return s.errorf("invalid UTF-8 in string")
			}
			i += size
		}
	}
	s.pos = len(s.data)
	return s.unexpected()
}

func validEscape(c byte) bool {
	switch c {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return true
	}
	return false
}

// skipNumber validates a number. Only a literal that could overflow a
// float64 (an exponent, or more than 300 digits) is parsed.
func (s *scanner) skipNumber() error {
	lit, isInt, err := s.numberLit()
	if err != nil {
		return err
	}
	if len(lit) <= 300 && (isInt || !hasExponent(lit)) {
		return nil
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) || math.IsInf(f, 0) {
		return errRange
	}
	return nil
}

func hasExponent(lit []byte) bool {
	for _, c := range lit {
		if c == 'e' || c == 'E' {
			return true
		}
	}
	return false
}
