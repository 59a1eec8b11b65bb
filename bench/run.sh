#!/usr/bin/env bash
# syndic's benchmark, from a clean clone: installs what it needs, builds syndic (unless
# SYNDIC_BIN names a binary), then runs bench/bench.py with the given options.
#
#   bench/run.sh                          # everything, N = 1,000,000 (takes a while)
#   bench/run.sh --quick                  # short runs, N = 100,000
#   bench/run.sh --only feed,growth --articles 200000 --keep
#   SYNDIC_BIN=/path/to/syndic bench/run.sh --quick
#
# The report is printed and written to bench/results/latest.md. See bench/README.md.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# System packages: nginx (reference server), wrk (load), PostgreSQL client, Node.js.
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
[ -x /usr/bin/time ] || missing+=(time)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "run.sh: installing ${missing[*]}"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
export PATH="$PATH:/usr/sbin"

# PostgreSQL at 127.0.0.1:5432 (as .ci/run starts it).
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
    for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

# The npm `sitemap` package, pinned by bench/node/package-lock.json.
if [ ! -d "$BENCH/node/node_modules/sitemap" ]; then
    (cd "$BENCH/node" && npm ci --no-audit --no-fund --loglevel=error)
fi

# syndic itself.
if [ -z "${SYNDIC_BIN:-}" ]; then
    (cd "$ROOT" && cargo build --release)
    SYNDIC_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/syndic"
fi
export SYNDIC_BIN

exec python3 "$BENCH/bench.py" "$@"
