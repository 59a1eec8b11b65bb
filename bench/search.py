"""Search measurements: N synthetic articles (Chinese text drawn from jieba's dictionary
by word frequency, about 1,500 characters each, with an English sentence) pushed in
batches into a fresh SQLite database; then a push found by search, query latency p50/p95
over the API, `syndic search reindex` time, and the index's size against the text it
indexes. Synthetic text has a far larger vocabulary than news, so sizes are an upper bound.

Usage: python3 bench/search.py BINARY N   (needs `cargo fetch`: jieba-rs's dictionary)"""
import glob, json, os, random, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.parse, urllib.request

BIN = os.path.realpath(sys.argv[1]); N = int(sys.argv[2]); DIR = tempfile.mkdtemp(prefix="syndic-search-bench-")
with socket.socket() as s:
    s.bind(("127.0.0.1", 0)); PORT = s.getsockname()[1]
random.seed(7)
words, weights = [], []
for line in open(glob.glob(os.path.expanduser("~/.cargo/registry/src/*/jieba-rs-0.11.0/src/data/dict.txt"))[0], encoding="utf-8"):
    w, f, *_ = line.split()
    if all("\u4e00" <= c <= "\u9fff" for c in w):
        words.append(w); weights.append(int(f))
ENGLISH = ["villages celebrate the harvest", "the city holds a festival", "rural cadres lead the party building",
           "farmers bring in the wheat", "new roads reach mountain villages"]
import itertools
cum = list(itertools.accumulate(weights))
def text(n):
    out = []
    while len("".join(out)) < n:
        out.append("".join(random.choices(words, cum_weights=cum, k=12)) + "。")
    return "".join(out)
env = dict(os.environ, SYNDIC_ADMIN_TOKEN="bench-admin-token-0123456789", RUST_LOG="warn",
           SYNDIC_DATABASE_URL=f"sqlite://{DIR}/bench.db")
def serve():
    p = subprocess.Popen([BIN, "serve", "--listen", f"127.0.0.1:{PORT}"], env=env, cwd=DIR,
                         stdout=subprocess.DEVNULL, stderr=open(f"{DIR}/err.log", "a"))
    for _ in range(100):
        try: urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz"); return p
        except Exception: time.sleep(0.1)
    raise SystemExit("no server")
def call(method, path, body=None, token="bench-admin-token-0123456789"):
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}" + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r: return json.loads(r.read() or b"null")
p = serve()
call("POST", "/api/v1/columns", {"slug": "news", "title": "新闻"})
outlet = call("POST", "/api/v1/outlets", {"slug": "cjrb", "name": "昌吉日报", "homepage": "http://www.cjxww.cn/"})
token = outlet["token"]
text_bytes = 0; started = time.time()
for b in range(0, N, 1000):
    batch = []
    for i in range(b, min(N, b + 1000)):
        title = text(20)[:20]; body = text(1500) + " " + random.choice(ENGLISH)
        text_bytes += len(title.encode()) + len(body.encode())
        batch.append({"original_url": f"http://www.cjxww.cn/a?id={i}", "title": title,
                      "content_html": f"<p>{body}</p>", "columns": ["news"], "original_published_at": "2026-01-01T00:00:00Z"})
    call("POST", "/api/v1/articles/batch", {"articles": batch}, token)
print(f"pushed {N} in {time.time()-started:.0f} s; text {text_bytes/1e6:.1f} MB")
# The backlog indexed first: the last article found.
while call("GET", "/api/v1/search?q=" + urllib.parse.quote('"' + title + '"'))["total"] < 1: time.sleep(0.2)
print(f"all {N} searchable {time.time()-started:.0f} s after the first push")
# Index lag: a push, then the search that finds it (the search catches up first on this instance).
marker = "独一无二的标记词语"
t = time.time()
call("POST", "/api/v1/articles", {"original_url": "http://www.cjxww.cn/a?id=marker", "title": marker,
     "content_html": "<p>x</p>", "columns": ["news"], "original_published_at": "2026-01-01T00:00:00Z"}, token)
while call("GET", "/api/v1/search?q=" + urllib.parse.quote(marker))["total"] != 1: pass
print(f"a push found by a search on the same instance after {1000*(time.time()-t):.0f} ms")
queries = [w for w in random.choices(words, cum_weights=cum, k=40) if len(w) >= 2][:15]
queries += [random.choices(words, cum_weights=cum)[0][:2] for _ in range(10)]
queries += ['"' + text(8)[:6] + '"' for _ in range(10)]
queries += ["village", "harvest festival", '"rural cadres"', "wheat -city", "festival OR harvest",
            "昌吉日报", "头雁", "带领群众", "幸福生活", "党建"]
lat = []
for q in queries * 3:
    t = time.time(); call("GET", "/api/v1/search?limit=20&q=" + urllib.parse.quote(q)); lat.append(1000*(time.time()-t))
lat.sort()
print(f"{len(queries)} queries x3: p50 {statistics.median(lat):.1f} ms, p95 {lat[int(len(lat)*0.95)]:.1f} ms, max {lat[-1]:.1f} ms")
p.terminate(); p.wait()
t = time.time()
out = subprocess.run([BIN, "search", "reindex"], env=env, cwd=DIR, capture_output=True, text=True)
print(out.stdout.strip(), out.stderr.strip()[-200:])
size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(f"{DIR}/bench.db.search") for f in fs)
print(f"index {size/1e6:.1f} MB = {size/text_bytes:.2f} x the text it indexes ({text_bytes/1e6:.1f} MB)")
shutil.rmtree(DIR)
