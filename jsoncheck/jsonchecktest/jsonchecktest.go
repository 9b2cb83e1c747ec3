// Package jsonchecktest holds an oracle for fuzz tests of strict JSON
// decoders, written without jsoncheck's decoder (encoding/json's tokens):
// a fuzz test can check a decoder against it.
package jsonchecktest

import (
	"bytes"
	"encoding/json"
)

// RepeatedName walks the JSON value in b (encoding/json does not check
// names) and returns the first member name repeated within one object.
func RepeatedName(b []byte) (string, bool) {
	type level struct {
		names    map[string]bool // nil for an array
		wantName bool            // in an object: the next token is a name
	}
	var stack []*level
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		if n := len(stack); n > 0 && stack[n-1].names != nil && stack[n-1].wantName && tok != json.Delim('}') {
			name := tok.(string)
			if stack[n-1].names[name] {
				return name, true
			}
			stack[n-1].names[name], stack[n-1].wantName = true, false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &level{names: map[string]bool{}, wantName: true})
			continue
		case json.Delim('['):
			stack = append(stack, &level{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if n := len(stack); n > 0 { // a value ended
			stack[n-1].wantName = true
		}
	}
}
