package api

import (
	"mime"
	"strings"

	"github.com/bunnybook/bunnybook"
)

// checkMediaType refuses, with 415, a request with a body that is not
// declared JSON. The auth routes (jsonType) need the declaration even
// without a body: an HTML form cannot send it, and a cross-site script
// cannot send it without a CORS preflight, which the server does not
// answer, so another site cannot sign a browser in, out or over.
func checkMediaType(r *request) error {
	if !r.route.jsonType && len(r.Request.Body()) == 0 {
		return nil
	}
	if isJSONMediaType(string(r.Request.Header.ContentType())) {
		return nil
	}
	return bunnybook.Errorf(bunnybook.EUnsupportedMediaType,
		"send the request with Content-Type: application/json (a charset, if given, must be utf-8)")
}

// isJSONMediaType reports whether a Content-Type is application/json, in
// any case, with parameters allowed except a charset other than UTF-8
// (JSON is UTF-8, RFC 8259).
func isJSONMediaType(contentType string) bool {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil || mediaType != "application/json" {
		return false
	}
	charset, ok := params["charset"]
	return !ok || strings.EqualFold(charset, "utf-8")
}
