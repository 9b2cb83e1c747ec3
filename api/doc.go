// Package api is Bunnybook's REST API over fasthttp: the original's /web
// endpoints (same paths, query parameters, JSON shapes and status codes,
// with the original's flaws fixed), cookie and bearer authentication with
// CSRF protection, per-IP rate limits, the OpenAPI document at
// /openapi.json, its human rendering at /docs, and /healthz and /readyz.
//
// Handlers are thin: they rate-limit, authenticate, validate, call
// bunnybook.Service and encode. Every error goes through one table that
// maps bunnybook.Error kinds to HTTP statuses (errors.go).
package api
