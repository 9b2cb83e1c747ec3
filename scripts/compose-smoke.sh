#!/usr/bin/env bash
# Runs the compose topology for real on this machine and checks it end to end:
# etcd, PostgreSQL, Redis, three Bunnybook nodes and nginx in containers on the
# host network (deploy/compose.local.yml), each on its own loopback port.
#
#   scripts/compose-smoke.sh
#
# It builds what it needs without an image registry (docs/operations.md,
# "Running a cluster"): a Debian base image made with debootstrap (once, kept
# as localbase/debian:bookworm), the server binary on the host, a node image
# from it and one image with Debian's postgresql, redis, etcd and nginx. It
# checks that deploy/nginx.conf parses, waits for /readyz through the load
# balancer, registers and logs in a user through it, opens a websocket
# through it, stops one node and times its drain, and then tears everything
# down (`down -v`) and stops the Docker daemon if it started one.
#
# For operators and manual verification, not CI: a first run takes minutes
# (debootstrap, apt inside the image build), later ones about 20 s.
#
# Needs root (apt-get, dockerd, debootstrap) unless Docker and the base image
# are already there. Environment knobs:
#   BUNNYBOOK_SMOKE_DIR     state dir (default <repo>/.cache/compose-smoke)
#   BUNNYBOOK_SMOKE_KEEP=1  leave the containers running at the end (and the daemon)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state=${BUNNYBOOK_SMOKE_DIR:-$repo/.cache/compose-smoke}
compose_file=$repo/deploy/compose.local.yml
base_image=localbase/debian:bookworm
project=bunnybook-smoke

log_name=compose-smoke
# shellcheck source=scripts/lib.sh
. "$repo/scripts/lib.sh"

# ---------------------------------------------------------------------------
# tools

# compose runs Compose v2 (`docker compose`) when the CLI has it, else v1.
compose() {
	if docker compose version >/dev/null 2>&1; then
		docker compose -p "$project" -f "$compose_file" "$@"
	else
		docker-compose -p "$project" -f "$compose_file" "$@"
	fi
}

ensure_tools() {
	command -v docker >/dev/null && command -v dockerd >/dev/null || apt_install docker.io
	docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null || apt_install docker-compose
	command -v curl >/dev/null || apt_install curl
	command -v go >/dev/null || die "go is missing (Go 1.26, see README)"
}

# start_dockerd starts a daemon when none answers, with the flags this machine
# needs (no bridge, no iptables: containers use the host network only), and
# remembers its pid so the teardown stops it.
dockerd_pid=
start_dockerd() {
	docker info >/dev/null 2>&1 && return 0
	((EUID == 0)) || die "no Docker daemon answers and only root can start one"
	log "starting dockerd (--bridge=none --iptables=false)"
	dockerd --bridge=none --iptables=false --ip-masq=false >"$state/dockerd.log" 2>&1 &
	dockerd_pid=$!
	local deadline=$((SECONDS + 60))
	until docker info >/dev/null 2>&1; do
		kill -0 "$dockerd_pid" 2>/dev/null || {
			tail -n 30 "$state/dockerd.log" >&2
			die "dockerd exited"
		}
		((SECONDS < deadline)) || die "dockerd did not answer within 60s (see $state/dockerd.log)"
		sleep 0.5
	done
}

stop_dockerd() {
	[[ -n $dockerd_pid ]] || return 0
	log "stopping the dockerd this script started (pid $dockerd_pid)"
	kill -TERM "$dockerd_pid" 2>/dev/null || true
	local deadline=$((SECONDS + 30))
	while kill -0 "$dockerd_pid" 2>/dev/null; do
		if ((SECONDS >= deadline)); then
			kill -KILL "$dockerd_pid" 2>/dev/null || true
			break
		fi
		sleep 0.2
	done
	wait "$dockerd_pid" 2>/dev/null || true
}

# ---------------------------------------------------------------------------
# images

# ensure_base_image makes the Debian base with debootstrap from apt's own
# mirror when it is not there yet (~30 s, once).
ensure_base_image() {
	docker image inspect "$base_image" >/dev/null 2>&1 && return 0
	command -v debootstrap >/dev/null || apt_install debootstrap
	local mirror rootfs=$state/rootfs
	mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
	mirror=${mirror:-http://deb.debian.org/debian}
	log "making $base_image with debootstrap from $mirror"
	rm -rf "$rootfs"
	debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$state/debootstrap.log" 2>&1 || {
		tail -n 30 "$state/debootstrap.log" >&2
		die "debootstrap failed"
	}
	tar -C "$rootfs" -c . | docker import - "$base_image" >/dev/null
	rm -rf "$rootfs"
}

build_images() {
	local began
	began=$(now_ms)
	mkdir -p "$state/node-image"
	(cd "$repo" && CGO_ENABLED=0 go build -trimpath -o "$state/node-image/bunnybook" ./cmd/bunnybook)
	log "built the server binary in $(($(now_ms) - began)) ms"
	began=$(now_ms)
	docker build -q --network host -t bunnybook-local/node -f "$repo/deploy/local/node.Dockerfile" \
		"$state/node-image" >/dev/null 2>"$state/build-node.log" || {
		cat "$state/build-node.log" >&2
		die "building the node image failed"
	}
	docker build -q --network host -t bunnybook-local/services -f "$repo/deploy/local/services.Dockerfile" \
		"$repo/deploy/local" >/dev/null 2>"$state/build-services.log" || {
		cat "$state/build-services.log" >&2
		die "building the services image failed"
	}
	log "built the images in $(($(now_ms) - began)) ms"
}

# ---------------------------------------------------------------------------
# ports and the load balancer's config

pick_ports() {
	local name
	for name in ETCD ETCD_PEER PG REDIS LB NODE1 NODE2 NODE3 CLUSTER1 CLUSTER2 CLUSTER3; do
		pick_port
		export "SMOKE_${name}_PORT=$port"
	done
	export SMOKE_DIR=$state
}

# write_nginx_conf runs deploy/nginx.conf itself: on loopback, with the
# backend variable naming a static upstream of the three nodes (nginx looks a
# proxy_pass name up among upstream groups before asking the resolver, and
# there is no Docker DNS on the host network).
write_nginx_conf() {
	local dir=$state/nginx i
	mkdir -p "$dir"
	{
		echo "upstream smoke_nodes {"
		for i in 1 2 3; do
			local var=SMOKE_NODE${i}_PORT
			echo "    server 127.0.0.1:${!var};"
		done
		echo "}"
		sed -e "s/^\( *\)listen 80;/\1listen 127.0.0.1:$SMOKE_LB_PORT;/" \
			-e 's/^\( *\)set \$bunnybook node:8080;/\1set $bunnybook smoke_nodes;/' \
			"$repo/deploy/nginx.conf"
	} >"$dir/site.conf"
	grep -q "listen 127.0.0.1:$SMOKE_LB_PORT;" "$dir/site.conf" && grep -q 'set $bunnybook smoke_nodes;' "$dir/site.conf" ||
		die "deploy/nginx.conf no longer has 'listen 80;' and 'set \$bunnybook node:8080;' for this script to rewrite"
	main_conf "include /smoke/site.conf;" >"$dir/nginx-main.conf"
	# The file as compose mounts it, only parsed (nginx -t resolves nothing
	# from a variable).
	cp "$repo/deploy/nginx.conf" "$dir/as-deployed.conf"
	main_conf "include /smoke/as-deployed.conf;" >"$dir/check.conf"
}

main_conf() {
	cat <<-EOF
		worker_processes 1;
		pid /tmp/nginx-smoke.pid;
		error_log stderr warn;
		events { worker_connections 1024; }
		http {
		    include /etc/nginx/mime.types;
		    access_log /dev/stdout;
		    client_body_temp_path /tmp/nginx-body;
		    proxy_temp_path /tmp/nginx-proxy;
		    $1
		}
	EOF
}

check_nginx_conf() {
	docker run --rm --network host -v "$state/nginx:/smoke:ro" bunnybook-local/services \
		nginx -t -q -c /smoke/check.conf || die "deploy/nginx.conf does not parse (nginx -t)"
	log "deploy/nginx.conf parses (nginx -t, Debian's nginx $(docker run --rm bunnybook-local/services nginx -v 2>&1 | sed 's/.*nginx\///'))"
}

# ---------------------------------------------------------------------------
# checks

lb() { echo "http://127.0.0.1:$SMOKE_LB_PORT"; }

wait_ready() {
	local deadline=$((SECONDS + 180)) code
	until code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$(lb)/readyz") && [[ $code == 200 ]]; do
		((SECONDS < deadline)) || {
			compose ps >&2 || true
			compose logs --tail 40 >&2 || true
			die "/readyz through the load balancer did not answer 200 within 180s (last: $code)"
		}
		sleep 1
	done
}

# check_user registers and logs in a user through the load balancer and opens
# a websocket with its token (101 Switching Protocols through nginx).
check_user() {
	local name email body token code
	name=smoke$RANDOM$RANDOM
	email=$name@example.com
	code=$(curl -s -o "$state/register.json" -w '%{http_code}' -H 'Content-Type: application/json' \
		-d "{\"username\":\"$name\",\"email\":\"$email\",\"password\":\"password1\"}" "$(lb)/web/register")
	[[ $code == 201 ]] || die "register through the load balancer: HTTP $code $(cat "$state/register.json")"
	log "registered $name through the load balancer"
	body=$(curl -s -H 'Content-Type: application/json' \
		-d "{\"email\":\"$email\",\"password\":\"password1\"}" "$(lb)/web/login")
	token=$(sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p' <<<"$body")
	[[ -n $token ]] || die "login through the load balancer gave no accessToken: $body"
	# curl prints the status of the upgrade, then holds the socket until
	# --max-time (exit 28): only the status matters.
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --http1.1 \
		-H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \
		-H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' -H "Authorization: Bearer $token" \
		"$(lb)/ws" || true)
	[[ $code == 101 ]] || die "websocket upgrade through the load balancer: HTTP $code, want 101"
	log "logged in and upgraded a websocket through the load balancer"
}

# check_drain stops node1 (SIGTERM, compose's grace period) and times it,
# while the load balancer keeps answering from the other two.
check_drain() {
	local began code
	began=$(now_ms)
	compose stop node1 >/dev/null 2>&1
	log "node1 stopped (drained) in $(($(now_ms) - began)) ms"
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$(lb)/readyz")
	[[ $code == 200 ]] || die "/readyz through the load balancer with node1 stopped: HTTP $code"
	log "the load balancer still answers 200 with node1 stopped"
}

# ---------------------------------------------------------------------------

teardown() {
	local rc=$?
	if [[ -n ${SMOKE_LB_PORT:-} ]] && [[ ${BUNNYBOOK_SMOKE_KEEP:-} != 1 ]]; then
		if ((rc != 0)); then
			compose logs --tail 30 >"$state/compose.log" 2>&1 || true
			log "container logs: $state/compose.log"
		fi
		compose down -v --timeout 20 >/dev/null 2>&1 || log "warning: compose down failed"
	fi
	[[ ${BUNNYBOOK_SMOKE_KEEP:-} == 1 ]] || stop_dockerd
	if ((rc == 0)); then log "ok"; else log "FAILED"; fi
}

main() {
	local began
	began=$(now_ms)
	mkdir -p "$state"
	ensure_tools
	trap teardown EXIT
	start_dockerd
	ensure_base_image
	build_images
	pick_ports
	write_nginx_conf
	check_nginx_conf
	log "starting etcd, postgres, redis, three nodes and nginx (lb on 127.0.0.1:$SMOKE_LB_PORT)"
	compose up -d >"$state/up.log" 2>&1 || {
		cat "$state/up.log" >&2
		die "compose up failed"
	}
	wait_ready
	log "ready through the load balancer $(($(now_ms) - began)) ms after the start"
	check_user
	check_drain
	if [[ ${BUNNYBOOK_SMOKE_KEEP:-} == 1 ]]; then
		log "kept running: lb $(lb); stop with: docker-compose -p $project -f $compose_file down -v"
	fi
}

main "$@"
