"""feed: serving one column feed, syndic against nginx serving the same bytes as a file.

syndic (fresh SQLite, 50 articles of 3–5 KB, one Tokio worker) and nginx (one worker,
`sendfile`, `gzip_static` with syndic's own gzip body beside the file) both run on the
server CPU; wrk runs on the client CPU. Each variant (plain, gzip, 304, gzip 304) is run
`--runs` times per server, alternating servers; the figures are medians. CPU per request
is the server processes' utime+stime over the run (/proc/PID/stat) divided by the
requests wrk completed.
"""

import os

from harness import content
from harness.context import median
from harness.procs import BenchError, cpu_seconds
from harness.report import Row, ratio_at_least, ratio_at_most
from harness.servers import Nginx
from harness.web import expect, run_wrk

TITLE = "one column feed, syndic vs nginx serving the same file"
PATH = "/columns/bench/rss.xml"
GZIP = "Accept-Encoding: gzip"
ARTICLES = 50


def fill_column(server):
    server.add_column("bench", "基准栏目 bench")
    token = server.add_outlet("bench")
    for n in range(ARTICLES):
        server.push(token, content.push_article(n, "bench", size_range=(3000, 5000)))


def header_dict(headers):
    return dict(h.split(": ", 1) for h in headers)


def representations(get):
    """The plain and gzip answers of PATH from a server's `get(path, headers)`."""
    plain = expect(get(PATH, {}), 200, f"GET {PATH}")
    gz = expect(get(PATH, header_dict([GZIP])), 200, f"GET {PATH} (gzip)")
    if gz.headers.get("content-encoding") != "gzip":
        raise BenchError(f"GET {PATH} with {GZIP} was not gzipped: {gz.headers}")
    return plain, gz


def write_static(root, plain, gz):
    """The feed as nginx's file, with the precompressed copy `gzip_static` serves."""
    path = os.path.join(root, PATH.lstrip("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(plain)
    with open(path + ".gz", "wb") as f:
        f.write(gz)


def variants(plain, gz):
    """wrk header sets per variant, from one server's own plain and gzip answers."""
    return {
        "plain": [],
        "gzip": [GZIP],
        "304": [f"If-None-Match: {plain.headers['etag']}"],
        "gzip 304": [GZIP, f"If-None-Match: {gz.headers['etag']}"],
    }


def check_conditionals(name, get, headers_by_variant):
    for variant in ("304", "gzip 304"):
        resp = get(PATH, header_dict(headers_by_variant[variant]))
        if resp is None or resp.status != 304:
            raise BenchError(f"{name}: {variant} request answered {resp and resp.status}, not 304")


def measure(server, headers, seconds):
    """(req/s, server CPU µs per request, requests) of one wrk run."""
    before = cpu_seconds(server.pids())
    result = run_wrk(server.base + PATH, headers=headers, duration=seconds)
    cpu = cpu_seconds(server.pids()) - before
    return result.rps, cpu / result.requests * 1e6, result.requests


def check_metrics(ctx, server, wrk_requests):
    """syndic's own count of feed requests (GET /metrics) against wrk's, and its cache counters."""
    samples = server.metrics()
    feed = sum(v for k, v in samples.items()
               if k.startswith("syndic_http_requests_total{") and 'route="/columns/{slug}/{file}"' in k)
    cache = ", ".join(f"{k} {v:,.0f}" for k, v in samples.items() if "cache" in k.split("{")[0])
    ctx.report.note(f"syndic's /metrics counts {feed:,.0f} feed requests, wrk completed {wrk_requests:,}"
                    + (f"; {cache}" if cache else "; no cache counters in /metrics"))


def run(ctx):
    db = ctx.dbs.fresh("sqlite", "feed")
    syndic = ctx.syndic.serve(db.url, "syndic-feed")
    fill_column(syndic)
    plain, gz = representations(syndic.get)
    root = ctx.subdir("feed-root")
    write_static(root, plain.body, gz.body)
    nginx = Nginx(ctx.procs, ctx.workdir, root, name="nginx-feed")
    n_plain, n_gz = representations(nginx.get)
    if n_plain.body != plain.body or n_gz.body != gz.body:
        raise BenchError("nginx does not serve the bytes syndic serves")
    ctx.report.note(f"feed of {ARTICLES} articles: {len(plain.body):,} bytes, {len(gz.body):,} gzipped; "
                    f"syndic and nginx serve identical bytes")
    servers = {"nginx": (nginx, variants(n_plain, n_gz)), "syndic": (syndic, variants(plain, gz))}
    for name, (server, headers) in servers.items():
        check_conditionals(name, server.get, headers)
        server.client.close()  # wrk alone talks to the servers from here on
    wrk_requests = 0
    for variant in ("plain", "gzip", "304", "gzip 304"):
        runs = {"nginx": [], "syndic": []}
        for _ in range(ctx.args.runs):
            for name, (server, headers) in servers.items():
                runs[name].append(measure(server, headers[variant], ctx.wrk_seconds))
        rps = {name: median(r for r, _, _ in results) for name, results in runs.items()}
        cpu = {name: median(c for _, c, _ in results) for name, results in runs.items()}
        wrk_requests += sum(n for _, _, n in runs["syndic"])
        ctx.report.add(Row(f"throughput, {variant}", "req/s", rps["syndic"], rps["nginx"], "nginx",
                           ratio_at_least(0.9)))
        ctx.report.add(Row(f"server CPU per request, {variant}", "µs", cpu["syndic"], cpu["nginx"], "nginx",
                           ratio_at_most(1.5)))
    check_metrics(ctx, syndic, wrk_requests)
    syndic.stop()
    nginx.stop()
