// Package web is Bunnybook's browser UI: a Vite + React + TypeScript app
// (sources in this folder) whose production build in dist/ is embedded in
// the binary and served by Handler at "/", with SPA routing.
//
// Build the UI with `make ui` (npm ci + vite build). A binary built without
// it still runs; "/" then says how to build the UI.
package web
