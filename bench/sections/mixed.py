"""mixed: reads under writes. wrk reads a site feed and a column feed (plain and gzip,
in turn, one Lua script) while a driver pushes and corrects articles at 0, 5, 20 and
50 per second, on SQLite and on PostgreSQL.

Pinned as the feed section is: syndic (one Tokio worker, default freshness contract:
superseded documents served up to 500 ms while their successor renders) on the server
CPU; wrk and the push driver on the client CPU. The driver keeps a fixed schedule (push
k at k / rate s), alternating a new article with a correction of the last one (same
URL, new title; bodies made before the run), on one keep-alive connection, and times
each push to its answer. Rates alternate run by run; figures per rate are medians of
`--runs` runs: feed req/s as a ratio of the no-write figure, wrk's p99, the server's CPU
per feed request (pushes and renders included), push p50 and p99 (the reference: the
same pushes with no reads), and the render cache's misses and renders per push.
"""

import json
import os
import threading
import time
from dataclasses import dataclass

from harness import content
from harness.context import median, percentile
from harness.procs import CLIENT_CPU, BenchError, cpu_seconds
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


@dataclass
class Run:
    rps: float
    p99: float
    cpu: float
    latencies: list
    per_push: list


class Driver(threading.Thread):
    """Pushes at `rate` per second until stopped: a new article, then a correction of it.
    The bodies are made before it starts, so that the driver costs the client CPU little."""

    def __init__(self, server, token, rate, first, seconds):
        super().__init__(daemon=True)
        self.server, self.token, self.rate = server, token, rate
        count = int(rate * (seconds + 5)) + 2
        self.bodies = []
        for k in range(count):
            article = content.push_article(first + k // 2, COLUMN, size_range=(3000, 5000))
            if k % 2 == 1:
                article["title"] += " (更正)"
            self.bodies.append(json.dumps(article, ensure_ascii=False).encode())
        self.next = first + count // 2 + 1
        self.stop_at = threading.Event()
        self.latencies, self.error = [], None

    def run(self):
        os.sched_setaffinity(0, {CLIENT_CPU})  # this thread only
        client = Client(self.server.base)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        start = time.perf_counter()
        try:
            for k, body in enumerate(self.bodies):
                wait = start + k / self.rate - time.perf_counter()
                if self.stop_at.is_set() or (wait > 0 and self.stop_at.wait(wait)):
                    break
                began = time.perf_counter()
                resp = client.request("POST", "/api/v1/articles", body, headers=headers)
                self.latencies.append((time.perf_counter() - began) * 1e3)
                if resp.status not in (200, 201):
                    raise BenchError(f"push answered {resp.status}: {resp.body[:300]!r}")
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
    """One run at `rate`: wrk's req/s and p99 (ms), server CPU µs per feed request, push
    latencies (ms), misses and renders per push; and the next article number."""
    driver = Driver(server, token, rate, first, ctx.wrk_seconds) if rate else None
    before, cpu_before = counters(server), cpu_seconds(server.pids())
    if driver:
        driver.start()
    try:
        result = run_wrk(server.base + SITE_FEED, duration=ctx.wrk_seconds, connections=CONNECTIONS,
                         script=script, latency=True)
    finally:
        latencies = driver.finish() if driver else []
    cpu = (cpu_seconds(server.pids()) - cpu_before) / result.requests * 1e6
    after = counters(server)
    pushes = len(latencies)
    per_push = [(b - a) / pushes if pushes else None for a, b in zip(before, after)]
    return Run(result.rps, result.p99_ms, cpu, latencies, per_push), (driver.next if driver else first)


def pushes_alone(server, token, first):
    """Push latencies (ms) at 20/s with no reads: the reference."""
    driver = Driver(server, token, 20, first, ALONE_SECONDS)
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
    figures = {rate: [] for rate in RATES}
    # Rates alternate run by run, so that the machine's noise falls on all of them alike.
    for _ in range(ctx.args.runs):
        for rate in RATES:
            run, first = measure(ctx, server, token, rate, script, first)
            figures[rate].append(run)
            ctx.log(f"{db.backend} at {rate}/s: {run.rps:,.0f} req/s, p99 {run.p99:.1f} ms, "
                    f"{run.cpu:.1f} µs CPU/req, {len(run.latencies)} pushes")
    server.stop()
    report(ctx, db.backend, figures, alone)


def report(ctx, backend, figures, alone):
    rps0 = median(r.rps for r in figures[0])
    p99_0 = median(r.p99 for r in figures[0])
    cpu0 = median(r.cpu for r in figures[0])
    alone_p50, alone_p99 = percentile(alone, 50), percentile(alone, 99)
    ctx.report.add(Row(f"{backend}: feed throughput, no writes", "req/s", rps0))
    ctx.report.add(Row(f"{backend}: feed p99, no writes", "ms", p99_0))
    for rate in RATES[1:]:
        runs = figures[rate]
        peak = rate == RATES[-1]
        rps = median(r.rps for r in runs)
        p99 = median(r.p99 for r in runs)
        latencies = [ms for r in runs for ms in r.latencies]
        misses = median(r.per_push[0] for r in runs)
        renders = median(r.per_push[1] for r in runs)
        ctx.report.add(Row(f"{backend}: feed throughput at {rate} pushes/s", "req/s", rps, rps0, "no writes",
                           ratio_at_least(0.8) if peak else None))
        ctx.report.add(Row(f"{backend}: feed p99 at {rate} pushes/s", "ms", p99, p99_0, "no writes",
                           ratio_at_most(2.0) if peak else None))
        ctx.report.add(Row(f"{backend}: server CPU per feed request at {rate} pushes/s", "µs",
                           median(r.cpu for r in runs), cpu0, "no writes",
                           note="pushes and renders included"))
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
