#!/usr/bin/env bash
# Starts and stops throwaway PostgreSQL, Redis, Neo4j and etcd servers for
# Bunnybook's tests, on free loopback ports, without Docker. See docs/services.md.
#
#   scripts/services.sh start [postgres] [redis] [neo4j] [etcd]   # no names: all four
#   scripts/services.sh env                                       # re-print the exports
#   scripts/services.sh stop [postgres] [redis] [neo4j] [etcd]    # no names: all four
#
# `start` and `env` print only `export NAME='value'` lines on stdout (of every
# service that is running), so callers do:
#
#   eval "$(scripts/services.sh start)"
#
# Everything else (progress, timings, logs on failure) goes to stderr. `start`
# is idempotent: a service that already answers is left alone. State (data
# dirs, ports, pids, logs) lives in ${BUNNYBOOK_SERVICES_DIR:-<repo>/.cache/services};
# `stop` shuts each server down cleanly, waits until it is gone and removes it.
#
# Environment knobs:
#   BUNNYBOOK_SERVICES_DIR       state dir (default <repo>/.cache/services)
#   BUNNYBOOK_SERVICES_TIMEOUT   seconds to wait for each service (default 180)
#   BUNNYBOOK_PG_BIN             PostgreSQL bin dir (default: newest /usr/lib/postgresql/*/bin)
#   BUNNYBOOK_NEO4J_JAVA_OPTS    extra JVM flags for Neo4j, after ours (e.g. -Xmx1g)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state=${BUNNYBOOK_SERVICES_DIR:-$repo/.cache/services}
timeout=${BUNNYBOOK_SERVICES_TIMEOUT:-180}
all_services=(postgres redis neo4j etcd)

log_name=services
# shellcheck source=scripts/lib.sh
. "$repo/scripts/lib.sh"

# Neo4j runs from the jars that tools/neo4j/pom.xml fetches from Maven Central.
neo4j_pom=$repo/tools/neo4j/pom.xml
neo4j_lib=$repo/tools/neo4j/target/neo4j-lib
neo4j_heap=512m
neo4j_pagecache=64m

# ---------------------------------------------------------------------------
# helpers

# show_log FILE prints the end of a service's log to stderr.
show_log() {
	[[ -f $1 ]] || return 0
	log "---- last lines of $1 ----"
	tail -n 60 "$1" >&2
	log "---- end of $1 ----"
}

# read_state SERVICE FILE prints a value saved by an earlier start ("" if none).
read_state() { cat "$state/$1/$2" 2>/dev/null || true; }

# ---------------------------------------------------------------------------
# PostgreSQL: a throwaway cluster made by initdb, run as the `postgres` OS user
# when we are root (initdb and postgres refuse to run as root).

pg_bin() {
	if [[ -n ${BUNNYBOOK_PG_BIN:-} ]]; then
		echo "$BUNNYBOOK_PG_BIN"
		return
	fi
	newest_pg_bin || {
		apt_install postgresql
		newest_pg_bin
	}
}

# newest_pg_bin prints the bin dir of the newest installed PostgreSQL.
newest_pg_bin() {
	local dir
	dir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	[[ -x $dir/initdb ]] && echo "$dir"
}

# as_pg runs a command as the database owner.
as_pg() {
	if ((EUID == 0)); then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_user() { if ((EUID == 0)); then echo postgres; else id -un; fi; }

pg_url() {
	local port
	port=$(read_state postgres port)
	echo "postgres://$(pg_user)@127.0.0.1:$port/bunnybook?sslmode=disable"
}

# pg_query PORT DB SQL runs one statement over TCP and prints the result.
pg_query() {
	"$(pg_bin)/psql" -h 127.0.0.1 -p "$1" -U "$(pg_user)" -d "$2" -v ON_ERROR_STOP=1 -qAtc "$3"
}

postgres_up() {
	local port
	port=$(read_state postgres port)
	[[ -n $port ]] && [[ $(pg_query "$port" bunnybook 'select 1' 2>/dev/null) == 1 ]]
}

# pg_make_datadir prints an empty directory the database owner can write.
# It is $state/postgres/data unless the owner cannot reach it (for example a
# `mktemp -d` state dir, mode 0700 and owned by root); then a private dir under
# /tmp is used and remembered, so stop can remove it.
pg_make_datadir() {
	local dir=$state/postgres/data
	mkdir -p "$dir"
	if ((EUID == 0)); then
		chown postgres: "$dir"
		if ! as_pg test -w "$dir"; then
			rmdir "$dir"
			dir=$(mktemp -d /tmp/bunnybook-pg.XXXXXX)
			chown postgres: "$dir"
		fi
	fi
	chmod 0700 "$dir"
	echo "$dir"
}

start_postgres() {
	local bin data
	bin=$(pg_bin)
	mkdir -p "$state/postgres"
	data=$(pg_make_datadir)
	echo "$data" >"$state/postgres/datadir"
	pick_port
	echo "$port" >"$state/postgres/port"

	# trust auth: the server only listens on loopback and lives for one test run.
	as_pg "$bin/initdb" -D "$data" -U "$(pg_user)" -A trust -E UTF8 --no-sync \
		>"$state/postgres/initdb.log" 2>&1 || {
		show_log "$state/postgres/initdb.log"
		die "initdb failed"
	}
	# Speed over durability: the data is thrown away after the tests. No Unix
	# socket, so nothing is written outside the data dir.
	cat >>"$data/postgresql.conf" <<-EOF

		# added by scripts/services.sh
		listen_addresses = '127.0.0.1'
		port = $port
		unix_socket_directories = ''
		max_connections = 200
		fsync = off
		synchronous_commit = off
		full_page_writes = off
	EOF
	# pg_ctl -w returns once the server says it accepts connections.
	as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t "$timeout" start >/dev/null 2>&1 || {
		show_log "$data/server.log"
		die "postgres did not start on port $port"
	}
	pg_query "$port" postgres 'create database bunnybook' >&2 || {
		show_log "$data/server.log"
		die "could not create database bunnybook"
	}
	postgres_up || {
		show_log "$data/server.log"
		die "postgres on port $port does not answer select 1"
	}
}

stop_postgres() {
	local data
	data=$(read_state postgres datadir)
	# pg_ctl status fails when no server runs (or only a stale postmaster.pid is left).
	if [[ -n $data ]] && as_pg "$(pg_bin)/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		# fast: roll back open transactions and disconnect clients, then a clean shutdown.
		as_pg "$(pg_bin)/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
			log "warning: pg_ctl stop failed; see $data/server.log"
	fi
	[[ -n $data ]] && rm -rf "$data"
	rm -rf "$state/postgres"
}

postgres_env() {
	local url
	url=$(pg_url)
	printf "export BUNNYBOOK_TEST_DATABASE_URL='%s'\n" "$url"
	printf "export BUNNYBOOK_DATABASE_URL='%s'\n" "$url"
}

# ---------------------------------------------------------------------------
# Redis: Debian's redis-server, daemonized, nothing persisted.

redis_up() {
	local port
	port=$(read_state redis port)
	[[ -n $port ]] && [[ $(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]]
}

start_redis() {
	command -v redis-server >/dev/null || apt_install redis-server
	local dir=$state/redis
	mkdir -p "$dir"
	pick_port
	echo "$port" >"$dir/port"
	redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
		--daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" \
		</dev/null >&2 || die "redis-server did not start"
	local deadline=$((SECONDS + timeout))
	until redis_up; do
		if ((SECONDS >= deadline)); then
			show_log "$dir/redis.log"
			die "redis on port $port does not answer PING"
		fi
		sleep 0.1
	done
}

stop_redis() {
	local port pid
	port=$(read_state redis port)
	pid=$(read_state redis redis.pid)
	if [[ -n $port ]] && pid_matches "$pid" redis-server; then
		redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
		wait_gone "$pid" 30 || kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -rf "$state/redis"
}

redis_env() {
	printf "export BUNNYBOOK_REDIS_URL='redis://127.0.0.1:%s/0'\n" "$(read_state redis port)"
}

# ---------------------------------------------------------------------------
# Neo4j: the Community server from Maven Central jars, started directly through
# its entry point (one JVM, no bootloader), Bolt only, auth off.

# java_bin prints a `java` whose major version Neo4j 5.26 supports (17 or 21),
# installing Java 17 when there is none.
java_bin() {
	find_java || {
		apt_install openjdk-17-jre-headless
		find_java
	}
}

find_java() {
	local candidate major
	for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java || true)" \
		/usr/lib/jvm/java-17-openjdk-*/bin/java /usr/lib/jvm/java-21-openjdk-*/bin/java; do
		[[ -x $candidate ]] || continue
		major=$("$candidate" -XshowSettings:properties -version 2>&1 |
			sed -n 's/^ *java\.specification\.version = //p')
		if [[ $major == 17 || $major == 21 ]]; then
			echo "$candidate"
			return 0
		fi
	done
	return 1
}

# neo4j_jars fetches the server's jars once. A stamp with the pom's checksum
# makes a changed pom (new version) refetch instead of mixing two versions; a
# lock keeps two starts with different state dirs from fetching at once.
neo4j_jars() {
	mkdir -p "$repo/tools/neo4j/target"
	(
		flock 9
		fetch_neo4j_jars
	) 9>"$repo/tools/neo4j/target/fetch.lock"
}

fetch_neo4j_jars() {
	local stamp=$neo4j_lib/.pom.sha256 sum
	sum=$(sha256sum "$neo4j_pom" | cut -d' ' -f1)
	[[ -f $stamp && $(cat "$stamp") == "$sum" ]] && return 0
	command -v mvn >/dev/null || apt_install maven
	log "fetching Neo4j jars with Maven (once; cached in ~/.m2 and $neo4j_lib)"
	rm -rf "$neo4j_lib"
	mkdir -p "$neo4j_lib"
	local began log_file=$repo/tools/neo4j/target/mvn.log
	began=$(now_ms)
	mvn -B -q -f "$neo4j_pom" dependency:copy-dependencies >"$log_file" 2>&1 || {
		show_log "$log_file"
		die "mvn could not fetch the Neo4j jars"
	}
	log "fetched $(find "$neo4j_lib" -name '*.jar' | wc -l) jars ($(du -sh "$neo4j_lib" | cut -f1)) in $(($(now_ms) - began)) ms"
	echo "$sum" >"$stamp"
}

neo4j_up() {
	local port pid
	port=$(read_state neo4j port)
	pid=$(read_state neo4j neo4j.pid)
	pid_matches "$pid" CommunityEntryPoint && [[ -n $port ]] &&
		neo4j_ready "$port" "$pid" 5 2>/dev/null
}

# neo4j_ready PORT PID SECONDS runs `RETURN 1` over Bolt until it works
# (tools/neo4j/ready), giving up early if process PID dies.
neo4j_ready() {
	(cd "$repo" && go run ./tools/neo4j/ready -url "bolt://127.0.0.1:$1" -pid "$2" -timeout "${3}s") >&2
}

# launch_neo4j starts the JVM and returns at once; await_neo4j waits for it,
# so PostgreSQL and Redis start while Neo4j boots.
launch_neo4j() {
	neo4j_jars
	local java home=$state/neo4j/home
	java=$(java_bin)
	local -a extra_opts=()
	read -ra extra_opts <<<"${BUNNYBOOK_NEO4J_JAVA_OPTS:-}"
	mkdir -p "$home/conf"
	pick_port
	echo "$port" >"$state/neo4j/port"
	# Strict config validation is on: an unknown or repeated key stops startup.
	# The Bolt quiet period (an integer of seconds, default 5, waited twice)
	# only slows down stop.
	cat >"$home/conf/neo4j.conf" <<-EOF
		server.default_listen_address=127.0.0.1
		server.default_advertised_address=127.0.0.1
		server.bolt.enabled=true
		server.bolt.listen_address=127.0.0.1:$port
		server.bolt.advertised_address=127.0.0.1:$port
		server.bolt.tls_level=DISABLED
		server.http.enabled=false
		server.https.enabled=false
		dbms.routing.enabled=false
		dbms.security.auth_enabled=false
		dbms.usage_report.enabled=false
		server.memory.pagecache.size=$neo4j_pagecache
		db.tx_log.preallocate=false
		internal.dbms.bolt.netty_server_shutdown_quiet_period=0
	EOF
	# Started directly, the entry point ignores server.jvm.additional and
	# server.memory.heap.*, so the flags go here. The --add-opens avoid the page
	# cache's slower "fallback mode" for DirectByteBuffer. TieredStopAtLevel=1
	# (no C2 JIT) cuts the CPU a start costs by about 40% (docs/services.md);
	# later flags in BUNNYBOOK_NEO4J_JAVA_OPTS win. setsid detaches the
	# server from the caller's terminal (Ctrl-C there does not kill it); without
	# job control setsid execs in place, so $! is the JVM's pid.
	setsid "$java" -Xms128m "-Xmx$neo4j_heap" -XX:TieredStopAtLevel=1 \
		-XX:+UseG1GC -XX:-OmitStackTraceInFastThrow -XX:+DisableExplicitGC \
		-Djdk.nio.maxCachedBufferSize=1024 -Dio.netty.tryReflectionSetAccessible=true \
		--add-opens=java.base/java.nio=ALL-UNNAMED \
		--add-opens=java.base/java.io=ALL-UNNAMED \
		--add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
		--enable-native-access=ALL-UNNAMED \
		-Dlog4j2.disable.jmx=true -Dfile.encoding=UTF-8 \
		"${extra_opts[@]}" \
		-cp "$neo4j_lib/*" org.neo4j.server.CommunityEntryPoint \
		--home-dir="$home" --config-dir="$home/conf" --console-mode \
		</dev/null >"$state/neo4j/console.log" 2>&1 &
	echo $! >"$state/neo4j/neo4j.pid"
}

await_neo4j() {
	local port pid
	port=$(read_state neo4j port)
	pid=$(read_state neo4j neo4j.pid)
	neo4j_ready "$port" "$pid" "$timeout" || {
		show_log "$state/neo4j/console.log"
		show_log "$state/neo4j/home/logs/debug.log"
		die "neo4j on port $port does not answer RETURN 1"
	}
}

stop_neo4j() {
	local pid
	pid=$(read_state neo4j neo4j.pid)
	if pid_matches "$pid" CommunityEntryPoint; then
		# SIGTERM runs Neo4j's shutdown hook: a clean shutdown of every database.
		kill -TERM "$pid"
		wait_gone "$pid" 60 || {
			log "warning: neo4j did not stop within 60s; killing it"
			kill -KILL "$pid" 2>/dev/null || true
			wait_gone "$pid" 10 || true
		}
	fi
	rm -rf "$state/neo4j"
}

neo4j_env() {
	printf "export BUNNYBOOK_NEO4J_URL='bolt://127.0.0.1:%s'\n" "$(read_state neo4j port)"
}

# ---------------------------------------------------------------------------
# etcd: Debian's etcd-server (3.4), one member, client and peer URLs on
# loopback, data dir under the state dir, started in the background (etcd
# cannot daemonize itself).

etcd_up() {
	local port pid
	port=$(read_state etcd port)
	pid=$(read_state etcd etcd.pid)
	pid_matches "$pid" "$state/etcd/data" && [[ -n $port ]] && etcd_health "$port"
}

# etcd_health PORT succeeds when the member at PORT serves requests: its
# /health endpoint answers {"health":"true"} only once it has a leader.
etcd_health() {
	local body
	body=$( (exec 3<>"/dev/tcp/127.0.0.1/$1" &&
		printf 'GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 &&
		timeout 2 cat <&3) 2>/dev/null) || return 1
	[[ $body == *'"health":"true"'* ]]
}

start_etcd() {
	command -v etcd >/dev/null || apt_install etcd-server
	local dir=$state/etcd peer
	mkdir -p "$dir"
	pick_port
	peer=$port # etcd also listens for peers; a fixed 2380 could be taken
	pick_port
	echo "$port" >"$dir/port"
	# A cluster of one member, which elects itself leader at once. setsid
	# detaches it from the caller's terminal and execs in place, so $! is
	# etcd's pid.
	setsid etcd --name bunnybook --data-dir "$dir/data" \
		--listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
		--listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
		--initial-cluster "bunnybook=http://127.0.0.1:$peer" --initial-cluster-state new \
		--logger zap --log-outputs stderr \
		</dev/null >"$dir/etcd.log" 2>&1 &
	echo $! >"$dir/etcd.pid"
	local pid=$! deadline=$((SECONDS + timeout))
	until etcd_health "$port"; do
		if ! running "$pid" || ((SECONDS >= deadline)); then
			show_log "$dir/etcd.log"
			die "etcd on port $port is not healthy"
		fi
		sleep 0.1
	done
}

stop_etcd() {
	local pid
	pid=$(read_state etcd etcd.pid)
	if pid_matches "$pid" "$state/etcd/data"; then
		# SIGTERM: etcd stops serving, closes its database and exits.
		kill -TERM "$pid"
		wait_gone "$pid" 30 || {
			log "warning: etcd did not stop within 30s; killing it"
			kill -KILL "$pid" 2>/dev/null || true
			wait_gone "$pid" 10 || true
		}
	fi
	rm -rf "$state/etcd"
}

etcd_env() {
	printf "export BUNNYBOOK_CLUSTER_ETCD='127.0.0.1:%s'\n" "$(read_state etcd port)"
}

# ---------------------------------------------------------------------------
# commands

# check_names NAME... dies on a name that is not a service.
check_names() {
	local name
	for name; do
		[[ " ${all_services[*]} " == *" $name "* ]] ||
			die "unknown service '$name' (want: ${all_services[*]})"
	done
}

# wanted NAME succeeds when NAME is in $names (set by the commands below).
wanted() { [[ " ${names[*]} " == *" $1 "* ]]; }

# on_start_exit stops the service whose start failed, so a failed start leaves
# no half-started server behind; the services already up keep running.
starting=
on_start_exit() {
	local rc=$?
	if ((rc != 0)) && [[ -n $starting ]]; then
		log "start of $starting failed; stopping it"
		"stop_$starting" || true
	fi
}

cmd_start() {
	local name
	local -A began_at=()
	mkdir -p "$state"
	trap on_start_exit EXIT
	# Neo4j boots slowest, so it is launched first and awaited last.
	for name in neo4j postgres redis etcd; do
		wanted "$name" || continue
		if [[ -d $state/$name ]] && "${name}_up"; then
			log "$name already running on port $(read_state "$name" port)"
			continue
		fi
		starting=$name
		"stop_$name" # clear what a dead earlier run left behind
		mkdir -p "$state/$name"
		began_at[$name]=$(now_ms)
		if [[ $name == neo4j ]]; then
			launch_neo4j
			log "neo4j launched on port $(read_state neo4j port)"
		else
			log "starting $name"
			"start_$name"
			log "$name ready on port $(read_state "$name" port) in $(($(now_ms) - began_at[$name])) ms"
		fi
	done
	if [[ -n ${began_at[neo4j]:-} ]]; then
		starting=neo4j
		await_neo4j
		log "neo4j ready on port $(read_state neo4j port) in $(($(now_ms) - began_at[neo4j])) ms"
	fi
	starting=
	cmd_env
}

# cmd_env prints the exports of every service whose recorded port still accepts
# connections (a cheap check; start does the real one).
cmd_env() {
	local name any=
	for name in "${all_services[@]}"; do
		[[ -f $state/$name/port ]] || continue
		if ! port_open "$(read_state "$name" port)"; then
			log "warning: $name is not listening any more (run: scripts/services.sh start $name)"
			continue
		fi
		"${name}_env"
		any=1
	done
	[[ -n $any ]] || log "no services running (state dir $state)"
}

cmd_stop() {
	local name
	for name in "${names[@]}"; do
		[[ -d $state/$name ]] || continue
		local began
		began=$(now_ms)
		"stop_$name"
		log "$name stopped in $(($(now_ms) - began)) ms"
	done
	# Remove the state dir once nothing is left in it.
	if [[ -d $state ]] && [[ -z $(ls -A "$state") ]]; then
		rmdir "$state"
	fi
}

main() {
	(($# > 0)) || usage
	local cmd=$1
	shift
	check_names "$@"
	# names: the services a command acts on; none given means all of them.
	names=("$@")
	((${#names[@]} > 0)) || names=("${all_services[@]}")
	case $cmd in
	start) cmd_start ;;
	stop) cmd_stop ;;
	env) cmd_env ;;
	*) usage ;;
	esac
}

main "$@"
