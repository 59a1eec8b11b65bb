#!/usr/bin/env bash
# Runs both fuzz targets (cargo-fuzz, nightly toolchain) for SECONDS each (default 600),
# seeded from tests/corpus (feeds) and examples/demo.json (push bodies).
# usage: fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
corpus=${SYNDIC_CORPUS:-../tests/corpus}

mkdir -p corpus/feed_ingest corpus/push_json
find "$corpus/feeds" -type f \( -name '*.xml' -o -name '*.json' -o -name '*.rss' -o -name '*.atom' \) -size -1M \
    -exec cp -n {} corpus/feed_ingest/ \; 2>/dev/null || true
python3 - <<'PY'
import json, os
demo = json.load(open("../examples/demo.json"))
for i, article in enumerate(demo["articles"]):
    article.pop("outlet", None)
    with open(f"corpus/push_json/demo-{i}.json", "w") as f:
        json.dump(article, f, ensure_ascii=False)
PY
for target in feed_ingest push_json; do
    echo "== $target for ${seconds}s"
    cargo +nightly fuzz run "$target" "$PWD/corpus/$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=1048576
done
