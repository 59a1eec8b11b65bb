"""The servers under test: nginx (the reference) and syndic, started pinned to the
server CPU, waited for until they answer, and driven through syndic's admin API."""

import getpass
import grp
import os
import subprocess

from . import web
from .procs import SERVER_CPU, BenchError, MissingFeature, child_pids, wait_until

ADMIN_TOKEN = "bench-admin-token-0123456789abcdef0123456789abcdef"

NGINX_CONF = """\
daemon off;
master_process on;
worker_processes 1;
{user}
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{ application/rss+xml xml; }}
    default_type application/octet-stream;
    log_format bench '$msec $request_uri $status';
    {access_log}
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    gzip_static on;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
"""


class HttpServer:
    """A started server process answering at `base`, with a keep-alive client."""

    def connect(self, port):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.client = web.Client(self.base)

    def get(self, path, headers=None):
        return self.client.request("GET", path, headers=headers)

    def stop(self):
        self.client.close()
        self.procs.stop(self.proc)


class Nginx(HttpServer):
    """nginx serving the static files under `root`, with one worker, on the server CPU."""

    def __init__(self, procs, workdir, root, *, access_log=None, name="nginx"):
        self.connect(web.free_port())
        self.procs = procs
        prefix = os.path.join(workdir, name)
        os.makedirs(prefix, exist_ok=True)
        user = ""
        if os.geteuid() == 0:  # the master runs as root: keep the worker as this user too
            user = f"user {getpass.getuser()} {grp.getgrgid(os.getgid()).gr_name};"
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(
                user=user, prefix=prefix, port=self.port, root=root,
                access_log=f"access_log {access_log} bench;" if access_log else "access_log off;"))
        self.proc = procs.start(name, ["nginx", "-c", conf, "-p", prefix, "-e", f"{prefix}/error.log"],
                                cpu=SERVER_CPU)
        wait_until(lambda: web.answers(self.base + "/", None), 15, f"{name} to listen", self.proc)

    def pids(self):
        """The master and its worker(s), whose CPU time is the server's."""
        return [self.proc.pid] + child_pids(self.proc.pid)


class Syndic:
    """The syndic binary: one-shot commands and `serve` instances."""

    def __init__(self, binary, procs, workdir):
        self.binary, self.procs, self.workdir = binary, procs, workdir

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SYNDIC_")}
        env.update(RUST_LOG="warn", SYNDIC_ADMIN_TOKEN=ADMIN_TOKEN, **extra)
        return env

    def command(self, db_url, *args):
        return [self.binary, "--database-url", db_url, *args]

    def run(self, db_url, *args, timeout=600):
        """Runs a one-shot command; fails with its output."""
        proc = subprocess.run(self.command(db_url, *args), capture_output=True, text=True,
                              env=self.env(), cwd=self.workdir, timeout=timeout)
        if proc.returncode != 0:
            raise BenchError(f"syndic {' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
        return proc.stdout

    def migrate(self, db_url):
        self.run(db_url, "migrate")

    def require_subcommand(self, name, feature):
        """Fails with MissingFeature unless `syndic NAME --help` works."""
        proc = subprocess.run([self.binary, name, "--help"], capture_output=True, text=True,
                              env=self.env(), cwd=self.workdir, timeout=30)
        if proc.returncode != 0:
            raise MissingFeature(feature, (proc.stderr or proc.stdout).strip().splitlines()[0])

    def serve(self, db_url, name, *, cache_mb=None, one_worker=True, fetch_allow=False, search_dir=None):
        """Serving pinned to the server CPU with one worker (compared core for core), or,
        with `one_worker=False`, free on every core with the default runtime. The search
        index lives in `search_dir` if given, else where syndic puts it by default."""
        extra = {"TOKIO_WORKER_THREADS": "1"} if one_worker else {}
        if search_dir is not None:
            extra["SYNDIC_SEARCH_DIR"] = search_dir
        cpu = SERVER_CPU if one_worker else None
        return SyndicServer(self, db_url, name, cache_mb, fetch_allow, self.env(**extra), cpu)


class SyndicServer(HttpServer):
    """One running `syndic serve`, on `cpu` if given."""

    def __init__(self, syndic, db_url, name, cache_mb, fetch_allow, env, cpu):
        self.connect(web.free_port())
        args = ["serve", "--listen", f"127.0.0.1:{self.port}", "--base-url", self.base]
        if cache_mb is not None:
            args += ["--render-cache-mb", str(cache_mb)]
        global_args = ["--fetch-allow", "127.0.0.0/8"] if fetch_allow else []
        argv = [syndic.binary, "--database-url", db_url, *global_args, *args]
        self.procs = syndic.procs
        self.proc = syndic.procs.start(name, argv, cpu=cpu, env=env, cwd=syndic.workdir)
        wait_until(lambda: web.answers(self.base + "/healthz"), 120, f"{name} /healthz", self.proc, 0.1)

    def pids(self):
        return [self.proc.pid]

    def request(self, method, path, body=None, token=ADMIN_TOKEN, status=None, headers=None):
        headers = {"Authorization": f"Bearer {token}", **(headers or {})}
        resp = self.client.request(method, path, body=body, headers=headers)
        return web.expect(resp, status, f"{method} {path}") if status else resp

    def add_column(self, slug, title):
        self.request("POST", "/api/v1/columns", {"slug": slug, "title": title}, status=201)

    def add_outlet(self, slug, name="昌吉日报"):
        """Creates an outlet; returns its ingest token."""
        body = {"slug": slug, "name": name, "homepage": "http://www.cjxww.cn/",
                "language": "zh-CN", "timezone": "Asia/Shanghai"}
        return self.request("POST", "/api/v1/outlets", body, status=201).json()["token"]

    def add_source(self, outlet, url, columns, interval_secs=60):
        body = {"outlet": outlet, "url": url, "columns": columns, "interval_secs": interval_secs}
        self.request("POST", "/api/v1/sources", body, status=201)

    def push(self, token, article):
        """Pushes one article: 201 created (or 202 held in quarantine)."""
        resp = self.request("POST", "/api/v1/articles", article, token=token)
        return web.expect(resp, 202 if resp.status == 202 else 201, "POST /api/v1/articles")

    def metrics(self):
        """{sample name with labels: value} from `GET /metrics` (admin token)."""
        resp = self.request("GET", "/metrics")
        if resp.status == 404:
            raise MissingFeature("metrics (GET /metrics)", "HTTP 404")
        samples = {}
        for line in web.expect(resp, 200, "GET /metrics").body.decode().splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                samples[name] = float(value)
        return samples

    def push_batch(self, token, body):
        """POST /api/v1/articles/batch with an encoded `{"articles": [...]}` body."""
        resp = self.request("POST", "/api/v1/articles/batch", body, token=token,
                            headers={"Content-Type": "application/json"})
        if resp.status in (404, 405):
            raise MissingFeature("batch ingest (POST /api/v1/articles/batch)", f"HTTP {resp.status}")
        return web.expect(resp, 200, "POST /api/v1/articles/batch").json()
