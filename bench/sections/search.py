"""search: full-text search at N articles, against the same at N/10.

Databases: the generated SQLite databases of N/10 (the reference) and N articles
(harness/dbgen.py: varied news text, and per family of articles two rare markers). On each:

- Build: `syndic search reindex` under /usr/bin/time -v, free on both CPUs (a rebuild
  is the one time the index may use them): wall time, peak RSS. Then the index's size on
  disk against the text it indexes: the bytes of title, subtitle, summary and content
  text, author, outlet name and tags the reindex reports having fed the index.
- Latency: `syndic serve` on that index (one Tokio worker, pinned to the server CPU).
  QUERIES, a fixed set of 50 (Chinese two-character and longer words, names, phrases,
  English words and phrases, exclusion, OR), as `GET /api/v1/search?q=…&limit=20` with
  the admin token, sequentially on one keep-alive connection: each once to warm up, then
  ROUNDS rounds of all 50; p50 and p95 of every request timed.
- Lag (at N only): a second `syndic serve` on the same database with a copy of the
  index in a directory of its own, as a second instance has (the database is SQLite,
  so B learns of changes by reading the clock row). An article is pushed to A, then B is
  searched for its unique word every 10 ms until it is found: the delay from A's 201,
  median of PUSHES. The reference is the same search on A itself.
"""

import os
import re
import shutil
import time
import urllib.parse

from harness import dbgen
from harness.context import median, percentile
from harness.procs import BenchError, time_command
from harness.report import Row, ratio_at_most, value_at_most
from harness.web import expect

TITLE = "search at N articles: query latency, index build, size, lag"
ROUNDS = 3
PUSHES = 5
REINDEX_SAYS = re.compile(r"indexed (\d+) articles \((\d+) bytes of text\)")


def queries():
    """The 50 queries, by kind: the same every run (names and markers from dbgen's tables)."""
    authors = dbgen.pieces()["bench_authors"]
    zh = [dbgen.markers(dbgen.family(i))[0] for i in (1, 2, 3)]
    en = [dbgen.markers(dbgen.family(i))[1] for i in (4, 5, 6)]
    return {
        "Chinese word": ["发展", "群众", "乡村", "教育", "旅游", "棉花", "草原", "民宿", "滴灌", "消防", "直播", "丰收",
                         "合作社", "党支部", "乡村振兴", "营商环境", "高质量", "吉木萨尔"],
        "name": [authors[0], authors[1], authors[2], authors[3], zh[0], zh[1], "昌吉日报"],
        "phrase": ['"推动高质量发展"', '"带动群众增收"', '"食品安全"', '“非遗展演”', '"冷空气影响"',
                   '"rural revitalisation projects"', '"statistics bureau"', '"new bus routes"'],
        "English": ["harvest", "villages", "tourism", "festival", "snow", "cooperatives", "museum", en[0], en[1]],
        "exclusion": ["旅游 -民宿", "harvest -festival", '教育 -"学校"', f"乡村 -旅游 -{zh[2]}"],
        "OR": ["棉花 OR 小麦", "museum OR festival", f"{en[2]} OR {zh[2]}", "滴灌 OR 节水"],
    }


def search_path(q):
    return "/api/v1/search?limit=20&q=" + urllib.parse.quote(q)


def search(server, q):
    """(seconds, answer) of one search."""
    start = time.perf_counter()
    resp = expect(server.request("GET", search_path(q)), 200, f"search {q!r}")
    return time.perf_counter() - start, resp.json()


def index_size(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(path) for f in files)


def build(ctx, db, n):
    """Reindexes the n-article database: (Timed, text bytes, index bytes)."""
    index_dir = db.path + ".search"
    shutil.rmtree(index_dir, ignore_errors=True)
    argv = ctx.syndic.command(db.url, "search", "reindex")
    timed = time_command(argv, log_dir=ctx.workdir, name=f"syndic-reindex-{n}", cpu=None, env=ctx.syndic.env())
    said = REINDEX_SAYS.search(timed.output)
    if not said:
        raise BenchError(f"cannot read `syndic search reindex`'s output: {timed.output[-500:]!r}")
    indexed, text_bytes = int(said.group(1)), int(said.group(2))
    if indexed != n:
        raise BenchError(f"search reindex indexed {indexed:,} articles, not {n:,}")
    size = index_size(index_dir)
    ctx.log(f"{n:,} articles: reindex {timed.wall_s:.1f} s, {timed.max_rss_mb:.0f} MB peak RSS; "
            f"index {size / 1e6:.1f} MB for {text_bytes / 1e6:.1f} MB of text")
    return timed, text_bytes, size


def latencies(ctx, server, n):
    """(milliseconds of every timed search, {kind: [ms]}, {query: total})."""
    kinds = queries()
    totals = {}
    for qs in kinds.values():
        for q in qs:
            totals[q] = search(server, q)[1]["total"]
    all_ms, by_kind = [], {kind: [] for kind in kinds}
    for _ in range(ROUNDS):
        for kind, qs in kinds.items():
            for q in qs:
                ms = search(server, q)[0] * 1000
                all_ms.append(ms)
                by_kind[kind].append(ms)
    ctx.log(f"{n:,} articles: p50 {median(all_ms):.1f} ms, p95 {percentile(all_ms, 95):.1f} ms; "
            + ", ".join(f"{kind} p95 {percentile(ms, 95):.1f}" for kind, ms in by_kind.items()))
    return all_ms, by_kind, totals


def found_after(server, word, timeout=10.0):
    """Seconds until a search on `server` finds `word`, searched every 10 ms."""
    began = time.perf_counter()
    while time.perf_counter() - began < timeout:
        if search(server, word)[1]["total"] >= 1:
            return time.perf_counter() - began
        time.sleep(0.01)
    raise BenchError(f"pushed article not found by a search on {server.base} after {timeout} s")


def lag(ctx, db, a):
    """Median seconds from a push to A until a search finds it on B (a second instance,
    its own copy of the index), and on A itself."""
    b_dir = os.path.join(ctx.workdir, "search-b")
    shutil.rmtree(b_dir, ignore_errors=True)
    shutil.copytree(db.path + ".search", b_dir)
    b = ctx.syndic.serve(db.url, "syndic-search-b", search_dir=b_dir)
    try:
        token = a.add_outlet("lag", "检索时延")
        delays = {"A": [], "B": []}
        for k in range(2 * PUSHES):
            word = f"lagmarker{os.getpid()}x{k}"
            reader = b if k % 2 == 0 else a
            article = {"original_url": f"https://www.cjxww.cn/lag/{os.getpid()}/{k}.html", "title": f"检索 {word}",
                       "content_html": f"<p>索引跟随 {word}</p>", "columns": ["c0"],
                       "original_published_at": "2026-01-01T00:00:00Z"}
            a.push(token, article)
            delays["B" if reader is b else "A"].append(found_after(reader, word))
        return median(delays["B"]), median(delays["A"])
    finally:
        b.stop()


def measure(ctx, n, with_lag):
    db = ctx.dbs.generated_db("sqlite", n, ctx.log)
    timed, text_bytes, size = build(ctx, db, n)
    server = ctx.syndic.serve(db.url, f"syndic-search-{n}")
    try:
        all_ms, by_kind, totals = latencies(ctx, server, n)
        lags = lag(ctx, db, server) if with_lag else None
    finally:
        server.stop()
    return {"timed": timed, "text": text_bytes, "size": size, "ms": all_ms, "kinds": by_kind,
            "totals": totals, "lag": lags}


def run(ctx):
    ctx.syndic.require_subcommand("search", "search (`syndic search reindex`)")
    n, small = ctx.articles, ctx.articles // 10
    if small < 1_000:
        raise BenchError("search compares with N/10 articles: give --articles of 10,000 or more")
    ref = measure(ctx, small, with_lag=False)
    big = measure(ctx, n, with_lag=True)
    label = f"{small // 1000}k"
    for name, p in (("p50", 50), ("p95", 95)):
        ctx.report.add(Row(f"{name} of 50 queries × {ROUNDS} at {n:,}", "ms", percentile(big["ms"], p),
                           percentile(ref["ms"], p), label, value_at_most(50, "ms") if p == 95 else None))
    slowest = max(big["kinds"], key=lambda kind: percentile(big["kinds"][kind], 95))
    ctx.report.note(f"p95 by kind at {n:,}: " + ", ".join(
        f"{kind} {percentile(ms, 95):.1f} ms" for kind, ms in big["kinds"].items()) + f" (slowest: {slowest})")
    counts = sorted(big["totals"].values())
    ctx.report.note(f"matches per query at {n:,}: fewest {counts[0]:,}, median {counts[len(counts) // 2]:,}, "
                    f"most {counts[-1]:,}")
    ctx.report.add(Row(f"search reindex of {n:,}: time", "s", big["timed"].wall_s, ref["timed"].wall_s, label,
                       value_at_most(600, "s"), note="both CPUs"))
    ctx.report.add(Row(f"search reindex of {n:,}: peak RSS", "MB", big["timed"].max_rss_mb,
                       ref["timed"].max_rss_mb, label))
    ratio, ref_ratio = big["size"] / big["text"], ref["size"] / ref["text"]
    ctx.report.add(Row(f"index size / text at {n:,}", "×", ratio, ref_ratio, label, value_at_most(1.5),
                       note=f"{big['size'] / 1e6:,.0f} MB for {big['text'] / 1e6:,.0f} MB of text"))
    b_lag, a_lag = big["lag"]
    ctx.report.add(Row(f"push to A → found on B, own index (median of {PUSHES})", "s", b_lag, a_lag,
                       "on A itself", value_at_most(1.0, "s")))
