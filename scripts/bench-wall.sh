#!/usr/bin/env bash
# Measures the REST fast path (docs/benchmarks.md): `wrk -t2 -c64 -d6s` on an
# authenticated wall page of 10 posts (GET /web/posts?wall_profile_id=…&limit=10,
# embedded default, Bearer token), alternated with a bare fasthttp handler
# answering the same page's bytes, ROUNDS times, and prints each pair and its ratio.
#
#   scripts/bench-wall.sh                 # this checkout's server
#   BIN=/path/to/bunnybook scripts/bench-wall.sh   # another build (say, an older commit's)
#
# LIKED=1 makes the reader like every post of the page first (the liked-by-me
# look-up and rewrite then run on every read; needs a build with likes).
# Knobs: ROUNDS (2), DURATION (6s), CONNECTIONS (64).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-2}
duration=${DURATION:-6s}
conns=${CONNECTIONS:-64}
http=127.0.0.1:18290
bare=127.0.0.1:18292
command -v wrk >/dev/null || { echo "bench-wall: needs wrk (apt-get install wrk)" >&2; exit 1; }

mkdir -p bin .cache/barejson
bin=${BIN:-bin/bunnybook}
[ -n "${BIN:-}" ] || go build -o bin/bunnybook ./cmd/bunnybook

. scripts/bench-lib.sh
bench_start

BUNNYBOOK_HTTP_ADDR=$http BUNNYBOOK_ADMIN_ADDR=127.0.0.1:18291 \
	BUNNYBOOK_RATE_LIMITS=false BUNNYBOOK_LOG_LEVEL=warn "$bin" serve &
server=$!
wait_ready "$http"

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
call() { curl -sf -X "$1" "http://$http$2" -H 'Content-Type: application/json' ${3:+-H "Authorization: Bearer $3"} ${4:+-d "$4"}; }
account() { # prints "id token"
	call POST /web/register "" "{\"username\":\"$1\",\"email\":\"$1@bench.test\",\"password\":\"password-$1\"}" | json "['id']"
	call POST /web/login "" "{\"email\":\"$1@bench.test\",\"password\":\"password-$1\"}" | json "['accessToken']"
}
read -r -d '' owner token < <(account owner) || true
for i in $(seq 1 10); do
	id=$(call POST /web/posts "$token" "{\"content\":\"post number $i of the benchmark wall, a few words long\"}" | json "['id']")
	[ -n "${LIKED:-}" ] && call PUT "/web/posts/$id/like" "$token" >/dev/null
done
page="/web/posts?wall_profile_id=$owner&limit=10"
curl -sf "http://$http$page" -H "Authorization: Bearer $token" > .cache/barejson/page.json

cat > .cache/barejson/main.go <<'GO'
// Command barejson answers every request with page.json: the ceiling for
// the wall page's throughput (scripts/bench-wall.sh).
package main

import (
	"os"

	"github.com/valyala/fasthttp"
)

func main() {
	body, err := os.ReadFile(os.Args[2])
	if err != nil {
		panic(err)
	}
	panic(fasthttp.ListenAndServe(os.Args[1], func(ctx *fasthttp.RequestCtx) {
		ctx.SetContentType("application/json")
		ctx.SetBody(body)
	}))
}
GO
go build -o bin/barejson ./.cache/barejson
bin/barejson "$bare" .cache/barejson/page.json &
others=$!
for _ in $(seq 1 50); do curl -sf "http://$bare/" >/dev/null && break; sleep 0.1; done

rate() { wrk -t2 -c"$conns" -d"$duration" "$@" | awk '/Requests\/sec/ { print int($2) }'; }
for r in $(seq 1 "$rounds"); do
	w=$(rate -H "Authorization: Bearer $token" "http://$http$page")
	b=$(rate "http://$bare/")
	awk -v r="$r" -v w="$w" -v b="$b" 'BEGIN { printf "round %d: wall page %d req/s, bare handler %d req/s, ratio %.2f\n", r, w, b, w / b }'
done
