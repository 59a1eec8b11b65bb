"""multi: two `syndic serve` instances on one PostgreSQL database.

- Polling: nginx serves 50 small feeds and logs every request with its time. 50 sources
  (interval 60 s) are added through instance A; after a wait of 70 s (or `--multi-wait`)
  each source's fetches are read from the log. A source is polled right when no two of its
  fetches are closer than 90 % of the interval (the interval has up to 10 % jitter added,
  never removed) and it was fetched at all.
- Propagation: an article is pushed to A and B's column feed is requested every 10 ms
  until the article is in it: the delay from A's 201 to B serving it, median of 5.
  The reference is the same delay on A itself.
"""

import os
import time
from collections import defaultdict

from harness import content
from harness.context import median
from harness.procs import BenchError
from harness.report import Row, value_at_least, value_at_most
from harness.servers import Nginx

TITLE = "two instances on one PostgreSQL: polling once per interval, cross-instance freshness"
FEEDS, INTERVAL = 50, 60
PUSHES = 5
FEED_PATH = "/columns/multi/rss.xml"


def write_feeds(root):
    os.makedirs(os.path.join(root, "feeds"), exist_ok=True)
    for k in range(FEEDS):
        with open(os.path.join(root, "feeds", f"m{k}.xml"), "w", encoding="utf-8") as f:
            f.write(content.rss_document(f"m{k}.xml", f"https://www.cjxww.cn/multi{k}", 100_000 + k * 10, 10,
                                         size_range=(500, 1000)))


def fetch_times(access_log):
    """{request path: [epoch seconds]} from nginx's `$msec $request_uri $status` lines."""
    fetches = defaultdict(list)
    with open(access_log) as f:
        for line in f:
            msec, path, _status = line.split()
            fetches[path].append(float(msec))
    return fetches


def judge_polling(fetches):
    """(right, doubled, never, most fetches of one source)."""
    right = doubled = never = most = 0
    for k in range(FEEDS):
        times = sorted(fetches.get(f"/feeds/m{k}.xml", []))
        gaps = [b - a for a, b in zip(times, times[1:])]
        most = max(most, len(times))
        if not times:
            never += 1
        elif gaps and min(gaps) < 0.9 * INTERVAL:
            doubled += 1
        else:
            right += 1
    return right, doubled, never, most


def visible_after(reader, marker, timeout=10.0):
    """Seconds until `marker` is in the reader's column feed, polled every 10 ms."""
    began = time.perf_counter()
    while time.perf_counter() - began < timeout:
        resp = reader.get(FEED_PATH)
        if resp.status == 200 and marker in resp.body:
            return time.perf_counter() - began
        time.sleep(0.01)
    raise BenchError(f"pushed article not in {reader.base}{FEED_PATH} after {timeout} s")


def propagation(writer, reader, token, first):
    """Median delay, over PUSHES articles pushed to `writer`, until `reader` serves them."""
    delays = []
    for n in range(first, first + PUSHES):
        article = content.push_article(n, "multi")
        article["title"] = f"propagation-{os.getpid()}-{n}"
        writer.push(token, article)
        delays.append(visible_after(reader, article["title"].encode()))
    return median(delays)


def run(ctx):
    root = ctx.subdir("multi-root")
    write_feeds(root)
    access_log = os.path.join(ctx.workdir, "multi-access.log")
    nginx = Nginx(ctx.procs, ctx.workdir, root, access_log=access_log, name="nginx-multi")
    db = ctx.dbs.fresh("postgres", "multi")
    a = ctx.syndic.serve(db.url, "syndic-multi-a", fetch_allow=True)
    b = ctx.syndic.serve(db.url, "syndic-multi-b", fetch_allow=True)
    a.add_column("multi", "多实例 multi")
    token = a.add_outlet("cjrb")
    began = time.monotonic()
    for k in range(FEEDS):
        a.add_source("cjrb", f"{nginx.base}/feeds/m{k}.xml", ["multi"], INTERVAL)
    wait = ctx.args.multi_wait
    ctx.log(f"sources added; watching nginx's log for {wait} s")
    time.sleep(max(0.0, wait - (time.monotonic() - began)))
    right, doubled, never, most = judge_polling(fetch_times(access_log))
    ctx.report.add(Row(f"sources polled once per interval in {wait} s", "sources", right, FEEDS, "all",
                       value_at_least(FEEDS), note=f"most fetches of one source: {most}"))
    ctx.report.add(Row("sources fetched twice within an interval", "sources", doubled, target=value_at_most(0)))
    ctx.report.add(Row("sources never fetched", "sources", never, target=value_at_most(0)))
    b_delay = propagation(a, b, token, 200_000)
    a_delay = propagation(a, a, token, 200_000 + PUSHES)
    ctx.report.add(Row(f"push to A → in B's feed (median of {PUSHES})", "s", b_delay, a_delay, "A's own feed",
                       value_at_most(1.0, "s")))
    for server in (a, b, nginx):
        server.stop()
