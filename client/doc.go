// Package client is a Go client of Bunnybook's public protocol: the REST
// API under /web and the websocket at /ws. End-to-end tests and the load
// generator use it, so they exercise exactly what users get.
package client
