package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// FieldError is one problem in a configuration, at a field path such as
// "workers[0].transports[1].endpoint.port". Path is empty for problems of
// the file as a whole (syntax errors).
type FieldError struct {
	Path string
	Msg  string
}

func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// Parse reads a configuration from data, format "yaml" or "json", strictly.
// It does not Validate. The error joins a *FieldError per problem found.
func Parse(data []byte, format string) (*Config, error) {
	var tree any
	var err error
	switch format {
	case "yaml":
		tree, err = yamlTree(data)
	case "json":
		tree, err = jsonTree(data)
	default:
		return nil, fmt.Errorf("config: unknown format %q (want yaml or json)", format)
	}
	if err != nil {
		return nil, err
	}
	c := &Config{}
	d := &decoder{}
	d.value("", tree, reflect.ValueOf(c).Elem())
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	return c, nil
}

// decoder fills structs from a tree, collecting every error rather than
// stopping at the first.
type decoder struct {
	errs []error
}

func (d *decoder) fail(path, format string, args ...any) {
	d.errs = append(d.errs, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

var portType = reflect.TypeFor[Port]()

func (d *decoder) value(path string, in any, v reflect.Value) {
	if in == nil {
		return // null is the same as absent: the zero value, documented default
	}
	if v.Type() == portType {
		d.port(path, in, v)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		d.value(path, in, p.Elem())
		v.Set(p)
	case reflect.Struct:
		d.object(path, in, v)
	case reflect.Slice:
		l, ok := in.([]any)
		if !ok {
			d.typeError(path, "a list", in)
			return
		}
		s := reflect.MakeSlice(v.Type(), len(l), len(l))
		for i, e := range l {
			d.value(joinIndex(path, i), e, s.Index(i))
		}
		v.Set(s)
	case reflect.Map:
		d.mapping(path, in, v)
	case reflect.String:
		s, ok := in.(string)
		if !ok {
			d.typeError(path, "a string", in)
			return
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := in.(bool)
		if !ok {
			d.typeError(path, "a boolean", in)
			return
		}
		v.SetBool(b)
	case reflect.Int:
		if n, ok := d.integer(path, in); ok {
			v.SetInt(n)
		}
	case reflect.Interface:
		v.Set(reflect.ValueOf(in))
	default:
		d.fail(path, "cannot decode into %s", v.Type()) // a bug in this package's types
	}
}

func (d *decoder) integer(path string, in any) (int64, bool) {
	num, ok := in.(json.Number)
	if !ok {
		d.typeError(path, "an integer", in)
		return 0, false
	}
	n, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil {
		f, ferr := num.Float64()
		switch {
		case ferr == nil && f != math.Trunc(f):
			d.fail(path, "expected an integer, got %s", num)
			return 0, false
		case ferr == nil && math.Abs(f) <= math.MaxInt32:
			n = int64(f) // 8080.0 or 1e3
		default:
			d.fail(path, "number %s out of range", num)
			return 0, false
		}
	}
	// int is 32 bits on the arm and mips boards: keep every value portable.
	if n > math.MaxInt32 || n < math.MinInt32 {
		d.fail(path, "number %s out of range", num)
		return 0, false
	}
	return n, true
}

// port accepts a number or a string of digits, as Crossbar does.
func (d *decoder) port(path string, in any, v reflect.Value) {
	if s, ok := in.(string); ok {
		n, err := strconv.Atoi(s)
		if err != nil || s == "" || s[0] < '0' || s[0] > '9' {
			d.fail(path, "expected a port number, got %q", s)
			return
		}
		in = json.Number(strconv.Itoa(n))
	}
	if n, ok := d.integer(path, in); ok {
		v.SetInt(n)
	}
}

func (d *decoder) mapping(path string, in any, v reflect.Value) {
	o, ok := in.(*object)
	if !ok {
		d.typeError(path, "an object", in)
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(o.keys))
	for _, k := range o.keys {
		e := reflect.New(v.Type().Elem()).Elem()
		d.value(joinKey(path, k), o.vals[k], e)
		m.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), e)
	}
	v.Set(m)
}

// object decodes a struct. A struct with a "types" field is checked on its
// type first: an unknown or not yet supported type is one error, and the
// rest of the object is not decoded (its keys belong to that other type).
func (d *decoder) object(path string, in any, v reflect.Value) {
	o, ok := in.(*object)
	if !ok {
		d.typeError(path, "an object", in)
		return
	}
	fields := fieldsOf(v.Type())
	for _, f := range fields {
		if f.types != nil && !d.typeOK(joinKey(path, f.key), o.vals[f.key], f) {
			return
		}
	}
	for _, k := range o.keys {
		p := joinKey(path, k)
		f, ok := fields[k]
		switch {
		case !ok:
			d.fail(p, "unknown field")
		case f.later:
			if !empty(o.vals[k]) {
				d.fail(p, "not supported yet")
			}
		default:
			d.value(p, o.vals[k], v.Field(f.index))
		}
	}
}

func (d *decoder) typeOK(path string, in any, f field) bool {
	want := strings.Join(f.types, ", ")
	if in == nil {
		d.fail(path, "required (one of: %s)", want)
		return false
	}
	s, ok := in.(string)
	switch {
	case !ok:
		d.typeError(path, "a string", in)
	case contains(f.types, s):
		return true
	case contains(f.laterTypes, s):
		d.fail(path, "%q not supported yet (supported: %s)", s, want)
	default:
		d.fail(path, "unknown type %q (want one of: %s)", s, want)
	}
	return false
}

func (d *decoder) typeError(path, want string, got any) {
	d.fail(path, "expected %s, got %s", want, describe(got))
}

func describe(v any) string {
	switch v := v.(type) {
	case *object:
		return "an object"
	case []any:
		return "a list"
	case string:
		return fmt.Sprintf("a string (%q)", v)
	case json.Number:
		return "a number (" + string(v) + ")"
	case bool:
		return "a boolean (" + strconv.FormatBool(v) + ")"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// empty reports whether a not-yet-supported field asks for nothing: null, an
// empty list or an empty object (Crossbar templates carry "components": []).
func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case []any:
		return len(v) == 0
	case *object:
		return len(v.keys) == 0
	}
	return false
}

type field struct {
	key        string
	index      int
	later      bool     // later:"-": Crossbar vocabulary not supported yet
	types      []string // on a type field: supported values
	laterTypes []string // on a type field: Crossbar values not supported yet
}

func fieldsOf(t reflect.Type) map[string]field {
	fs := make(map[string]field, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		key, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if key == "" || key == "-" {
			continue
		}
		f := field{key: key, index: i}
		later := sf.Tag.Get("later")
		if types, ok := sf.Tag.Lookup("types"); ok {
			f.types = strings.Split(types, ",")
			f.laterTypes = strings.Split(later, ",")
		} else {
			f.later = later == "-"
		}
		fs[key] = f
	}
	return fs
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// joinKey appends a key to a field path: ".key" for plain keys,
// `["key"]` for anything else (web paths such as "/").
func joinKey(path, key string) string {
	plain := key != ""
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '$') {
			plain = false
			break
		}
	}
	if !plain {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func joinIndex(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }
