package web

import (
	"embed"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/valyala/fasthttp"
)

// dist holds the UI build. Only dist/.keep is committed, so a fresh clone
// compiles; `make ui` fills the folder before `go build`.
//
//go:embed all:dist
var dist embed.FS

// Cache-Control values: Vite puts a content hash in every file name under
// assets/, so those never change; index.html names the current hashes and
// must be revalidated on every load.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
	cacheShort      = "public, max-age=3600"
)

// Handler serves the embedded UI build: files by path with their content
// type and caching, index.html for any other GET (client-side routes), and
// a page explaining how to build the UI when the build is missing.
func Handler() fasthttp.RequestHandler {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is a valid path: cannot happen
	}
	return handlerFor(sub)
}

// handlerFor serves the UI build in fsys (the contents of dist/).
func handlerFor(fsys fs.FS) fasthttp.RequestHandler {
	index, err := fs.ReadFile(fsys, "index.html")
	if err != nil {
		index = nil
	}
	return func(ctx *fasthttp.RequestCtx) {
		if !ctx.IsGet() && !ctx.IsHead() {
			ctx.Response.Header.Set("Allow", "GET, HEAD")
			ctx.Error("Method Not Allowed", fasthttp.StatusMethodNotAllowed)
			return
		}
		ctx.Response.Header.Set("X-Content-Type-Options", "nosniff")
		if index == nil {
			serveNotBuilt(ctx)
			return
		}
		name := strings.TrimPrefix(path.Clean("/"+string(ctx.Path())), "/")
		if name != "" && name != "index.html" && !strings.HasPrefix(name, ".") {
			if body, err := fs.ReadFile(fsys, name); err == nil {
				serveFile(ctx, name, body)
				return
			}
			if strings.HasPrefix(name, "assets/") || path.Ext(name) != "" {
				// A missing script or image must not be answered with HTML.
				ctx.Error("Not Found", fasthttp.StatusNotFound)
				return
			}
		}
		ctx.Response.Header.Set("Cache-Control", cacheRevalidate)
		ctx.SetContentType("text/html; charset=utf-8")
		ctx.SetBody(index)
	}
}

// extraTypes are content types missing from Go's built-in table (the
// system's table, which Go also reads, differs between machines).
var extraTypes = map[string]string{
	".ico":         "image/x-icon",
	".txt":         "text/plain; charset=utf-8",
	".webmanifest": "application/manifest+json",
	".woff2":       "font/woff2",
	".map":         "application/json",
}

// serveFile answers with one file of the build.
func serveFile(ctx *fasthttp.RequestCtx, name string, body []byte) {
	ctype := extraTypes[path.Ext(name)]
	if ctype == "" {
		ctype = mime.TypeByExtension(path.Ext(name))
	}
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	cache := cacheShort
	if strings.HasPrefix(name, "assets/") {
		cache = cacheImmutable
	}
	ctx.Response.Header.Set("Cache-Control", cache)
	ctx.SetContentType(ctype)
	ctx.SetBody(body)
}

// notBuilt is the page served at every UI path when dist/index.html is
// missing from the binary.
const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bunnybook: UI not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>Bunnybook</h1>
<p>The server is running, but this binary was built without the web UI.</p>
<p>Build it with <code>make ui</code> (Node.js 20 and npm needed), then rebuild or rerun the
server, for example with <code>make run</code>.</p>
<p>The REST API is documented at <a href="/docs">/docs</a>.</p>
</body></html>
`

func serveNotBuilt(ctx *fasthttp.RequestCtx) {
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.SetContentType("text/html; charset=utf-8")
	ctx.SetBodyString(notBuilt)
}
