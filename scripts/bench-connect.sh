#!/usr/bin/env bash
# Measures one node under many idle authenticated websockets: setup rate and
# server memory per connection (the issue-6 baseline in docs/benchmarks.md).
#
#   scripts/bench-connect.sh                     # embedded SQLite, 15 000 × 50
#   STORE=postgres scripts/bench-connect.sh      # PostgreSQL + Redis (started by scripts/services.sh)
#
# Knobs: CONNECTIONS (15000), FRIENDS (50), WORKERS (3), DIALS (dials in
# flight per worker, 64), RATE (setups/s, 0 = as fast as DIALS allows), HOLD (seconds to hold before measuring, 8),
# CPU_PROFILE (seconds of server CPU profile from the ramp's start to $OUT/cpu.pprof, 0 = none).
# The users connect in two ramps of half each. Prints the server's CPU time per
# setup and its memory per connection (anonymous RSS as it is, with the Go
# heap's share of it, then everything after a forced GC), both from the empty
# server and marginal (between half and all connections); bunnyload's reports
# (one per ramp) go to $OUT (default .cache/bench-connect).
set -euo pipefail
cd "$(dirname "$0")/.."

store=${STORE:-sqlite}
n=${CONNECTIONS:-15000}
friends=${FRIENDS:-50}
workers=${WORKERS:-3}
rate=${RATE:-0}
dials=${DIALS:-64}
hold=${HOLD:-8}
out=${OUT:-.cache/bench-connect}
http=127.0.0.1:18190
admin=127.0.0.1:18191

mkdir -p "$out" bin
go build -o bin/bunnybook ./cmd/bunnybook
go build -o bin/bunnyload ./cmd/bunnyload

. scripts/bench-lib.sh
bench_start

echo "== seed $n × $friends ($store)" >&2
bin/bunnybook seed --profiles "$n" --friends "$friends" --out "$out/users.jsonl" >&2

BUNNYBOOK_HTTP_ADDR=$http BUNNYBOOK_ADMIN_ADDR=$admin BUNNYBOOK_WS_RATE=100 \
	BUNNYBOOK_RATE_LIMITS=false BUNNYBOOK_LOG_LEVEL=warn bin/bunnybook serve &
server=$!
wait_ready "$http"

# gauge NAME prints a value from /metrics (from $2, a saved scrape, if given).
gauge() { awk -v m="$1" '$1 == m { print $2 }' <<<"${2:-$(curl -sf "http://$admin/metrics")}"; }
# anon prints the server's anonymous resident memory (RSS without mapped
# files such as SQLite's mmap of the database), in bytes.
anon() { awk '$1 == "RssAnon:" { print $2 * 1024 }' "/proc/$server/status"; }
# sample K records the anonymous RSS as it is (mem[idleK]), then the memory
# gauges after a forced GC as mem[heapK], mem[liveK], mem[rssK], mem[anonK].
declare -A mem
sample() {
	mem[idle$1]=$(anon)
	local scrape
	scrape=$(curl -sf "http://$admin/metrics")
	mem[ialloc$1]=$(gauge go_memstats_heap_alloc_bytes "$scrape")
	mem[iheap$1]=$(gauge go_memstats_heap_inuse_bytes "$scrape")
	mem[ifree$1]=$(awk '$1 == "go_memstats_heap_idle_bytes" { i = $2 } $1 == "go_memstats_heap_released_bytes" { r = $2 } END { print i - r }' <<<"$scrape")
	mem[istack$1]=$(gauge go_memstats_stack_inuse_bytes "$scrape")
	curl -sf "http://$admin/debug/pprof/heap?gc=1" >/dev/null
	scrape=$(curl -sf "http://$admin/metrics")
	mem[heap$1]=$(gauge go_memstats_heap_inuse_bytes "$scrape")
	mem[live$1]=$(gauge go_memstats_heap_alloc_bytes "$scrape")
	mem[rss$1]=$(gauge process_resident_memory_bytes "$scrape")
	mem[anon$1]=$(anon)
}
# wait_open N waits until the server holds N connections.
wait_open() {
	for _ in $(seq 1 1200); do
		[ "$(gauge bunnybook_ws_connections_open)" -ge "$1" ] 2>/dev/null && return
		sleep 0.5
	done
	echo "timed out waiting for $1 open connections" >&2
	exit 1
}
# load K N D runs bunnyload on users-K.jsonl: N connections held for D seconds.
ips=127.0.0.2-127.0.0.$((1 + workers * 2))
load() {
	local args=(--target "http://$http" --users "$out/users-$1.jsonl" --scenario connect --connections "$2"
		--workers "$workers" --dial-concurrency "$dials" --source-ips "$ips" --duration "${3}s" --report-json "$out/connect-$1.json"
		--report-html "$out/connect-$1.html")
	[ "$rate" != 0 ] && args+=(--rate "$rate")
	exec bin/bunnyload "${args[@]}" # replaces the subshell: $! is bunnyload
}

# Two ramps of half the users each, measured after each: memory per
# connection from the empty server, and the marginal cost between half and
# all (which leaves out what does not grow with connections: pools, caches).
half=$((n / 2))
head -n "$half" "$out/users.jsonl" >"$out/users-1.jsonl"
tail -n +"$((half + 1))" "$out/users.jsonl" >"$out/users-2.jsonl"
sample 0
# CPU profile of the server during the first ramp's first CPU_PROFILE seconds.
if [ "${CPU_PROFILE:-0}" != 0 ]; then
	curl -sf "http://$admin/debug/pprof/profile?seconds=$CPU_PROFILE" -o "$out/cpu.pprof" &
fi
cpu0=$(gauge process_cpu_seconds_total)
load 1 "$half" 3600 &
load1=$!
wait_open "$half"
cpu1=$(gauge process_cpu_seconds_total)
sleep $((hold / 2))
sample 1
cpu2=$(gauge process_cpu_seconds_total)
load 2 "$((n - half))" "$hold" &
load2=$!
wait_open "$n"
cpu3=$(gauge process_cpu_seconds_total)
sleep $((hold / 2))
sample 2
goroutines=$(gauge go_goroutines)
curl -sf "http://$admin/debug/pprof/heap" -o "$out/heap.pprof" || true
wait "$load2" || echo "bunnyload (second half) exited $?" >&2
kill -INT "$load1"
wait "$load1" || true

per() { awk -v a="${mem[$1$2]}" -v b="${mem[$1$3]}" -v n="$4" 'BEGIN { printf "%.1f", (b - a) / n / 1024 }'; }
row() { printf "  %-26s %6s KiB %10s KiB\n" "$1" "$(per "$2" 0 2 "$n")" "$(per "$2" 1 2 "$((n - half))")"; }
echo "connections              $n (two ramps of $half)"
awk -v n="$n" -v a="$cpu0" -v b="$cpu1" -v c="$cpu2" -v d="$cpu3" 'BEGIN {
	printf "server CPU per setup     %.0f µs (%.1f s over the ramps, ±1 s)\n", (b - a + d - c) / n * 1e6, b - a + d - c }'
echo "per connection:"
printf "  %-26s %10s %18s\n" "" "from empty" "marginal (½→all)"
row "RSS w/o mapped files, idle" idle
row "  heap objects (live+garbage)" ialloc
row "  heap in use (spans)" iheap
row "  heap free, not released" ifree
row "  goroutine stacks" istack
echo "  after a forced GC:"
row "live heap" live
row "heap in use (spans)" heap
row "RSS" rss
row "RSS without mapped files" anon
echo "goroutines               $goroutines"
echo "reports: $out/connect-{1,2}.{json,html}; heap profile: $out/heap.pprof" >&2
