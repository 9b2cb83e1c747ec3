#!/usr/bin/env bash
# Tests the web UI: Vitest unit tests, the production build, then the
# end-to-end suite in Debian's Chromium against the real server binary
# (started here on a free port with a temporary data dir, rate limits off).
# Screenshots land in test-artifacts/. BUNNYBOOK_BIN=path uses a server
# binary built elsewhere instead of building one from this tree. It also
# fails when web/openapi.json or the REST types generated from it
# (web/src/api-types.ts) no longer match the server's /openapi.json.
set -euo pipefail
cd "$(dirname "$0")/.."

# Chromium, and a colour emoji font so that the screenshots show the chat's reactions.
if [ ! -x /usr/bin/chromium ] || [ ! -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; then
	echo "== installing Debian's chromium and fonts-noto-color-emoji" >&2
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null
fi

echo "== npm ci" >&2
(cd web && npm ci --no-audit --no-fund --loglevel=error)
echo "== vitest" >&2
(cd web && npx vitest run)
echo "== vite build" >&2
make -s ui

tmp=$(mktemp -d -t bunnybook-ui.XXXXXX)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

bin=${BUNNYBOOK_BIN:-}
if [ -z "$bin" ]; then
	echo "== go build" >&2
	bin="$tmp/bunnybook"
	go build -o "$bin" ./cmd/bunnybook
fi
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
url="http://127.0.0.1:$port"
"$bin" serve -data-dir "$tmp/data" -http-addr "127.0.0.1:$port" -rate-limits=false -log-level warn \
	>"$tmp/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
	curl -fsS "$url/readyz" >/dev/null 2>&1 && break
	if ! kill -0 "$pid" 2>/dev/null; then cat "$tmp/server.log" >&2; echo "server did not start" >&2; exit 1; fi
	sleep 0.2
done
curl -fsS "$url/readyz" >/dev/null || { cat "$tmp/server.log" >&2; echo "server not ready at $url" >&2; exit 1; }

echo "== REST API types up to date with $url/openapi.json" >&2
BUNNYBOOK_URL="$url" scripts/openapi.sh --check

echo "== e2e (Chromium) against $url" >&2
mkdir -p test-artifacts
if ! BUNNYBOOK_URL="$url" ARTIFACTS="$PWD/test-artifacts" node --test --test-concurrency=1 web/e2e/; then
	echo "== server log" >&2; tail -n 50 "$tmp/server.log" >&2
	exit 1
fi
