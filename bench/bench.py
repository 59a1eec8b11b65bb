"""syndic's benchmark: every figure beside a reference measured in the same run.

Sections (`--only`, comma-separated; all by default):

- feed: one column feed served by syndic vs the same bytes served by nginx as a static
  file (gzip_static for the gzip variant): wrk throughput (plain, gzip, 304, gzip 304)
  and server CPU time per request.
- sitemap: `syndic sitemap --out DIR` over an N-article database (SQLite, PostgreSQL),
  wall time and peak RSS from /usr/bin/time, against a plain streaming Python writer
  (bench/sitemap_reference.py) and the npm `sitemap` package (bench/node) writing the
  same N URLs from memory; and one cold GET of a sitemap shard from `syndic serve`.
- ingest: the batch push API (1,000 articles a request, bodies the sanitiser must clean)
  against one-by-one pushes, and polling 50 RSS feeds of 200 items served by nginx,
  on SQLite and PostgreSQL.
- growth: latency of a column feed and column pages at 10k, 100k and N articles with the
  render cache off (ratio N vs 10k), and syndic's peak RSS.
- multi: two `syndic serve` on one PostgreSQL database: each source polled once per
  interval (nginx's access log), and how fast a push to one instance shows on the other.
- search: at N/10 and N articles, `syndic search reindex` (time, peak RSS, index size
  against the text indexed) and the latency of 50 fixed queries over the search API; at
  N, how fast a push to one instance is found by a search on a second one.
- mixed: reads under writes: wrk on a site and a column feed (plain and gzip) while a
  driver pushes and corrects articles at 0, 5, 20 and 50 per second, on SQLite and
  PostgreSQL: feed req/s against the no-write figure, feed p99, push p50/p99, and the
  render cache's misses per push.

Method: servers (syndic, nginx) and measured commands run pinned to CPU 0 and the load
(wrk, this harness's clients) on CPU 1; medians of `--runs` runs where a run is short.
Large databases are written by direct SQL after `syndic migrate` (harness/dbgen.py).
Everything lives in one temp dir, removed at the end unless `--keep`; every process
started is stopped, and every PostgreSQL database created is dropped, even on failure.
A section that fails, or needs a syndic feature not built yet, says so in the report
and the run goes on; the exit status is 1 if any section failed.

The report is printed and written as markdown to bench/results/latest.md.
"""

import argparse
import datetime
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import traceback

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH_DIR)

from harness.context import Context  # noqa: E402
from harness.databases import Databases  # noqa: E402
from harness.procs import CLIENT_CPU, SERVER_CPU, BenchError, Processes  # noqa: E402
from harness.report import Report  # noqa: E402
from harness.servers import Syndic  # noqa: E402
from sections import feed, growth, ingest, mixed, multi, search, sitemap  # noqa: E402

SECTIONS = {"feed": feed, "sitemap": sitemap, "ingest": ingest, "growth": growth, "multi": multi, "search": search,
            "mixed": mixed}
TOOLS = ["nginx", "wrk", "taskset", "/usr/bin/time", "psql", "node", "python3"]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", default=",".join(SECTIONS), help="sections to run, comma-separated")
    p.add_argument("--articles", type=int,
                   help="N for sitemap, growth and search (default 1,000,000; --quick 100,000)")
    p.add_argument("--quick", action="store_true", help="short wrk runs, fewer articles: a quick try")
    p.add_argument("--runs", type=int, default=3, help="wrk runs per variant and server (median)")
    p.add_argument("--wrk-seconds", type=int, help="length of one wrk run (default 10; --quick 3)")
    p.add_argument("--multi-wait", type=int, default=70, help="seconds multi watches polling (≥ one 60 s interval)")
    p.add_argument("--syndic-bin", default=os.environ.get("SYNDIC_BIN"),
                   help="syndic binary (default $SYNDIC_BIN, else target/release/syndic)")
    p.add_argument("--tmpdir", default=os.environ.get("TMPDIR"), help="where the run's temp dir goes")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (logs, databases) for debugging")
    p.add_argument("--results", default=os.path.join(BENCH_DIR, "results", "latest.md"))
    args = p.parse_args(argv)
    args.sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        p.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    args.articles = args.articles or (100_000 if args.quick else 1_000_000)
    args.wrk_seconds = args.wrk_seconds or (3 if args.quick else 10)
    args.syndic_bin = os.path.abspath(args.syndic_bin or os.path.join(BENCH_DIR, "..", "target", "release", "syndic"))
    return args


def check_machine(args):
    missing = [t for t in TOOLS if not shutil.which(t)]
    if missing:
        sys.exit(f"missing tools: {', '.join(missing)} (bench/run.sh installs them)")
    if not os.access(args.syndic_bin, os.X_OK):
        sys.exit(f"no syndic binary at {args.syndic_bin} (set SYNDIC_BIN or build with cargo build --release)")
    if not {SERVER_CPU, CLIENT_CPU} <= os.sched_getaffinity(0):
        sys.exit("needs CPUs 0 and 1: servers run on CPU 0, load generators on CPU 1")


def check_disk(args, workdir):
    """Warns when the temp dir may not hold the generated databases (about 5 KB an article each)."""
    need = 0
    if {"sitemap", "growth", "search"} & set(args.sections):
        need += args.articles * 5_000 * (2 if "sitemap" in args.sections else 1)
    free = shutil.disk_usage(workdir).free
    if free < need:
        print(f"warning: {free / 1e9:.1f} GB free in {workdir}, the databases may need {need / 1e9:.1f} GB "
              f"(--tmpdir DIR puts them elsewhere)", flush=True)


def header(args, workdir):
    stat = os.stat(args.syndic_bin)
    built = datetime.datetime.fromtimestamp(stat.st_mtime).isoformat(timespec="seconds")
    commit = subprocess.run(["git", "-C", BENCH_DIR, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    load = open("/proc/loadavg").read().split()[0]
    return [
        f"run {datetime.datetime.now().isoformat(timespec='seconds')}, commit {commit}",
        f"syndic binary {args.syndic_bin} (modified {built}, {stat.st_size:,} bytes)",
        f"machine: {os.cpu_count()} CPUs ({cpu}), Linux {platform.release()}, load average {load} at start; "
        "servers on CPU 0, load generators on CPU 1",
        f"options: sections {','.join(args.sections)}, N = {args.articles:,}, wrk {args.runs} × {args.wrk_seconds} s"
        f"{', quick' if args.quick else ''}; temp dir {workdir}",
    ]


def run_section(ctx, name):
    module = SECTIONS[name]
    ctx.report.begin(name, module.TITLE)
    try:
        module.run(ctx)
    except BenchError as e:
        ctx.report.fail(str(e))
    except Exception:  # a harness bug: report it with its trace, go on with the next section
        ctx.report.fail(traceback.format_exc())
    finally:
        ctx.procs.stop_all()


def stop_on_signal(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv):
    args = parse_args(argv)
    check_machine(args)
    signal.signal(signal.SIGTERM, stop_on_signal)
    os.sched_setaffinity(0, {CLIENT_CPU})  # this harness is load; children pin themselves
    workdir = tempfile.mkdtemp(prefix="syndic-bench-", dir=args.tmpdir)
    procs = Processes(workdir)
    syndic = Syndic(args.syndic_bin, procs, workdir)
    dbs = Databases(workdir, syndic, os.path.join(BENCH_DIR, "..", "migrations"))
    report = Report(header(args, workdir))
    ctx = Context(args, workdir, BENCH_DIR, report, procs, syndic, dbs)
    print("\n".join(report.header), flush=True)
    check_disk(args, workdir)
    if float(open("/proc/loadavg").read().split()[0]) > 0.5:
        print("warning: the machine is busy (load average above 0.5): figures will be noisy", flush=True)
    try:
        for name in args.sections:
            run_section(ctx, name)
    finally:  # also on Ctrl-C or SIGTERM: stop everything, drop and remove what was made
        procs.stop_all()
        dbs.drop_all()
        if args.keep:
            print(f"\nkept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
        write_report(report, args.results)
    return 1 if report.failed() else 0


def write_report(report, path):
    print("\n" + report.text())
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(report.markdown())
    print(f"written to {path}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
