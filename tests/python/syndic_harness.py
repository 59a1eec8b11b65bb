"""What the Python checks share (`tests/interop/check.py`, `tests/browser/console.py`):
a tally of named checks, HTTP with a bearer token, and a `syndic serve --demo` started on
a fresh database, with the ingest tokens it prints.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request


class Tally:
    """Named checks: each failure printed as it happens, the count at the end."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {name}: {detail}", flush=True)

    def finish(self, what):
        print(f"{what}: {self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(url, method="GET", body=None, token=None):
    """(status, headers, body) of one request; an error status is an answer, not a raise.
    Reads ask for the current document (`Cache-Control: no-cache`): the checks read what
    they have just written, which syndic's freshness contract promises only to a client
    asking so (README, "Reads under writes")."""
    request = urllib.request.Request(url, method=method, data=body)
    if method == "GET":
        request.add_header("Cache-Control", "no-cache")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def start_server(binary, database_url, port, env):
    """`syndic serve --demo` on `database_url`, once it answers: the process, its base
    URL, and each demo outlet's ingest token by slug."""
    env = dict(os.environ, RUST_LOG="warn", **env)
    process = subprocess.Popen(
        [binary, "serve", "--demo", "--database-url", database_url, "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    tokens = {}
    deadline = time.time() + 60
    for line in process.stdout:
        match = re.search(r"ingest token of outlet (\S+): (\S+)", line)
        if match:
            tokens[match.group(1)] = match.group(2)
        if "robots.txt" in line or time.time() > deadline:
            break
    base = f"http://127.0.0.1:{port}"
    while time.time() < deadline:
        try:
            if http(base + "/healthz")[0] == 200:
                return process, base, tokens
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit("syndic did not start")
