"""mixed: reads under writes. wrk reads a site feed and a column feed (plain and gzip,
in turn, one Lua script) while a driver pushes and corrects articles at 0, 5, 20 and
50 per second, on SQLite and on PostgreSQL.

Pinned as the feed section is: syndic (one Tokio worker, default freshness contract:
superseded documents served up to 500 ms while their successor renders) on the server
CPU; wrk and the push driver on the client CPU. The driver keeps a fixed schedule (push
k at k / rate s), alternating a new article with a correction of the last one (same
URL, new title), on one keep-alive connection, and times each push to its answer.
Figures per rate are medians of `--runs` runs: feed req/s as a ratio of the no-write
figure, wrk's p99, push p50 and p99 (the reference: the same pushes with no reads), and
the render cache's misses and renders per push (from /metrics).
"""

import os
import threading
import time

from harness import content
from harness.context import median, percentile
from harness.procs import CLIENT_CPU, BenchError
from harness.report import Row, ratio_at_least, ratio_at_most, value_at_most
from harness.web import Client, expect, run_wrk

TITLE = "feeds under writes: wrk on feeds while articles are pushed and corrected"
RATES = (0, 5, 20, 50)
ARTICLES = 50
COLUMN = "mixed"
SITE_FEED, COLUMN_FEED = "/rss.xml", f"/columns/{COLUMN}/rss.xml"
CONNECTIONS = 64
ALONE_SECONDS = 5

LUA = """\
local requests = {}
local i = 0
init = function(args)
  requests[1] = wrk.format("GET", "%(site)s")
  requests[2] = wrk.format("GET", "%(site)s", {["Accept-Encoding"] = "gzip"})
  requests[3] = wrk.format("GET", "%(column)s")
  requests[4] = wrk.format("GET", "%(column)s", {["Accept-Encoding"] = "gzip"})
end
request = function()
  i = i %% #requests + 1
  return requests[i]
end
"""


class Driver(threading.Thread):
    """Pushes at `rate` per second until stopped: a new article, then a correction of it."""

    def __init__(self, server, token, rate, first):
        super().__init__(daemon=True)
        self.server, self.token, self.rate, self.next = server, token, rate, first
        self.stop_at = threading.Event()
        self.latencies, self.error = [], None

    def run(self):
        os.sched_setaffinity(0, {CLIENT_CPU})  # this thread only
        client = Client(self.server.base)
        headers = {"Authorization": f"Bearer {self.token}"}
        start = time.perf_counter()
        k = 0
        try:
            while not self.stop_at.is_set():
                wait = start + k / self.rate - time.perf_counter()
                if wait > 0 and self.stop_at.wait(wait):
                    break
                article = content.push_article(self.next, COLUMN, size_range=(3000, 5000))
                if k % 2 == 1:
                    article["title"] += " (更正)"
                else:
                    self.next += 1
                began = time.perf_counter()
                resp = client.request("POST", "/api/v1/articles", article, headers=headers)
                self.latencies.append((time.perf_counter() - began) * 1e3)
                if resp.status not in (200, 201):
                    raise BenchError(f"push answered {resp.status}: {resp.body[:300]!r}")
                k += 1
        except Exception as e:  # reported by the caller
            self.error = e
        finally:
            client.close()

    def finish(self):
        self.stop_at.set()
        self.join()
        if self.error:
            raise BenchError(f"push driver: {self.error}")
        return self.latencies


def counters(server):
    samples = server.metrics()
    return (samples.get("syndic_render_cache_misses_total", 0), samples.get("syndic_render_cache_renders_total", 0))


def measure(ctx, server, token, rate, script, first):
    """One run at `rate`: wrk's (req/s, p99 ms), push latencies (ms), misses and renders per push."""
    before = counters(server)
    driver = Driver(server, token, rate, first) if rate else None
    if driver:
        driver.start()
    try:
        result = run_wrk(server.base + SITE_FEED, duration=ctx.wrk_seconds, connections=CONNECTIONS,
                         script=script, latency=True)
    finally:
        latencies = driver.finish() if driver else []
    after = counters(server)
    pushes = len(latencies)
    per_push = [(b - a) / pushes if pushes else None for a, b in zip(before, after)]
    return result.rps, result.p99_ms, latencies, per_push, (driver.next if driver else first)


def pushes_alone(server, token, first):
    """Push latencies (ms) at 20/s with no reads: the reference."""
    driver = Driver(server, token, 20, first)
    driver.start()
    time.sleep(ALONE_SECONDS)
    return driver.finish(), driver.next


def run_backend(ctx, backend, script):
    db = ctx.dbs.fresh(backend, f"mixed_{backend}")
    server = ctx.syndic.serve(db.url, f"syndic-mixed-{backend}")
    server.add_column(COLUMN, "混合负载 mixed")
    token = server.add_outlet(COLUMN)
    for n in range(ARTICLES):
        server.push(token, content.push_article(n, COLUMN, size_range=(3000, 5000)))
    for path in (SITE_FEED, COLUMN_FEED):
        expect(server.get(path), 200, f"GET {path}")
    alone, first = pushes_alone(server, token, ARTICLES)
    server.client.close()
    figures = {}
    for rate in RATES:
        runs = []
        for _ in range(ctx.args.runs):
            rps, p99, latencies, per_push, first = measure(ctx, server, token, rate, script, first)
            runs.append((rps, p99, latencies, per_push))
        figures[rate] = runs
        ctx.log(f"{db.backend} at {rate}/s: " + "; ".join(
            f"{r:,.0f} req/s p99 {p:.1f} ms, {len(l)} pushes" for r, p, l, _ in runs))
    server.stop()
    report(ctx, db.backend, figures, alone)


def report(ctx, backend, figures, alone):
    rps0 = median(r for r, _, _, _ in figures[0])
    p99_0 = median(p for _, p, _, _ in figures[0])
    alone_p50, alone_p99 = percentile(alone, 50), percentile(alone, 99)
    ctx.report.add(Row(f"{backend}: feed throughput, no writes", "req/s", rps0))
    ctx.report.add(Row(f"{backend}: feed p99, no writes", "ms", p99_0))
    for rate in RATES[1:]:
        runs = figures[rate]
        peak = rate == RATES[-1]
        rps = median(r for r, _, _, _ in runs)
        p99 = median(p for _, p, _, _ in runs)
        latencies = [ms for _, _, l, _ in runs for ms in l]
        misses = median(m for _, _, _, (m, _) in runs)
        renders = median(r for _, _, _, (_, r) in runs)
        ctx.report.add(Row(f"{backend}: feed throughput at {rate} pushes/s", "req/s", rps, rps0, "no writes",
                           ratio_at_least(0.8) if peak else None))
        ctx.report.add(Row(f"{backend}: feed p99 at {rate} pushes/s", "ms", p99, p99_0, "no writes",
                           ratio_at_most(2.0) if peak else None))
        ctx.report.add(Row(f"{backend}: push p50 at {rate}/s under reads", "ms", percentile(latencies, 50),
                           alone_p50, "no reads"))
        ctx.report.add(Row(f"{backend}: push p99 at {rate}/s under reads", "ms", percentile(latencies, 99),
                           alone_p99, "no reads", value_at_most(50, "ms") if peak else None))
        ctx.report.add(Row(f"{backend}: render-cache misses per push at {rate}/s", "", misses,
                           note=f"{renders:.2f} renders per push"))


def run(ctx):
    script = os.path.join(ctx.workdir, "mixed.lua")
    with open(script, "w") as f:
        f.write(LUA % {"site": SITE_FEED, "column": COLUMN_FEED})
    for backend in ("sqlite", "postgres"):
        run_backend(ctx, backend, script)
