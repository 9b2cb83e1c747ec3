#!/usr/bin/env bash
# Runs Bunnybook's whole test suite against real services that it starts
# itself (see scripts/services.sh) and stops again on exit.
#
#   scripts/test.sh              # everything
#   scripts/test.sh -run Wall    # extra arguments go to `go test`
set -euo pipefail
cd "$(dirname "$0")/.."

# A private services dir per run, so a developer's own services (and other
# runs) are left alone.
BUNNYBOOK_SERVICES_DIR=$(mktemp -d -t bunnybook-services.XXXXXX)
export BUNNYBOOK_SERVICES_DIR
trap 'scripts/services.sh stop >&2 || true; rm -rf "$BUNNYBOOK_SERVICES_DIR"' EXIT

eval "$(scripts/services.sh start postgres redis neo4j etcd)"

echo "== go mod tidy -diff, go vet" >&2
go mod tidy -diff # fails (and shows the diff) when go.mod or go.sum is not tidy
go vet ./...
echo "== go test" >&2
# One package at a time: several start servers, clusters and load runs
# that would otherwise compete for the two cores and time out.
go test -count=1 -p 1 -timeout 20m ./... "$@"
echo "== web UI" >&2
scripts/ui-test.sh
