"""Reference sitemap writer: N article URLs `{base}/articles/{id}` with their lastmod,
streamed from memory into 50,000-URL files plus an index. The plainest fast way to write
the same output syndic's `sitemap` command writes from its database.

usage: sitemap_reference.py N OUT_DIR BASE_URL START_MICROS STEP_MICROS [--gzip]
(article i's lastmod is START_MICROS + i * STEP_MICROS, as in bench/harness/dbgen.py)
"""

import functools
import gzip
import os
import sys
import time
from xml.sax.saxutils import escape

PER_FILE = 50_000
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<{} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'


def lastmod(micros):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(micros // 1_000_000))


def main(n, out, base, start, step, compress):
    opener, ext = (functools.partial(gzip.open, compresslevel=6), ".xml.gz") if compress else (open, ".xml")
    os.makedirs(os.path.join(out, "sitemaps"), exist_ok=True)
    shards = []
    for first in range(1, n + 1, PER_FILE):
        name = f"sitemaps/articles-{len(shards)}{ext}"
        with opener(os.path.join(out, name), "wt", encoding="utf-8") as f:
            f.write(HEAD.format("urlset"))
            for i in range(first, min(first + PER_FILE, n + 1)):
                f.write(f"<url><loc>{escape(f'{base}/articles/{i}')}</loc>"
                        f"<lastmod>{lastmod(start + i * step)}</lastmod></url>\n")
            f.write("</urlset>\n")
        shards.append((name, lastmod(start + min(first + PER_FILE - 1, n) * step)))
    with opener(os.path.join(out, f"sitemap{ext}"), "wt", encoding="utf-8") as f:
        f.write(HEAD.format("sitemapindex"))
        for name, mod in shards:
            f.write(f"<sitemap><loc>{escape(f'{base}/{name}')}</loc><lastmod>{mod}</lastmod></sitemap>\n")
        f.write("</sitemapindex>\n")


if __name__ == "__main__":
    a = sys.argv[1:]
    main(int(a[0]), a[1], a[2], int(a[3]), int(a[4]), "--gzip" in a[5:])
