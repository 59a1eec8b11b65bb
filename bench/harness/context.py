"""What every section gets: the options, the report, and the shared machinery."""

import os
import statistics
from dataclasses import dataclass

from .databases import Databases
from .procs import Processes
from .report import Report
from .servers import Syndic


@dataclass
class Context:
    args: object
    workdir: str
    bench_dir: str
    report: Report
    procs: Processes
    syndic: Syndic
    dbs: Databases

    @property
    def quick(self):
        return self.args.quick

    @property
    def articles(self):
        return self.args.articles

    @property
    def wrk_seconds(self):
        return self.args.wrk_seconds

    def subdir(self, name):
        path = os.path.join(self.workdir, name)
        os.makedirs(path, exist_ok=True)
        return path

    def log(self, message):
        print(f"  {message}", flush=True)


def median(values):
    return statistics.median(values)


def percentile(values, p):
    """The p-th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil
    return ordered[int(rank) - 1]
