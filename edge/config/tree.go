package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// A file is first read into a tree of plain values, the same for YAML and
// JSON, and the tree is then decoded strictly into the structs (decode.go).
// Tree values are: *object, []any, string, json.Number, bool and nil.

// object is a mapping that keeps its keys in file order, so errors come out
// in the order of the file.
type object struct {
	keys []string
	vals map[string]any
}

func newObject() *object { return &object{vals: map[string]any{}} }

// set adds k; it reports false when k is already there.
func (o *object) set(k string, v any) bool {
	if _, dup := o.vals[k]; dup {
		return false
	}
	o.keys = append(o.keys, k)
	o.vals[k] = v
	return true
}

// Limits against hostile input: nesting depth and the number of values
// produced (YAML aliases can otherwise expand a small file exponentially).
const (
	maxDepth  = 64
	maxValues = 1 << 16 // a real config has hundreds
)

var errTooDeep = errors.New("nested too deeply")

// jsonTree reads one JSON value. Unlike encoding/json it rejects duplicate
// keys, which would otherwise silently take the last value.
func jsonTree(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := jsonValue(dec, "", 0)
	if err != nil {
		return nil, jsonError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &FieldError{Msg: "json: data after the top-level value"}
	}
	return v, nil
}

func jsonValue(dec *json.Decoder, path string, depth int) (any, error) {
	if depth > maxDepth {
		return nil, &FieldError{Path: path, Msg: errTooDeep.Error()}
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil // string, json.Number, bool or nil
	}
	switch d {
	case '{':
		o := newObject()
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k, _ := kt.(string) // the decoder only yields string keys
			kp := joinKey(path, k)
			v, err := jsonValue(dec, kp, depth+1)
			if err != nil {
				return nil, err
			}
			if !o.set(k, v) {
				return nil, &FieldError{Path: kp, Msg: "duplicate key"}
			}
		}
		_, err := dec.Token() // '}'
		return o, err
	case '[':
		l := []any{}
		for dec.More() {
			v, err := jsonValue(dec, joinIndex(path, len(l)), depth+1)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		_, err := dec.Token() // ']'
		return l, err
	}
	return nil, fmt.Errorf("unexpected %v", d)
}

// jsonError gives syntax errors a line and column.
func jsonError(data []byte, err error) error {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := lineCol(data, se.Offset)
		return &FieldError{Msg: fmt.Sprintf("json: line %d column %d: %v", line, col, se)}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &FieldError{Msg: "json: unexpected end of input"}
	}
	return &FieldError{Msg: "json: " + err.Error()}
}

func lineCol(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col = 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// yamlTree reads one YAML document. An empty document is an empty object.
func yamlTree(data []byte) (any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return newObject(), nil
		}
		return nil, &FieldError{Msg: err.Error()} // "yaml: line 3: ..."
	}
	var next yaml.Node
	if err := dec.Decode(&next); err != io.EOF {
		return nil, &FieldError{Msg: "yaml: more than one document"}
	}
	w := yamlWalker{}
	return w.value(&doc, "", 0)
}

type yamlWalker struct {
	count int // values produced, against alias bombs
}

func (w *yamlWalker) value(n *yaml.Node, path string, depth int) (any, error) {
	if depth > maxDepth {
		return nil, &FieldError{Path: path, Msg: errTooDeep.Error()}
	}
	if w.count++; w.count > maxValues {
		return nil, &FieldError{Path: path, Msg: "yaml: too many values (alias expansion)"}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return newObject(), nil
		}
		return w.value(n.Content[0], path, depth+1)
	case yaml.AliasNode:
		return w.value(n.Alias, path, depth+1)
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			v, err := w.value(c, joinIndex(path, i), depth+1)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.MappingNode:
		return w.mapping(n, path, depth)
	case yaml.ScalarNode:
		return yamlScalar(n, path)
	}
	return nil, &FieldError{Path: path, Msg: fmt.Sprintf("yaml: line %d: unexpected node", n.Line)}
}

// mapping builds an object; explicit keys win over merged ("<<") ones, and a
// key given twice explicitly is an error.
func (w *yamlWalker) mapping(n *yaml.Node, path string, depth int) (any, error) {
	o := newObject()
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		if kn.Kind == yaml.ScalarNode && kn.ShortTag() == "!!merge" {
			merges = append(merges, vn)
			continue
		}
		if kn.Kind != yaml.ScalarNode || kn.ShortTag() != "!!str" {
			return nil, &FieldError{Path: path, Msg: fmt.Sprintf("yaml: line %d: key %q is not a string", kn.Line, kn.Value)}
		}
		kp := joinKey(path, kn.Value)
		v, err := w.value(vn, kp, depth+1)
		if err != nil {
			return nil, err
		}
		if !o.set(kn.Value, v) {
			return nil, &FieldError{Path: kp, Msg: fmt.Sprintf("duplicate key (line %d)", kn.Line)}
		}
	}
	for _, m := range merges {
		if err := w.merge(o, m, path, depth); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func (w *yamlWalker) merge(o *object, m *yaml.Node, path string, depth int) error {
	for m.Kind == yaml.AliasNode {
		m = m.Alias
	}
	srcs := []*yaml.Node{m}
	if m.Kind == yaml.SequenceNode {
		srcs = m.Content
	}
	for _, s := range srcs {
		v, err := w.value(s, path, depth+1)
		if err != nil {
			return err
		}
		so, ok := v.(*object)
		if !ok {
			return &FieldError{Path: path, Msg: fmt.Sprintf("yaml: line %d: merge of a non-mapping", m.Line)}
		}
		for _, k := range so.keys {
			o.set(k, so.vals[k]) // keeps an explicit key
		}
	}
	return nil
}

func yamlScalar(n *yaml.Node, path string) (any, error) {
	bad := func(what string) error {
		return &FieldError{Path: path, Msg: fmt.Sprintf("yaml: line %d: %s %q", n.Line, what, n.Value)}
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if n.Decode(&b) != nil {
			return nil, bad("bad boolean")
		}
		return b, nil
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return json.Number(strconv.FormatInt(i, 10)), nil
		}
		var u uint64
		if n.Decode(&u) == nil {
			return json.Number(strconv.FormatUint(u, 10)), nil
		}
		return nil, bad("integer out of range")
	case "!!float":
		var f float64
		if n.Decode(&f) != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, bad("bad number")
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
	case "!!binary":
		return nil, bad("binary value not allowed")
	}
	// !!str, !!timestamp and custom tags: the text as written.
	return n.Value, nil
}
