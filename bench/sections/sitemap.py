"""sitemap: exporting the sitemaps of N articles, and serving one shard cold.

The references write the same N URLs (`{base}/articles/{id}`, same lastmods) from memory:
bench/sitemap_reference.py (plain streaming Python) and bench/node/sitemap_reference.js
(the npm `sitemap` package's SitemapAndIndexStream). Every writer, syndic included, runs
pinned to the server CPU under /usr/bin/time -v (wall time, peak RSS), plain and --gzip.
syndic reads a generated database (SQLite, then PostgreSQL, whose server runs unpinned).
The cold GET is the first request for `/sitemaps/articles-0.xml` to a fresh `syndic
serve` on the N-article SQLite database (the file is in the page cache: it was just written).
"""

import glob
import gzip
import os
import shutil
import time

from harness import dbgen
from harness.procs import BenchError, time_command
from harness.report import Row, ratio_at_most, value_at_most
from harness.web import expect

TITLE = "sitemap export of N articles vs plain writers of the same URLs; cold shard GET"
BASE = "https://portal.example.cn"
MODES = {"plain": [], "gzip": ["--gzip"]}


def reference_writers(ctx, n, mode):
    """The reference commands, each as a function of the output directory."""
    def args(out):
        return [str(n), out, BASE, str(dbgen.start_micros(n)), str(dbgen.STEP_MICROS)] + MODES[mode]
    python = os.path.join(ctx.bench_dir, "sitemap_reference.py")
    node = os.path.join(ctx.bench_dir, "node", "sitemap_reference.js")
    return {
        "python": lambda out: ["python3", python] + args(out),
        "node": lambda out: ["node", node] + args(out),
    }


def count_output(out):
    """(files, article URLs) of a sitemap directory, gzipped or not."""
    files = [f for f in glob.glob(os.path.join(out, "**", "*"), recursive=True) if os.path.isfile(f)]
    urls = 0
    for path in files:
        if os.path.basename(path).startswith("articles-"):
            opener = gzip.open if path.endswith(".gz") else open
            with opener(path, "rb") as f:
                urls += f.read().count(b"<url>")
    return len(files), urls


def timed_writer(ctx, name, make_argv, n, env=None):
    """Runs one writer (`make_argv(out_dir)`) into a fresh directory: (Timed, files)."""
    out = os.path.join(ctx.workdir, f"out-{name}")
    shutil.rmtree(out, ignore_errors=True)
    timed = time_command(make_argv(out), log_dir=ctx.workdir, name=name, env=env)
    files, urls = count_output(out)
    if urls != n:
        raise BenchError(f"{name} wrote {urls:,} URLs in {files} files, not {n:,}")
    shutil.rmtree(out, ignore_errors=True)
    ctx.log(f"{name}: {timed.wall_s:.2f} s, {timed.max_rss_mb:.1f} MB peak RSS, {files} files")
    return timed, files


def measure_references(ctx, n):
    refs = {}
    for mode in MODES:
        for writer, make_argv in reference_writers(ctx, n, mode).items():
            refs[writer, mode] = timed_writer(ctx, f"{writer}-{mode}", make_argv, n)[0]
    return refs


def cold_get(ctx, db):
    """Times the first GETs of a shard and of the index on a freshly started server."""
    server = ctx.syndic.serve(db.url, "syndic-sitemap-serve")
    try:
        for path, target in (("/sitemaps/articles-0.xml", value_at_most(1.0, "s")), ("/sitemap.xml", None)):
            start = time.perf_counter()
            resp = expect(server.get(path), 200, f"GET {path}")
            seconds = time.perf_counter() - start
            entries = resp.body.count(b"<loc>")
            ctx.report.add(Row(f"cold GET {path} (SQLite, {entries:,} entries)", "s", seconds, target=target))
    finally:
        server.stop()


def export(ctx, db, mode, n):
    def make_argv(out):
        return ctx.syndic.command(db.url, "sitemap", "--out", out, "--base-url", BASE) + MODES[mode]
    return timed_writer(ctx, f"syndic-{db.backend}-{mode}", make_argv, n, env=ctx.syndic.env())


def report_export(ctx, backend, mode, timed, files, refs, time_bound):
    python, node = refs["python", mode], refs["node", mode]
    label = f"{backend} export, {mode}"
    ctx.report.add(Row(f"{label}: time", "s", timed.wall_s, python.wall_s, "python", ratio_at_most(time_bound),
                       note=f"{files} files"))
    ctx.report.add(Row(f"{label}: time", "s", timed.wall_s, node.wall_s, "npm sitemap"))
    ctx.report.add(Row(f"{label}: peak RSS", "MB", timed.max_rss_mb, python.max_rss_mb, "python",
                       value_at_most(64, "MB")))
    ctx.report.add(Row(f"{label}: peak RSS", "MB", timed.max_rss_mb, node.max_rss_mb, "npm sitemap"))


def run(ctx):
    n = ctx.articles
    refs = measure_references(ctx, n)
    for (writer, mode), timed in refs.items():
        ctx.report.note(f"reference {writer} ({mode}): {timed.wall_s:.2f} s, {timed.max_rss_mb:.1f} MB peak RSS")
    sqlite_db = ctx.dbs.generated_db("sqlite", n, ctx.log)
    cold_get(ctx, sqlite_db)
    ctx.syndic.require_subcommand("sitemap", "sitemap export (`syndic sitemap --out DIR`)")
    for backend, time_bound in (("sqlite", 1.0), ("postgres", 3.0)):
        db = sqlite_db if backend == "sqlite" else ctx.dbs.generated_db("postgres", n, ctx.log)
        for mode in MODES:
            timed, files = export(ctx, db, mode, n)
            report_export(ctx, db.backend, mode, timed, files, refs, time_bound)
