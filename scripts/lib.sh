# Helpers shared by scripts/services.sh, scripts/cluster.sh and
# scripts/compose-smoke.sh; sourced, not run. The caller sets log_name
# (the prefix of its messages) before sourcing.

log() { printf '%s: %s\n' "$log_name" "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# now_ms prints a millisecond clock, for timings.
now_ms() { date +%s%3N; }

# usage prints the caller's header comment (up to `set -euo`) and exits 2.
usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}

# port_open PORT succeeds when something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pick_port sets $port to a loopback port nobody listens on. Ports come from
# 20000-29999, below Linux's ephemeral range (32768+), so outgoing connections
# do not take them; ports picked earlier in this run are skipped because their
# server may not be listening yet.
picked_ports=" "
pick_port() {
	local try
	for try in $(seq 1 200); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 10000))
		[[ $picked_ports == *" $port "* ]] && continue
		if ! port_open "$port"; then
			picked_ports+="$port "
			return 0
		fi
	done
	die "no free loopback port found after $try tries"
}

# running PID succeeds while process PID exists (stopped counts) and is not a
# zombie (a server we detached is reaped by init a moment after it exits).
running() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != Z ]]
}

# pid_matches PID WORD succeeds when process PID is running and its command
# line contains WORD (guards against a pid reused by an unrelated process).
pid_matches() {
	[[ -n $1 ]] && running "$1" && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# wait_gone PID SECONDS polls until process PID has exited; it fails if
# PID still runs after SECONDS.
wait_gone() {
	local deadline=$((SECONDS + $2))
	while running "$1"; do
		((SECONDS < deadline)) || return 1
		sleep 0.05
	done
}

# apt_install PACKAGE... installs Debian packages (the machines run as root).
apt_updated=
apt_install() {
	((EUID == 0)) || die "$* missing; install it (apt-get install $*) or run as root"
	log "installing $* with apt-get"
	if [[ -z $apt_updated ]]; then
		apt-get update -qq >&2
		apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}
