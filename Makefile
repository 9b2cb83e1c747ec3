# Bunnybook: build the web UI into web/dist (embedded by the Go binary),
# run, build and test.
.PHONY: ui run build test ui-test

UI_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/package.json \
	web/package-lock.json web/vite.config.ts web/tsconfig.json

ui: web/dist/index.html

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

web/dist/index.html: web/node_modules/.package-lock.json $(UI_SOURCES)
	cd web && npx tsc -p . && npx vite build --logLevel warn

run: ui
	go run ./cmd/bunnybook serve

build: ui
	go build -o bin/bunnybook ./cmd/bunnybook

test:
	scripts/test.sh

ui-test:
	scripts/ui-test.sh
