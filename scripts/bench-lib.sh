# Helpers shared by the bench-*.sh scripts; sourced, not run, from the
# repository's root. They read $store (sqlite or postgres) and kill the
# server in $server and the processes in $others on exit.

# bench_start makes the run's throwaway data directory ($data, removed on
# exit), exports it and a JWT secret for the server, and for
# store=postgres starts PostgreSQL and Redis in it (stopped on exit).
bench_start() {
	data=$(mktemp -d -t bunnybook-bench.XXXXXX)
	export BUNNYBOOK_DATA_DIR=$data BUNNYBOOK_JWT_SECRET=bench-secret-bench-secret-bench-secret
	trap bench_cleanup EXIT
	if [ "${store:-sqlite}" = postgres ]; then
		export BUNNYBOOK_SERVICES_DIR=$data/services
		eval "$(scripts/services.sh start postgres redis)"
	fi
}

# stop_server stops the server in $server, if any.
stop_server() {
	if [ -n "${server:-}" ]; then
		kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
		server=
	fi
}

bench_cleanup() {
	stop_server
	local pid
	for pid in ${others:-}; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	done
	if [ "${store:-sqlite}" = postgres ]; then
		scripts/services.sh stop >&2
	fi
	rm -rf "$data"
}

# wait_ready HOST:PORT waits (up to 20 s) for the server there to be ready.
wait_ready() {
	for _ in $(seq 1 100); do
		curl -sf "http://$1/readyz" >/dev/null && return
		sleep 0.2
	done
}
