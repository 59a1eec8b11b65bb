"""ingest: storing articles, pushed in batches, one by one, and polled from feeds.

Each measurement starts a fresh database and `syndic serve` with its default runtime,
free on both cores: ingest is a whole-machine figure (sanitising runs on a thread per
core), not a core-for-core comparison. The client is this harness on one keep-alive
connection, with request bodies encoded before the clock starts. Articles carry 1–5 KB bodies with work for the sanitiser
(`<script>`, `onclick`, `javascript:` links, hidden spam).

- batch: `POST /api/v1/articles/batch`, 1,000 articles a request; articles/s = total /
  wall time, the median of `--runs` runs (each into a fresh database): the figure
  follows the disk's fsync latency, which moves from minute to minute. Reference: the first 1,000 of the same articles pushed one by one
  (`POST /api/v1/articles`) into another fresh database.
- polling: nginx serves 50 RSS 2.0 files of 200 items; 50 sources (interval 60 s) are
  added and the stored articles counted in the database every 100 ms until all 10,000
  are there; articles/s from adding the first source.

Before each backend, the writes earlier sections left pending are flushed (`sync`, a
PostgreSQL CHECKPOINT after the generated 1M-article database), so that they do not
slow the measured fsyncs.
"""

import json
import os
import time

from harness import content
from harness.context import median
from harness.databases import settle_writes
from harness.procs import BenchError, MissingFeature
from harness.report import Row, value_at_least
from harness.servers import Nginx

TITLE = "batch push vs one-by-one push; polling 50 feeds of 200 items"
BATCH = 1_000
SINGLE = 1_000
FEEDS, ITEMS = 50, 200
TARGETS = {"sqlite": 5_000, "postgres": 3_000}
STALL_SECONDS = 60


def start(ctx, backend, purpose, **serve_options):
    """A fresh database and server with column `news` and outlet `cjrb`: (db, server, token)."""
    db = ctx.dbs.fresh(backend, f"{purpose}_{backend}")
    server = ctx.syndic.serve(db.url, f"syndic-{purpose}-{backend}", one_worker=False, **serve_options)
    server.add_column("news", "新闻 news")
    return db, server, server.add_outlet("cjrb")


def rate(count, seconds):
    return count / seconds if seconds > 0 else float("inf")


def push_one_by_one(ctx, backend, articles):
    db, server, token = start(ctx, backend, "single")
    try:
        began = time.perf_counter()
        for article in articles:
            server.push(token, article)
        return rate(len(articles), time.perf_counter() - began)
    finally:
        server.stop()


def push_batches(ctx, backend, articles):
    bodies = [json.dumps({"articles": articles[i:i + BATCH]}, ensure_ascii=False).encode()
              for i in range(0, len(articles), BATCH)]
    db, server, token = start(ctx, backend, "batch")
    try:
        totals = {}
        began = time.perf_counter()
        for body in bodies:
            answer = server.push_batch(token, body)
            for key in ("created", "updated", "unchanged", "invalid", "quarantined"):
                totals[key] = totals.get(key, 0) + answer.get(key, 0)
        seconds = time.perf_counter() - began
    finally:
        server.stop()
    stored = totals.get("created", 0) + totals.get("quarantined", 0)
    if stored != len(articles):
        raise BenchError(f"batch push stored {stored} of {len(articles)} articles: {totals}")
    ctx.log(f"{backend} batch: {totals}")
    return rate(len(articles), seconds)


def write_feeds(root):
    """FEEDS RSS files of ITEMS items each under root/feeds/."""
    os.makedirs(os.path.join(root, "feeds"), exist_ok=True)
    for k in range(FEEDS):
        document = content.rss_document(f"f{k}.xml", f"https://www.cjxww.cn/rss{k}", k * ITEMS, ITEMS)
        with open(os.path.join(root, "feeds", f"f{k}.xml"), "w", encoding="utf-8") as f:
            f.write(document)


def wait_for_articles(db, server, expected):
    """Counts stored articles every 100 ms until `expected`; fails when none arrive for a minute."""
    count, last_change = 0, time.monotonic()
    while count < expected:
        time.sleep(0.1)
        now_count = db.count_articles()
        if now_count != count:
            count, last_change = now_count, time.monotonic()
        elif time.monotonic() - last_change > STALL_SECONDS:
            sources = server.request("GET", "/api/v1/sources", status=200).body.decode()[:1500]
            raise BenchError(f"polling stalled at {count} of {expected} articles; sources: {sources}")
        if server.proc.poll() is not None:
            raise BenchError(f"syndic exited ({server.proc.returncode}) while polling")
    return count


def poll_feeds(ctx, backend, nginx):
    db, server, _ = start(ctx, backend, "poll", fetch_allow=True)
    try:
        began = time.perf_counter()
        for k in range(FEEDS):
            server.add_source("cjrb", f"{nginx.base}/feeds/f{k}.xml", ["news"], 60)
        wait_for_articles(db, server, FEEDS * ITEMS)
        return rate(FEEDS * ITEMS, time.perf_counter() - began)
    finally:
        server.stop()


def run(ctx):
    total = 5_000 if ctx.quick else 20_000
    articles = [content.push_article(n, "news", dirty=True) for n in range(total)]
    root = ctx.subdir("ingest-root")
    write_feeds(root)
    nginx = Nginx(ctx.procs, ctx.workdir, root, name="nginx-ingest")
    missing = []
    for backend in ("sqlite", "postgres"):
        settle_writes()
        single = push_one_by_one(ctx, backend, articles[:SINGLE])
        ctx.report.note(f"{backend}: {SINGLE:,} articles pushed one by one at {single:,.0f} articles/s")
        try:
            runs = [push_batches(ctx, backend, articles) for _ in range(max(1, ctx.args.runs))]
            ctx.log(f"{backend} batch runs: {', '.join(f'{r:,.0f}' for r in runs)} articles/s")
            batch = median(runs)
            ctx.report.add(Row(f"{backend}: batch push of {total:,}", "articles/s", batch, single, "one by one",
                               value_at_least(TARGETS[backend], "articles/s")))
        except MissingFeature as e:
            missing.append(str(e))
        polled = poll_feeds(ctx, backend, nginx)
        ctx.report.add(Row(f"{backend}: polling {FEEDS} feeds × {ITEMS} items", "articles/s", polled, single,
                           "one by one"))
    nginx.stop()
    if missing:
        raise BenchError("; ".join(sorted(set(missing))))
