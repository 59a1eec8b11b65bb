"""Processes the benchmark starts: pinned to a CPU, logged to files, always stopped.

Every process is started in a session of its own and registered; `Processes.stop_all`
(called from the harness's `finally`) ends each by its own process group id, so
nothing it started outlives a failure. Also: CPU time from /proc, and `/usr/bin/time -v`.
"""

import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass

SERVER_CPU = 0  # syndic, nginx and the measured commands
CLIENT_CPU = 1  # wrk and this harness's own HTTP clients
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class BenchError(Exception):
    """A measurement could not be made; the message says why."""


class MissingFeature(BenchError):
    """syndic lacks a feature the section measures (not yet built)."""

    def __init__(self, feature, evidence=""):
        super().__init__(f"syndic lacks {feature}" + (f": {evidence}" if evidence else ""))


def pinned(argv, cpu):
    """`argv` run on `cpu`; on any CPU if `cpu` is None."""
    return list(argv) if cpu is None else ["taskset", "-c", str(cpu)] + list(argv)


class Processes:
    """Starts processes and guarantees they are stopped."""

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.running = []

    def start(self, name, argv, *, cpu=None, env=None, cwd=None):
        """Starts `argv` (on `cpu` if given) with stdout and stderr in LOG_DIR/NAME.log."""
        log_path = os.path.join(self.log_dir, f"{name}.log")
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(pinned(argv, cpu),
                                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=env, cwd=cwd, start_new_session=True)
        proc.name, proc.log_path = name, log_path
        self.running.append(proc)
        return proc

    def stop(self, proc, timeout=10):
        """SIGTERM to the process's group, SIGKILL after `timeout` seconds."""
        if proc in self.running:
            self.running.remove(proc)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=timeout)
                break
            except subprocess.TimeoutExpired:
                continue
        try:  # workers left in the group after the leader exited
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def stop_all(self):
        for proc in list(reversed(self.running)):
            self.stop(proc)


def log_tail(proc, lines=15):
    try:
        with open(proc.log_path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def wait_until(check, timeout, what, proc=None, interval=0.05):
    """Calls `check()` until it returns a true value (returned), or fails after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise BenchError(f"{proc.name} exited with {proc.returncode} while waiting for {what}:\n"
                             f"{log_tail(proc)}")
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            tail = f"\n{log_tail(proc)}" if proc is not None else ""
            raise BenchError(f"timed out after {timeout} s waiting for {what}{tail}")
        time.sleep(interval)


def child_pids(pid):
    """Direct children of `pid` (nginx's workers), read from /proc."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                children.append(int(entry))
    return children


def cpu_seconds(pids):
    """utime + stime of the processes (all their threads), in seconds."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat
    return total / CLOCK_TICKS


def peak_rss_mb(pid):
    """VmHWM of a running process, in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise BenchError(f"no VmHWM for pid {pid}")


@dataclass
class Timed:
    wall_s: float
    max_rss_mb: float
    output: str


def _wall_seconds(text):
    parts = [float(p) for p in text.split(":")]
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + part
    return seconds


def time_command(argv, *, log_dir, name, cpu=SERVER_CPU, env=None, timeout=3600):
    """Runs `argv` pinned to `cpu` (free on every CPU if None) under `/usr/bin/time -v`:
    wall time and peak RSS."""
    report = os.path.join(log_dir, f"{name}.time")
    log_path = os.path.join(log_dir, f"{name}.log")
    with open(log_path, "wb") as log:
        try:
            proc = subprocess.run(["/usr/bin/time", "-v", "-o", report] + pinned(argv, cpu),
                                  stdout=log, stderr=subprocess.STDOUT, env=env, cwd=log_dir, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BenchError(f"{name} did not finish within {timeout} s")
    with open(log_path, errors="replace") as f:
        output = f.read()
    if proc.returncode != 0:
        raise BenchError(f"{name} failed (exit {proc.returncode}): {' '.join(argv)}\n{output[-2000:]}")
    with open(report) as f:
        text = f.read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if not (wall and rss):
        raise BenchError(f"cannot read /usr/bin/time's report {report}")
    return Timed(_wall_seconds(wall.group(1)), int(rss.group(1)) / 1024, output)
