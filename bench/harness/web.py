"""HTTP from the harness: one-off requests, a keep-alive client for timed request
series, a free port, and wrk (pinned to the client CPU) with its output parsed."""

import http.client
import json
import re
import socket
import subprocess
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from .procs import CLIENT_CPU, BenchError, pinned


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


class Client:
    """A keep-alive HTTP/1.1 connection to one server; reconnects when the server closes."""

    def __init__(self, base_url, timeout=60):
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False).encode()
            headers = {"Content-Type": "application/json", **(headers or {})}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                resp = self.conn.getresponse()
                data = resp.read()
                return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
            except (ConnectionError, http.client.BadStatusLine, http.client.RemoteDisconnected):
                self.close()
                if attempt == 2:
                    raise

    def timed_get(self, path, headers=None):
        """(seconds, response) of one GET."""
        start = time.perf_counter()
        resp = self.request("GET", path, headers=headers)
        return time.perf_counter() - start, resp

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def fetch(url, method="GET", body=None, headers=None, timeout=60):
    """One request on a fresh connection; connection errors return None."""
    parts = urlsplit(url)
    client = Client(f"{parts.scheme}://{parts.netloc}", timeout=timeout)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        return client.request(method, path or "/", body=body, headers=headers)
    except OSError:
        return None
    finally:
        client.close()


def answers(url, status=200):
    """Whether `url` answers (with `status`, unless None)."""
    resp = fetch(url, timeout=5)
    return resp is not None and (status is None or resp.status == status)


def expect(resp, status, what):
    """Fails with the server's answer unless `resp` has `status`."""
    if resp is None:
        raise BenchError(f"{what}: no answer")
    if resp.status != status:
        raise BenchError(f"{what}: HTTP {resp.status} (expected {status}): {resp.body[:500]!r}")
    return resp


@dataclass
class WrkResult:
    requests: int
    seconds: float
    rps: float
    bad_responses: int
    socket_errors: str
    p99_ms: float = None


LATENCY_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def run_wrk(url, *, headers=(), duration=10, connections=32, threads=1, script=None, latency=False):
    """wrk on the client CPU; fails if any response was an error (socket errors are kept).
    `script`: a Lua file choosing each request; `latency`: also the 99th percentile."""
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s"]
    for header in headers:
        argv += ["-H", header]
    if script:
        argv += ["-s", script]
    if latency:
        argv.append("--latency")
    proc = subprocess.run(pinned(argv + [url], CLIENT_CPU), capture_output=True, text=True,
                          timeout=duration + 60)
    out = proc.stdout
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if proc.returncode != 0 or not done or not rps:
        raise BenchError(f"wrk failed on {url}: {out}{proc.stderr}")
    scale = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[done.group(3)]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE)
    result = WrkResult(int(done.group(1)), float(done.group(2)) * scale, float(rps.group(1)),
                       int(bad.group(1)) if bad else 0, errors.group(1) if errors else "",
                       float(p99.group(1)) * LATENCY_UNITS[p99.group(2)] if p99 else None)
    if result.bad_responses:
        raise BenchError(f"wrk on {url}: {result.bad_responses} of {result.requests} responses were errors")
    return result
