// Package jsoncheck checks that input from outside is strict JSON before it
// is decoded: one value, properly encoded UTF-8, escapes that decode to
// valid Unicode (no lone surrogates), no repeated member names (RFC 7493,
// I-JSON). encoding/json accepts all of these quietly (it keeps the last
// duplicate and replaces bad text with U+FFFD), so the REST body decoder
// and the websocket frame decoder call Value first.
package jsoncheck

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// Value returns nil when b holds exactly one strict JSON value (with
// optional surrounding white space), or an error whose message says what is
// wrong, fit to show to the client.
func Value(b []byte) error {
	if jsontext.Value(b).IsValid() {
		return nil
	}
	// Invalid: decode it to say why.
	dec := jsontext.NewDecoder(bytes.NewReader(b))
	if _, err := dec.ReadValue(); err != nil {
		return problem(err)
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return errors.New("not strict JSON") // IsValid and the decoder disagree: should not happen
}

// problem turns a jsontext error into a short message without the
// package's prefix.
func problem(err error) error {
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("unexpected end of JSON input")
	}
	return errors.New(strings.TrimPrefix(err.Error(), "jsontext: "))
}
