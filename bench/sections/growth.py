"""growth: does serving slow down as the database grows?

Generated SQLite databases of 10k, 100k and N articles in ten columns (so `c3` holds a
tenth); `syndic serve --render-cache-mb 0` (every request renders) with one Tokio worker
on the server CPU. Per path: 5 warm-up GETs, then 200 sequential GETs on one keep-alive
connection; median and p90 latency. The reference of each figure is the same figure on
the 10k database. The outlet `cjrb` holds every article: its pages are the largest
listing there is. syndic's peak RSS (VmHWM) is read after the requests. Each database's
search index is built before (`syndic search reindex`, not timed), so serving only
follows it, as a deployment's does.
"""

import os

from harness.context import median, percentile
from harness.procs import BenchError, peak_rss_mb
from harness.report import Row, ratio_at_most, value_at_most

TITLE = "feed and page latency at 10k, 100k and N articles (render cache off)"
PATHS = ["/columns/c3/rss.xml", "/columns/c3", "/columns/c3?page=50", "/outlets/cjrb", "/outlets/cjrb?page=50"]
WARMUP, REQUESTS = 5, 200


def latencies(server, path):
    """Milliseconds of REQUESTS sequential GETs, after WARMUP."""
    times = []
    for i in range(WARMUP + REQUESTS):
        seconds, resp = server.client.timed_get(path)
        if resp.status != 200:
            raise BenchError(f"GET {path}: HTTP {resp.status}: {resp.body[:300]!r}")
        if i == 0 and b"/articles/" not in resp.body:
            raise BenchError(f"GET {path} lists no article: the generated database lacks something syndic "
                             "reads (see bench/harness/dbgen.py)")
        if i >= WARMUP:
            times.append(seconds * 1000)
    return times


def measure_size(ctx, n):
    """{path: (median ms, p90 ms)} and peak RSS in MB on an n-article database."""
    db = ctx.dbs.generated_db("sqlite", n, ctx.log)
    if not os.path.isdir(db.path + ".search"):
        # As a deployment's is, the search index is built before serving (README
        # "Search"): one building in the background would be what is measured.
        ctx.syndic.run(db.url, "search", "reindex", timeout=3600)
    server = ctx.syndic.serve(db.url, f"syndic-growth-{n}", cache_mb=0)
    try:
        figures = {}
        for path in PATHS:
            times = latencies(server, path)
            figures[path] = (median(times), percentile(times, 90))
            ctx.log(f"{n:,} articles, {path}: median {figures[path][0]:.2f} ms, p90 {figures[path][1]:.2f} ms")
        return figures, peak_rss_mb(server.proc.pid)
    finally:
        server.stop()


def run(ctx):
    sizes = sorted({n for n in (10_000, 100_000) if n < ctx.articles} | {ctx.articles})
    if len(sizes) < 2:
        raise BenchError("growth compares with 10,000 articles: give --articles above 10,000")
    small, large = sizes[0], sizes[-1]
    results = {n: measure_size(ctx, n) for n in sizes}
    ref_label = f"{small // 1000}k"
    for path in PATHS:
        for stat, name in ((0, "median"), (1, "p90")):
            ctx.report.add(Row(f"{path} {name} at {large:,}", "ms", results[large][0][path][stat],
                               results[small][0][path][stat], ref_label, ratio_at_most(1.5)))
    for n in sizes[1:-1]:
        ctx.report.note(f"at {n:,}: " + ", ".join(f"{p} median {results[n][0][p][0]:.2f} ms" for p in PATHS))
    ctx.report.add(Row(f"syndic peak RSS at {large:,}", "MB", results[large][1], results[small][1], ref_label,
                       value_at_most(150, "MB")))
