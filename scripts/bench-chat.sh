#!/usr/bin/env bash
# Measures durable chat on one node (issue 13, docs/benchmarks.md): pairs of
# friends chat through `bunnyload --scenario chat` at each of RATES messages/s,
# and the script prints per rate what bunnyload saw (delivered/s, delivery and
# ack latencies, lost/duplicated/reordered) and the CPU each process spent per
# acked message while messages flowed (server from process_cpu_seconds_total,
# bunnyload from /proc; the load generator shares the cores).
#
#   scripts/bench-chat.sh                          # embedded SQLite, 1000 and 3000 msg/s
#   STORE=postgres scripts/bench-chat.sh           # PostgreSQL + Redis (started by scripts/services.sh)
#   RATES="2000" PROFILE=10 scripts/bench-chat.sh  # and CPU profiles of both processes
#   BIN=/tmp/old/bunnybook LOAD=/tmp/old/bunnyload scripts/bench-chat.sh   # other builds
#
# Knobs: RATES ("1000 3000"), CONNECTIONS (2000), DURATION (15s), PROFILES
# (2000), FRIENDS (10), PROFILE (seconds of server CPU profile taken from 1 s
# after the first acks, 0 = none; bunnyload's covers its whole measured phase;
# to $OUT/{server,load}-RATE.pprof), READ_RATIO (share of live messages
# their recipients mark read with chat.read, as the web UI with the chat
# open; 0), OUT (.cache/bench-chat). Each rate runs against a fresh server on the same
# seeded data. Ports 28480 (HTTP) and 28481 (admin).
set -euo pipefail
cd "$(dirname "$0")/.."

store=${STORE:-sqlite}
rates=${RATES:-1000 3000}
n=${CONNECTIONS:-2000}
duration=${DURATION:-15s}
profiles=${PROFILES:-2000}
friends=${FRIENDS:-10}
prof=${PROFILE:-0}
reads=${READ_RATIO:-0}
out=${OUT:-.cache/bench-chat}
http=127.0.0.1:28480
admin=127.0.0.1:28481

mkdir -p "$out" bin
bin=${BIN:-bin/bunnybook}
load=${LOAD:-bin/bunnyload}
[ -n "${BIN:-}" ] || go build -o bin/bunnybook ./cmd/bunnybook
[ -n "${LOAD:-}" ] || go build -o bin/bunnyload ./cmd/bunnyload

. scripts/bench-lib.sh
bench_start

echo "== seed $profiles × $friends ($store)" >&2
"$bin" seed --profiles "$profiles" --friends "$friends" --out "$out/users.jsonl" >&2

# gauge NAME prints a value from /metrics.
gauge() { curl -sf "http://$admin/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
# ticks PID prints a process's user + system CPU time in seconds.
ticks() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# p99 FILE HISTOGRAM prints the bound (ms) of the bucket holding a
# histogram's 99th percentile, from a /metrics dump.
p99() {
	awk -v h="$2" '$1 == h "_count" { n = $2 } index($1, h "_bucket{") == 1 { split($1, a, "\""); le[++k] = a[2]; c[k] = $2 }
		END { if (!n) { print "-"; exit } for (i = 1; i <= k && c[i] < 0.99 * n; i++); printf "≤%g", le[i] * 1000 }' "$1"
}
# rounds FILE prints the committer's mean round (messages, then ms) and its
# 99th percentile round time, from a /metrics dump.
rounds() {
	awk '$1 == "bunnybook_chat_commit_batch_size_sum" { m = $2 } $1 == "bunnybook_chat_commit_batch_size_count" { n = $2 }
		$1 == "bunnybook_chat_commit_seconds_sum" { t = $2 }
		END { if (n) printf "%.0f, %.1f / ", m / n, t / n * 1000; else printf "- / " }' "$1"
	p99 "$1" bunnybook_chat_commit_seconds
}
# report FILE EXPR prints a field of bunnyload's JSON report.
report() { python3 -c "import json,sys; m=json.load(open(sys.argv[1]))['metrics']; print($2)" "$1"; }

printf "%-8s %-8s %-12s %-17s %-9s %-16s %-14s %-17s %-25s %s\n" store rate delivered/s "delivery p50/p99" "ack p99" lost/dup/reordered "server µs/msg" "bunnyload µs/msg" "commit msgs, mean/p99 ms" "server send p99 ms"
for rate in $rates; do
	BUNNYBOOK_HTTP_ADDR=$http BUNNYBOOK_ADMIN_ADDR=$admin BUNNYBOOK_WS_RATE=100 \
		BUNNYBOOK_RATE_LIMITS=false BUNNYBOOK_LOG_LEVEL=warn "$bin" serve &
	server=$!
	wait_ready "$http"

	args=(--target "http://$http" --users "$out/users.jsonl" --scenario chat --connections "$n"
		--rate "$rate" --duration "$duration" --quiet --report-json "$out/chat-$store-$rate.json")
	[ "$prof" != 0 ] && args+=(--cpu-profile "$out/load-$rate.pprof")
	[ "$reads" != 0 ] && args+=(--read-ratio "$reads")
	"$load" "${args[@]}" >"$out/chat-$store-$rate.txt" &
	loadpid=$!
	# Samples (time, server CPU, acked, bunnyload CPU) every second while it runs.
	samples=$out/samples-$store-$rate.txt
	: >"$samples"
	profiled= profiler=
	while kill -0 "$loadpid" 2>/dev/null; do
		acked=$(gauge bunnybook_chat_messages_acked_total)
		echo "$(date +%s.%N) $(gauge process_cpu_seconds_total) ${acked:-0} $(ticks "$loadpid")" >>"$samples"
		if [ "$prof" != 0 ] && [ -z "$profiled" ] && awk -v a="${acked:-0}" 'BEGIN { exit !(a > 0) }'; then
			profiled=1
			(sleep 1; curl -sf "http://$admin/debug/pprof/profile?seconds=$prof" -o "$out/server-$rate.pprof") &
			profiler=$!
		fi
		sleep 1
	done
	wait "$loadpid" || echo "bunnyload exited $? (a threshold or an error; see $out/chat-$store-$rate.txt)" >&2
	[ -z "$profiler" ] || wait "$profiler" || echo "no server profile" >&2
	curl -sf "http://$admin/metrics" >"$out/metrics-$store-$rate.txt" || :
	stop_server

	# CPU per message over the samples where messages were acked (from the
	# first that saw acks to the last before they stopped growing).
	cpu=$(awk 'NR == 1 { a0 = $3 } $3 > a0 && !s { s = 1; c0 = $2; l0 = $4; k0 = $3 }
		s && $3 > k1 { c1 = $2; l1 = $4; k1 = $3 }
		END { if (k1 > k0) printf "%.0f %.0f", (c1 - c0) / (k1 - k0) * 1e6, (l1 - l0) / (k1 - k0) * 1e6; else print "- -" }' "$samples")
	j=$out/chat-$store-$rate.json
	printf "%-8s %-8s %-12s %-17s %-9s %-16s %-14s %-17s %-25s %s\n" "$store" "$rate" \
		"$(report "$j" "round(m['chat.received']['rate'])")" \
		"$(report "$j" "'%.1f / %.0f ms' % (m['chat.delivery']['p50_ms'], m['chat.delivery']['p99_ms'])")" \
		"$(report "$j" "'%.0f ms' % m['chat.ack']['p99_ms']")" \
		"$(report "$j" "'%d / %d / %d' % tuple(m.get(k, {}).get('count', 0) for k in ('chat.missing', 'chat.duplicates', 'chat.inversions'))")" \
		"${cpu% *}" "${cpu#* }" "$(rounds "$out/metrics-$store-$rate.txt")" "$(p99 "$out/metrics-$store-$rate.txt" bunnybook_chat_send_seconds)"
done
echo "reports: $out/chat-$store-RATE.{json,txt}; samples: $out/samples-$store-RATE.txt" >&2
[ "$prof" = 0 ] || echo "profiles: $out/{server,load}-RATE.pprof" >&2
