#!/usr/bin/env bash
# Measures one node under many idle authenticated websockets: setup rate and
# server memory per connection (the issue-6 baseline in docs/benchmarks.md).
#
#   scripts/bench-connect.sh                     # embedded SQLite, 15 000 × 50
#   STORE=postgres scripts/bench-connect.sh      # PostgreSQL + Redis (started by scripts/services.sh)
#
# Knobs: CONNECTIONS (15000), FRIENDS (50), WORKERS (3), RATE (setups/s, 0 =
# as fast as --dial-concurrency allows), HOLD (seconds to hold before measuring, 8),
# CPU_PROFILE (seconds of server CPU profile from the ramp's start to $OUT/cpu.pprof, 0 = none).
# Prints heap and RSS per connection, measured after a forced GC, and writes the
# bunnyload reports to $OUT (default .cache/bench-connect).
set -euo pipefail
cd "$(dirname "$0")/.."

store=${STORE:-sqlite}
n=${CONNECTIONS:-15000}
friends=${FRIENDS:-50}
workers=${WORKERS:-3}
rate=${RATE:-0}
hold=${HOLD:-8}
out=${OUT:-.cache/bench-connect}
http=127.0.0.1:18190
admin=127.0.0.1:18191

mkdir -p "$out" bin
go build -o bin/bunnybook ./cmd/bunnybook
go build -o bin/bunnyload ./cmd/bunnyload

data=$(mktemp -d -t bunnybook-bench.XXXXXX)
export BUNNYBOOK_DATA_DIR=$data BUNNYBOOK_JWT_SECRET=bench-secret-bench-secret-bench-secret
cleanup() {
	[ -n "${server:-}" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	[ "$store" = postgres ] && scripts/services.sh stop >&2
	rm -rf "$data"
}
trap cleanup EXIT
if [ "$store" = postgres ]; then
	export BUNNYBOOK_SERVICES_DIR=$data/services
	eval "$(scripts/services.sh start postgres redis)"
fi

echo "== seed $n × $friends ($store)" >&2
bin/bunnybook seed --profiles "$n" --friends "$friends" --out "$out/users.jsonl" >&2

BUNNYBOOK_HTTP_ADDR=$http BUNNYBOOK_ADMIN_ADDR=$admin BUNNYBOOK_WS_RATE=100 \
	BUNNYBOOK_RATE_LIMITS=false BUNNYBOOK_LOG_LEVEL=warn bin/bunnybook serve &
server=$!
for _ in $(seq 1 100); do curl -sf "http://$http/readyz" >/dev/null && break; sleep 0.2; done

# metric NAME prints a gauge from /metrics after a forced GC.
metric() {
	curl -sf "http://$admin/debug/pprof/heap?gc=1" >/dev/null
	curl -sf "http://$admin/metrics" | awk -v m="$1" '$1 == m { printf "%.0f\n", $2 }'
}
# anon prints the server's anonymous resident memory (RSS without mapped
# files such as SQLite's mmap of the database), in bytes.
anon() { awk '$1 == "RssAnon:" { print $2 * 1024 }' "/proc/$server/status"; }
heap0=$(metric go_memstats_heap_inuse_bytes)
live0=$(metric go_memstats_heap_alloc_bytes)
rss0=$(metric process_resident_memory_bytes)
anon0=$(anon)
cpu0=$(curl -sf "http://$admin/metrics" | awk '$1 == "process_cpu_seconds_total" { print $2 }')

ips=127.0.0.2-127.0.0.$((1 + workers * 2))
args=(--target "http://$http" --users "$out/users.jsonl" --scenario connect --connections "$n"
	--workers "$workers" --source-ips "$ips" --duration "${hold}s" --report-json "$out/connect.json"
	--report-html "$out/connect.html")
[ "$rate" != 0 ] && args+=(--rate "$rate")
bin/bunnyload "${args[@]}" &
load=$!
# CPU profile of the server during the ramp's first CPU_PROFILE seconds.
if [ "${CPU_PROFILE:-0}" != 0 ]; then
	curl -sf "http://$admin/debug/pprof/profile?seconds=$CPU_PROFILE" -o "$out/cpu.pprof" &
fi
# Measure while the connections are held: wait until all are open, then hold/2.
for _ in $(seq 1 600); do
	open=$(curl -sf "http://$admin/metrics" | awk '$1 == "bunnybook_ws_connections_open" { print $2 }')
	[ "${open:-0}" -ge "$n" ] && break
	sleep 0.5
done
cpu1=$(curl -sf "http://$admin/metrics" | awk '$1 == "process_cpu_seconds_total" { print $2 }')
sleep $((hold / 2))
heap1=$(metric go_memstats_heap_inuse_bytes)
live1=$(metric go_memstats_heap_alloc_bytes)
rss1=$(metric process_resident_memory_bytes)
anon1=$(anon)
goroutines=$(metric go_goroutines)
curl -sf "http://$admin/debug/pprof/heap" -o "$out/heap.pprof" || true
wait "$load" || echo "bunnyload exited $?" >&2

awk -v n="$open" -v h0="$heap0" -v h1="$heap1" -v l0="$live0" -v l1="$live1" -v r0="$rss0" -v r1="$rss1" \
	-v a0="$anon0" -v a1="$anon1" -v g="$goroutines" -v c0="$cpu0" -v c1="$cpu1" 'BEGIN {
	printf "open connections         %d\n", n
	printf "server CPU per setup     %.0f µs (%.1f s over the ramp, ±0.5 s)\n", (c1 - c0) / n * 1e6, c1 - c0
	printf "per connection, after a forced GC:\n"
	printf "  live heap              %.1f KiB\n", (l1 - l0) / n / 1024
	printf "  heap in use (spans)    %.1f KiB (%.0f MiB → %.0f MiB)\n", (h1 - h0) / n / 1024, h0 / 1048576, h1 / 1048576
	printf "  RSS                    %.1f KiB\n", (r1 - r0) / n / 1024
	printf "  RSS without mapped files %.1f KiB\n", (a1 - a0) / n / 1024
	printf "goroutines               %d\n", g
}'
echo "reports: $out/connect.json $out/connect.html; heap profile: $out/heap.pprof" >&2
