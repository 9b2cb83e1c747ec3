#!/usr/bin/env bash
# Refreshes the web UI's copy of the REST API description:
#   web/openapi.json      the server's /openapi.json, pretty-printed
#   web/src/api-types.ts  generated from it by `npm run gen:api` (openapi-typescript)
#
# The document is asked from a running server at BUNNYBOOK_URL when set;
# otherwise the server is built (or BUNNYBOOK_BIN used) and started for a
# moment on a free port with a temporary data dir.
#
#   scripts/openapi.sh          rewrite both files
#   scripts/openapi.sh --check  write nothing; fail if either file differs
#                               from what the server says (scripts/ui-test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

check=
case "${1:-}" in
--check) check=1 ;;
"") ;;
*) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

tmp=$(mktemp -d -t bunnybook-openapi.XXXXXX)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

url=${BUNNYBOOK_URL:-}
if [ -z "$url" ]; then
	bin=${BUNNYBOOK_BIN:-}
	if [ -z "$bin" ]; then
		bin="$tmp/bunnybook"
		go build -o "$bin" ./cmd/bunnybook
	fi
	port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
	url="http://127.0.0.1:$port"
	"$bin" serve -data-dir "$tmp/data" -http-addr "127.0.0.1:$port" -log-level warn >"$tmp/server.log" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		curl -fsS "$url/readyz" >/dev/null 2>&1 && break
		if ! kill -0 "$pid" 2>/dev/null; then cat "$tmp/server.log" >&2; echo "server did not start" >&2; exit 1; fi
		sleep 0.2
	done
fi

curl -fsS "$url/openapi.json" >"$tmp/raw.json"
node -e 'const fs=require("fs"); fs.writeFileSync(process.argv[2], JSON.stringify(JSON.parse(fs.readFileSync(process.argv[1], "utf8")), null, 2) + "\n")' \
	"$tmp/raw.json" "$tmp/openapi.json"
(cd web && node tools/gen-api/gen.mjs "$tmp/openapi.json" "$tmp/api-types.ts")

if [ -z "$check" ]; then
	cp "$tmp/openapi.json" web/openapi.json
	cp "$tmp/api-types.ts" web/src/api-types.ts
	echo "wrote web/openapi.json and web/src/api-types.ts" >&2
	exit 0
fi

stale=0
diff -u web/openapi.json "$tmp/openapi.json" >"$tmp/openapi.diff" || stale=1
diff -u web/src/api-types.ts "$tmp/api-types.ts" >"$tmp/types.diff" || stale=1
if [ "$stale" = 1 ]; then
	head -n 40 "$tmp/openapi.diff" "$tmp/types.diff" >&2
	echo "web/openapi.json or web/src/api-types.ts is out of date with the server's /openapi.json: run scripts/openapi.sh and commit the result" >&2
	exit 1
fi
echo "web/openapi.json and web/src/api-types.ts match the server" >&2
