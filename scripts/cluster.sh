#!/usr/bin/env bash
# Runs the compose topology as local processes on this machine: a Bunnybook
# cluster of N nodes on loopback with PostgreSQL, Redis and etcd (Neo4j
# optional), for operators trying failures and for load and failover tests.
# See docs/operations.md, "Running a cluster".
#
#   scripts/cluster.sh up N          # services, build once, nodes 1..N; prints exports
#   scripts/cluster.sh start I       # (re)start node I (after kill or drain)
#   scripts/cluster.sh add           # start one more node; the others are not touched
#   scripts/cluster.sh kill I        # SIGKILL node I (a crash)
#   scripts/cluster.sh drain I       # SIGTERM node I and wait for it to exit (prints the time)
#   scripts/cluster.sh pause I SECS  # SIGSTOP node I, sleep SECS, SIGCONT (a stall)
#   scripts/cluster.sh status        # pid, URL, /readyz and bunnybook_cluster_members per node
#   scripts/cluster.sh env           # re-print the exports
#   scripts/cluster.sh down          # stop the nodes, the load balancer, then the services
#
# Node I serves HTTP on 127.0.0.1:(HTTP base + I) and actor traffic on
# 127.0.0.1:(cluster base + I), with its own data dir, log and pid file under
# the state dir. Every node shares one JWT secret (generated into the state
# dir), the database, Redis and etcd. `up` and `env` print only `export` lines
# on stdout (everything else goes to stderr), so: eval "$(scripts/cluster.sh up 3)".
# BUNNYBOOK_* variables already in the environment reach the nodes (e.g.
# BUNNYBOOK_CLUSTER_LEASE_TTL=2s), except those this script sets per node.
#
# Environment knobs:
#   BUNNYBOOK_CLUSTER_DIR        state dir (default <repo>/.cache/cluster)
#   BUNNYBOOK_CLUSTER_HTTP_BASE  HTTP port base (default 18100: node 1 on 18101)
#   BUNNYBOOK_CLUSTER_PORT_BASE  actor port base (default 18200: node 1 on 18201)
#   BUNNYBOOK_CLUSTER_NEO4J=1    also start Neo4j and give the nodes its URL
#   BUNNYBOOK_CLUSTER_LB=1       also run Debian's nginx with deploy/nginx.conf on the HTTP base port
#   BUNNYBOOK_RATE_LIMITS        passed to the nodes; default false (load from one machine)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state=${BUNNYBOOK_CLUSTER_DIR:-$repo/.cache/cluster}
http_base=${BUNNYBOOK_CLUSTER_HTTP_BASE:-18100}
port_base=${BUNNYBOOK_CLUSTER_PORT_BASE:-18200}
bin=$state/bunnybook
services=$repo/scripts/services.sh
export BUNNYBOOK_SERVICES_DIR=$state/services

log_name=cluster
# shellcheck source=scripts/lib.sh
. "$repo/scripts/lib.sh"

http_port() { echo $((http_base + $1)); }
node_url() { echo "http://127.0.0.1:$(http_port "$1")"; }
node_dir() { echo "$state/node$1"; }
node_pid() { cat "$(node_dir "$1")/pid" 2>/dev/null || true; }
node_running() { pid_matches "$(node_pid "$1")" "$bin"; }

# nodes prints the indexes of every node ever started (running or not), in order.
nodes() {
	local d
	for d in "$state"/node*; do
		[[ -d $d ]] && echo "${d##*/node}"
	done | sort -n
}

check_index() { [[ $1 =~ ^[1-9][0-9]*$ ]] || die "node index must be a positive integer, got '$1'"; }

readyz() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$(node_url "$1")/readyz" 2>/dev/null || true; }

members() {
	curl -s --max-time 2 "$(node_url "$1")/metrics" 2>/dev/null |
		awk '$1 == "bunnybook_cluster_members" {print $2}' || true
}

# ---------------------------------------------------------------------------
# services: PostgreSQL, Redis and etcd (and Neo4j) from scripts/services.sh,
# in a services dir of our own so that `down` stops only what `up` started.

start_services() {
	local names=(postgres redis etcd)
	[[ ${BUNNYBOOK_CLUSTER_NEO4J:-} == 1 ]] && names+=(neo4j)
	"$services" start "${names[@]}" >"$state/services.env"
}

stop_services() {
	[[ -d $BUNNYBOOK_SERVICES_DIR ]] && "$services" stop
	rm -f "$state/services.env"
}

service_env() { cat "$state/services.env" 2>/dev/null || true; }

# ---------------------------------------------------------------------------
# nodes

build() {
	local began
	began=$(now_ms)
	mkdir -p "$state"
	(cd "$repo" && go build -o "$bin" ./cmd/bunnybook)
	log "built $bin in $(($(now_ms) - began)) ms"
}

secret() {
	[[ -s $state/jwt-secret ]] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$state/jwt-secret"
	cat "$state/jwt-secret"
}

start_node() {
	local i=$1 dir
	dir=$(node_dir "$i")
	if node_running "$i"; then
		log "node $i already running (pid $(node_pid "$i"))"
		return 0
	fi
	[[ -x $bin ]] || build
	port_open "$(http_port "$i")" && die "port $(http_port "$i") for node $i is taken (set BUNNYBOOK_CLUSTER_HTTP_BASE)"
	mkdir -p "$dir/data"
	local -a env=()
	local line
	while IFS= read -r line; do
		line=${line#export }
		line=${line//\'/}
		[[ $line == BUNNYBOOK_TEST_* ]] || env+=("$line")
	done < <(service_env)
	(
		export "${env[@]}"
		[[ ${BUNNYBOOK_CLUSTER_NEO4J:-} == 1 ]] || export BUNNYBOOK_NEO4J_URL=
		export BUNNYBOOK_HTTP_ADDR="127.0.0.1:$(http_port "$i")" \
			BUNNYBOOK_DATA_DIR="$dir/data" \
			BUNNYBOOK_JWT_SECRET="$(secret)" \
			BUNNYBOOK_CLUSTER_HOST=127.0.0.1 \
			BUNNYBOOK_CLUSTER_PORT=$((port_base + i)) \
			BUNNYBOOK_CLUSTER_ADVERTISE="127.0.0.1:$((port_base + i))" \
			BUNNYBOOK_RATE_LIMITS="${BUNNYBOOK_RATE_LIMITS:-false}" \
			BUNNYBOOK_TRUST_PROXY=true \
			BUNNYBOOK_TRUSTED_PROXIES=127.0.0.1/32
		# setsid: Ctrl-C in the caller's terminal does not reach the node;
		# without job control it execs in place, so $! is the server's pid.
		setsid "$bin" serve </dev/null >>"$dir/log" 2>&1 &
		echo $! >"$dir/pid"
	)
	log "node $i starting: pid $(node_pid "$i"), $(node_url "$i"), log $dir/log"
}

# await_ready I waits for node I's /readyz to answer 200.
await_ready() {
	local i=$1 deadline=$((SECONDS + 60))
	until [[ $(readyz "$i") == 200 ]]; do
		node_running "$i" || {
			tail -n 20 "$(node_dir "$i")/log" >&2
			die "node $i exited while starting"
		}
		((SECONDS < deadline)) || die "node $i not ready within 60s (see $(node_dir "$i")/log)"
		sleep 0.1
	done
}

stop_node() {
	local i=$1 pid
	pid=$(node_pid "$i")
	pid_matches "$pid" "$bin" || return 0
	kill -CONT "$pid" 2>/dev/null || true # a paused node cannot drain
	kill -TERM "$pid"
	wait_gone "$pid" 30 || {
		log "node $i did not stop within 30s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
		wait_gone "$pid" 5 || true
	}
}

# ---------------------------------------------------------------------------
# optional load balancer: Debian's nginx running deploy/nginx.conf itself,
# with the backend variable naming a static upstream of the nodes.

lb_enabled() { [[ ${BUNNYBOOK_CLUSTER_LB:-} == 1 ]]; }

write_lb_conf() {
	local dir=$state/lb i
	mkdir -p "$dir"
	{
		echo "worker_processes 1; pid $dir/nginx.pid; error_log $dir/error.log warn;"
		echo "events { worker_connections 4096; }"
		echo "http {"
		echo "access_log $dir/access.log; client_body_temp_path $dir/body; proxy_temp_path $dir/proxy;"
		echo "upstream cluster_nodes {"
		for i in $(nodes); do echo "    server 127.0.0.1:$(http_port "$i");"; done
		echo "}"
		sed -e "s/^\( *\)listen 80;/\1listen 127.0.0.1:$http_base;/" \
			-e 's/^\( *\)set \$bunnybook node:8080;/\1set $bunnybook cluster_nodes;/' \
			"$repo/deploy/nginx.conf"
		echo "}"
	} >"$dir/nginx.conf"
}

lb_pid() { cat "$state/lb/nginx.pid" 2>/dev/null || true; }

start_or_reload_lb() {
	lb_enabled || return 0
	command -v nginx >/dev/null || die "BUNNYBOOK_CLUSTER_LB=1 but nginx is missing (apt-get install nginx-light)"
	write_lb_conf
	nginx -t -q -c "$state/lb/nginx.conf" -p "$state/lb" || die "the load balancer's config does not parse"
	if pid_matches "$(lb_pid)" nginx; then
		nginx -c "$state/lb/nginx.conf" -p "$state/lb" -s reload
	else
		nginx -c "$state/lb/nginx.conf" -p "$state/lb"
		log "load balancer on http://127.0.0.1:$http_base"
	fi
}

stop_lb() {
	local pid
	pid=$(lb_pid)
	if pid_matches "$pid" nginx; then
		kill -QUIT "$pid"
		wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -rf "$state/lb"
}

# ---------------------------------------------------------------------------
# commands

cmd_env() {
	local i urls=() flags=()
	service_env | grep -v '^export BUNNYBOOK_TEST_' || true
	for i in $(nodes); do
		urls+=("$(node_url "$i")")
		flags+=("-target $(node_url "$i")")
	done
	printf "export BUNNYBOOK_CLUSTER_URLS='%s'\n" "$(
		IFS=,
		echo "${urls[*]}"
	)"
	printf "export BUNNYLOAD_TARGETS='%s'\n" "${flags[*]}"
	lb_enabled && printf "export BUNNYBOOK_CLUSTER_LB_URL='http://127.0.0.1:%s'\n" "$http_base"
	printf "export BUNNYBOOK_JWT_SECRET='%s'\n" "$(secret)"
}

cmd_up() {
	local n=${1:-} i began
	[[ $n =~ ^[1-9][0-9]*$ ]] || die "usage: cluster.sh up N"
	began=$(now_ms)
	mkdir -p "$state"
	start_services
	build
	for ((i = 1; i <= n; i++)); do start_node "$i"; done
	for ((i = 1; i <= n; i++)); do await_ready "$i"; done
	start_or_reload_lb
	log "$n nodes ready in $(($(now_ms) - began)) ms: $(for i in $(nodes); do printf '%s ' "$(node_url "$i")"; done)"
	cmd_env
}

cmd_add() {
	local last i
	last=$(nodes | tail -n 1)
	i=$((${last:-0} + 1))
	start_node "$i"
	await_ready "$i"
	start_or_reload_lb
	log "node $i ready: $(node_url "$i")"
}

cmd_kill() {
	check_index "$1"
	local pid
	pid=$(node_pid "$1")
	node_running "$1" || die "node $1 is not running"
	kill -KILL "$pid"
	wait_gone "$pid" 10 || true
	log "node $1 killed (pid $pid)"
}

cmd_drain() {
	check_index "$1"
	local pid began
	pid=$(node_pid "$1")
	node_running "$1" || die "node $1 is not running"
	began=$(now_ms)
	kill -TERM "$pid"
	wait_gone "$pid" 120 || die "node $1 still running 120s after SIGTERM"
	log "node $1 drained and exited in $(($(now_ms) - began)) ms"
}

cmd_pause() {
	check_index "$1"
	[[ ${2:-} =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "usage: cluster.sh pause I SECONDS"
	local pid
	pid=$(node_pid "$1")
	node_running "$1" || die "node $1 is not running"
	kill -STOP "$pid"
	log "node $1 paused (pid $pid) for $2 s"
	# Resume it even if this script is interrupted during the sleep.
	trap 'kill -CONT '"$pid"' 2>/dev/null || true' EXIT
	sleep "$2"
	kill -CONT "$pid"
	log "node $1 resumed"
}

cmd_status() {
	local i pid state_word
	printf '%-5s %-8s %-8s %-26s %-7s %s\n' node pid state url readyz members
	for i in $(nodes); do
		pid=$(node_pid "$i")
		if node_running "$i"; then
			state_word=running
			[[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == T ]] && state_word=paused
		else
			state_word=down
		fi
		printf '%-5s %-8s %-8s %-26s %-7s %s\n' "$i" "${pid:--}" "$state_word" "$(node_url "$i")" \
			"$(readyz "$i")" "$(members "$i")"
	done
	lb_enabled && log "load balancer: http://127.0.0.1:$http_base ($(pid_matches "$(lb_pid)" nginx && echo running || echo down))"
	return 0
}

cmd_down() {
	local i
	stop_lb
	for i in $(nodes); do stop_node "$i"; done
	stop_services
	rm -rf "$state"
	log "cluster stopped"
}

main() {
	(($# > 0)) || usage
	local cmd=$1
	shift
	case $cmd in
	up) cmd_up "$@" ;;
	add) cmd_add ;;
	start)
		check_index "${1:-}"
		start_node "$1"
		await_ready "$1"
		start_or_reload_lb
		;;
	kill) cmd_kill "${1:-}" ;;
	drain) cmd_drain "${1:-}" ;;
	pause) cmd_pause "${1:-}" "${2:-}" ;;
	status) cmd_status ;;
	env) cmd_env ;;
	down) cmd_down ;;
	*) usage ;;
	esac
}

main "$@"
