#!/usr/bin/env bash
# The API does what its description says: schemathesis generates requests from
# /api/openapi.json (examples, coverage, fuzzing and stateful sequences, every check) against a
# running syndic with the demo content — once with the admin token, once with an outlet's
# ingest token — and fails on any failure it finds.
#
# Usage: scripts/api-conformance.sh BINARY [SECONDS_PER_RUN [DATABASE_URL]]
set -euo pipefail

binary=$(realpath "$1")
seconds=${2:-60}
database_url=${3:-}
workdir=$(mktemp -d)
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$workdir"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
admin_token=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
base="http://127.0.0.1:$port"
(
    cd "$workdir"
    export SYNDIC_ADMIN_TOKEN=$admin_token RUST_LOG=warn
    [ -n "$database_url" ] && export SYNDIC_DATABASE_URL=$database_url
    exec "$binary" serve --demo --listen "127.0.0.1:$port" >"$workdir/stdout" 2>"$workdir/stderr"
) &
server=$!
for _ in $(seq 100); do
    curl -sf "$base/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -sf "$base/healthz" >/dev/null || { echo "syndic did not start:"; cat "$workdir/stderr"; exit 1; }
outlet_token=$(grep -o 'ingest token of outlet cjrb: syo_[0-9a-f]*' "$workdir/stdout" | sed 's/.*: //')

status=0
for token in "$admin_token" "$outlet_token"; do
    schemathesis --no-color run "$base/api/openapi.json" --url "$base" --checks all \
        --header "Authorization: Bearer $token" --max-time "$seconds" --workers 1 \
        --seed 13 --report-dir "$workdir/report" || status=1
done
exit $status
