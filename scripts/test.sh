#!/usr/bin/env bash
# The test command (README): unit and integration tests on SQLite — and on PostgreSQL
# when SYNDIC_TEST_POSTGRES_URL is set — then the interop check, in which feedparser,
# newsboat, jing and xmllint read what a running syndic publishes, the browser test, in
# which Debian's chromium (driven by playwright) works the console as an editor would, and
# the API conformance check, in which schemathesis holds the API to its OpenAPI description. Installs those tools when
# they are missing and this is a Debian machine we may install on.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMAS=${SYNDIC_SCHEMAS:-tests/schemas}

ensure_tools() {
    local packages=()
    command -v xmllint >/dev/null || packages+=(libxml2-utils)
    command -v jing >/dev/null || packages+=(jing)
    command -v newsboat >/dev/null || packages+=(newsboat)
    command -v chromium >/dev/null || packages+=(chromium chromium-driver)
    if [ ${#packages[@]} -gt 0 ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            echo "installing ${packages[*]}"
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
        else
            echo "missing ${packages[*]}: install them (Debian: apt-get install ${packages[*]})" >&2
            exit 1
        fi
    fi
    python3 -c 'import feedparser' 2>/dev/null || python3 -m pip install -q 'feedparser==6.0.14'
    command -v schemathesis >/dev/null || python3 -m pip install -q 'schemathesis==4.32.5'
    # The browser test drives Debian's chromium with playwright; it never downloads a browser.
    python3 -c 'import playwright' 2>/dev/null || python3 -m pip install -q 'playwright==1.65.3'
}

ensure_tools
if [ ! -f "$SCHEMAS/atom.rnc" ]; then
    echo "schemas not found at $SCHEMAS (set SYNDIC_SCHEMAS)" >&2
    exit 1
fi

if [ -n "${SYNDIC_TEST_POSTGRES_URL:-}" ]; then
    echo "== PostgreSQL: $SYNDIC_TEST_POSTGRES_URL"
else
    echo "!! SKIPPING PostgreSQL variants: SYNDIC_TEST_POSTGRES_URL is not set"
fi

cargo build --locked
cargo test --locked

echo "== interop on SQLite"
python3 tests/interop/check.py --binary target/debug/syndic --schemas "$SCHEMAS"

echo "== the console in a browser on SQLite (chromium)"
python3 tests/browser/console.py --binary target/debug/syndic

echo "== API conformance (schemathesis, ${SYNDIC_CONFORMANCE_SECONDS:-60} s per token kind)"
scripts/api-conformance.sh target/debug/syndic "${SYNDIC_CONFORMANCE_SECONDS:-60}"

if [ -n "${SYNDIC_TEST_POSTGRES_URL:-}" ]; then
    echo "== interop on PostgreSQL"
    database="syndic_interop_$$"
    psql "$SYNDIC_TEST_POSTGRES_URL" -q -c "CREATE DATABASE $database"
    trap 'psql "$SYNDIC_TEST_POSTGRES_URL" -q -c "DROP DATABASE IF EXISTS $database WITH (FORCE)"' EXIT
    database_url=$(python3 -c 'import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p._replace(path="/" + sys.argv[2]).geturl())' \
        "$SYNDIC_TEST_POSTGRES_URL" "$database")
    python3 tests/interop/check.py --binary target/debug/syndic --schemas "$SCHEMAS" --database-url "$database_url"
    echo "== the console in a browser on PostgreSQL (chromium)"
    psql "$SYNDIC_TEST_POSTGRES_URL" -q -c "DROP DATABASE $database WITH (FORCE)" -c "CREATE DATABASE $database"
    python3 tests/browser/console.py --binary target/debug/syndic --database-url "$database_url"
fi
