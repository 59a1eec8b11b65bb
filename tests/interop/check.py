#!/usr/bin/env python3
"""Interop check: syndic's output read by the tools its consumers use.

Starts `syndic serve --demo` on a fresh database, pushes one more article through the
API, then checks every feed with Python feedparser (no bozo, attribution present) and the
newsboat reader,
every Atom feed against the RFC 4287 RELAX NG schema (jing), and the sitemap index and
every sitemap against the sitemaps.org XSDs (xmllint). Prints 'N passed, M failed'.

usage: check.py --binary target/debug/syndic --database-url URL --schemas tests/schemas
"""

import argparse
import calendar
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import feedparser

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from syndic_harness import Tally, free_port, http, start_server  # noqa: E402

ADMIN_TOKEN = "interop-admin-token"
PUSHED_URL = "http://www.cjxww.cn/index.php?m=content&c=index&a=show&catid=407&id=99999"
# The outlet's polled feed, which feeds name as the articles' source. Under .invalid it
# never resolves: the scheduler's poll of it fails at once, without leaving the machine.
SOURCE_URL = "http://feeds.cjxww.invalid/rss.xml?channel=1&lang=zh"
# The attribution block every item ends with (the demo site is in Chinese, Asia/Shanghai;
# 李明 is the demo outlet's default responsible editor).
ATTRIBUTION = ('<p class="syndic-attribution">来源:昌吉日报 作者:测试记者 原文链接:<a href="{0}">{0}</a> '
               '原文发布时间:2018-07-01 09:30 责任编辑:李明</p>').format(PUSHED_URL.replace("&", "&amp;"))

tally = Tally()
check = tally.check


def push_article(base, token):
    article = {
        "original_url": PUSHED_URL + "&utm_source=interop",
        "title": "互操作测试:AT&T <和> “引号”",
        "subtitle": "系列报道之三",
        "author": "测试记者",
        "summary": "<p>摘要 &amp; 更多</p>",
        "content_html": "<p>正文 ]]&gt; 与 <a href=\"/rel\">相对链接</a></p><script>alert(1)</script>",
        "original_published_at": "2018-07-01 09:30",
        "columns": ["party-96"],
        "tags": ["测试"],
    }
    status, headers, body = http(base + "/api/v1/articles", "POST", json.dumps(article).encode(), token)
    check("push answers 201", status == 201, f"{status} {body[:200]!r}")
    return json.loads(body)


def add_source(base):
    """The outlet's own feed, polled: feeds name it as the source of its articles."""
    source = {"outlet": "cjrb", "url": SOURCE_URL, "columns": ["party-96"]}
    status, _, body = http(base + "/api/v1/sources", "POST", json.dumps(source).encode(), ADMIN_TOKEN)
    check("source added", status == 201, body[:200])


def feed_paths(base):
    """Every feed's path prefix, with whether it has entries: the demo outlet under manual
    review has only an article waiting for review, which no feed shows."""
    paths = [("", True)]
    _, _, body = http(base + "/api/v1/columns", token=ADMIN_TOKEN)
    paths += [(f"/columns/{c['slug']}", True) for c in json.loads(body)["columns"]]
    _, _, body = http(base + "/api/v1/outlets", token=ADMIN_TOKEN)
    paths += [(f"/outlets/{o['slug']}", o["review"] == "auto") for o in json.loads(body)["outlets"]]
    return paths


def check_feeds(base, pushed, workdir):
    atom_files = []
    for prefix, published in feed_paths(base):
        for name in ["rss.xml", "atom.xml", "feed.json"]:
            url = f"{base}{prefix}/{name}"
            status, headers, body = http(url)
            check(f"{url} answers 200", status == 200, status)
            if name == "feed.json":
                check_json_feed(url, body, pushed if prefix in ("/columns/party-96", "/columns/zhuanti", "") else None,
                                published)
                continue
            parsed = feedparser.parse(body, response_headers={"content-type": headers.get("content-type", "")})
            check(f"{url} parses without bozo", not parsed.bozo, parsed.get("bozo_exception"))
            if published:
                check(f"{url} has entries", len(parsed.entries) > 0, "no entries")
            else:
                check(f"{url} shows nothing waiting for review", not parsed.entries, len(parsed.entries))
            for entry in parsed.entries:
                check(f"{url} entry has title, link, id, published",
                      all(entry.get(k) for k in ["title", "link", "id", "published_parsed"]), entry.get("id"))
            hubs = [l.get("href") for l in parsed.feed.get("links", []) if l.get("rel") == "hub"]
            check(f"{url} names the WebSub hub", hubs == [base + "/websub"], hubs)
            if name == "atom.xml":
                path = os.path.join(workdir, f"atom-{len(atom_files)}.xml")
                with open(path, "wb") as f:
                    f.write(body)
                atom_files.append(path)
            if prefix in ("/columns/party-96", "/columns/zhuanti", ""):
                check_pushed_entry(url, name, parsed, pushed)
    return atom_files


JSON_FEED_KEYS = {"version", "title", "home_page_url", "feed_url", "description", "user_comment", "next_url",
                  "icon", "favicon", "authors", "author", "language", "expired", "hubs", "items"}
JSON_ITEM_KEYS = {"id", "url", "external_url", "title", "content_html", "content_text", "summary", "image",
                  "banner_image", "date_published", "date_modified", "authors", "author", "tags", "language",
                  "attachments"}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def check_json_feed(url, body, pushed, published=True):
    """JSON Feed 1.1 rules from https://www.jsonfeed.org/version/1.1/ (feedparser 6.0 reads no
    JSON Feed and no maintained Python validator exists, so the spec's rules are checked here)."""
    feed = json.loads(body)
    check(f"{url} version", feed.get("version") == "https://jsonfeed.org/version/1.1", feed.get("version"))
    check(f"{url} title", isinstance(feed.get("title"), str) and feed["title"], feed.get("title"))
    check(f"{url} feed_url is itself", feed.get("feed_url") == url, feed.get("feed_url"))
    unknown = [k for k in feed if k not in JSON_FEED_KEYS and not k.startswith("_")]
    check(f"{url} only known or _extension keys", not unknown, unknown)
    items = feed.get("items")
    if published:
        check(f"{url} has items", isinstance(items, list) and items, "no items")
    else:
        check(f"{url} shows nothing waiting for review", items == [], items)
    for item in items or []:
        bad = [k for k in item if k not in JSON_ITEM_KEYS and not k.startswith("_")]
        check(f"{url} item keys", not bad, bad)
        check(f"{url} item id is a string", isinstance(item.get("id"), str) and item["id"], item.get("id"))
        check(f"{url} item has content", isinstance(item.get("content_html"), str), item.get("id"))
        for key in ("date_published", "date_modified"):
            check(f"{url} {key} is RFC 3339", RFC3339.match(item.get(key, "")), item.get(key))
        for author in item.get("authors", []):
            check(f"{url} author object", isinstance(author.get("name"), str), author)
        for attachment in item.get("attachments", []):
            check(f"{url} attachment", isinstance(attachment.get("url"), str)
                  and isinstance(attachment.get("mime_type"), str), attachment)
    if pushed:
        mine = [i for i in items if i.get("url") == pushed["url"]]
        check(f"{url} lists the pushed article", len(mine) == 1, pushed["url"])
        if mine:
            check(f"{url} external_url is the original", mine[0].get("external_url") == PUSHED_URL, mine[0])
            check(f"{url} date_published is the repost time", mine[0]["date_published"] == pushed["reposted_at"], mine[0])
            outlet = mine[0].get("_syndic", {}).get("outlet", {})
            check(f"{url} outlet feed_url is its polled feed", outlet.get("feed_url") == SOURCE_URL, outlet)
            check(f"{url} content ends with the attribution block", mine[0]["content_html"].endswith(ATTRIBUTION),
                  mine[0]["content_html"][-400:])


def check_pushed_entry(url, name, parsed, pushed):
    entries = [e for e in parsed.entries if e.get("link") == pushed["url"]]
    check(f"{url} lists the pushed article", len(entries) == 1, pushed["url"])
    if not entries:
        return
    entry = entries[0]
    check(f"{url} title survives escaping", entry.title == "互操作测试:AT&T <和> “引号”", entry.title)
    reposted = calendar.timegm(time.strptime(pushed["reposted_at"], "%Y-%m-%dT%H:%M:%SZ"))
    published = calendar.timegm(entry.published_parsed)
    check(f"{url} published is the repost time", published == reposted, entry.get("published"))
    check(f"{url} author", entry.get("author") == "测试记者", entry.get("author"))
    content = " ".join(c.value for c in entry.get("content", []))
    check(f"{url} content without script", "正文" in content and "<script" not in content.lower(), content[:200])
    # What feedparser's sanitiser leaves of it, as readers built on it show it.
    for place, html in [("content", content), ("summary", entry.get("summary", ""))]:
        check(f"{url} {place} keeps the attribution block", "来源:昌吉日报 作者:测试记者 原文链接:" in html
              and f'href="{PUSHED_URL.replace("&", "&amp;")}"' in html and "syndic-attribution" in html, html[-400:])
    if name == "rss.xml":
        check(f"{url} source is the outlet", entry.get("source", {}).get("title") == "昌吉日报", entry.get("source"))
        check(f"{url} source url is its polled feed", entry.get("source", {}).get("href") == SOURCE_URL,
              entry.get("source"))
        check(f"{url} original link", entry.get("syndic_originallink") == PUSHED_URL, entry.get("syndic_originallink"))
    if name == "atom.xml":
        via = [l.href for l in entry.get("links", []) if l.get("rel") == "via"]
        check(f"{url} rel=via original", via == [PUSHED_URL], via)
        check(f"{url} source is the outlet", entry.get("source", {}).get("title") == "昌吉日报", entry.get("source"))
        check(f"{url} source id is its polled feed", entry.get("source", {}).get("id") == SOURCE_URL,
              entry.get("source"))


def check_archives(base, token, workdir):
    """RFC 5005: enough articles for a column to have archives; every archive document
    parses, is marked fh:archive, and walking prev-archive from the feed meets each
    article once. Returns the archive Atom files for the schema check."""
    for n in range(60):
        article = {"original_url": f"http://www.cjxww.cn/archive-test?id={n}", "title": f"归档测试 {n}",
                   "content_html": "<p>正文</p>", "original_published_at": "2018-07-02 09:30",
                   "columns": ["party-96"]}
        status, _, _ = http(base + "/api/v1/articles", "POST", json.dumps(article).encode(), token)
        check("archive test push answers 201", status == 201, status)
    atom_files = []
    for name in ["rss.xml", "atom.xml"]:
        url, seen, archives = f"{base}/columns/zhuanti/{name}", [], 0
        while url:
            status, headers, body = http(url)
            parsed = feedparser.parse(body, response_headers={"content-type": headers.get("content-type", "")})
            check(f"{url} parses without bozo", not parsed.bozo, parsed.get("bozo_exception"))
            seen += [e.link for e in parsed.entries]
            if "/archive/" in url:
                archives += 1
                check(f"{url} is marked fh:archive", b"<fh:archive" in body)
                if name == "atom.xml":
                    path = os.path.join(workdir, f"archive-{archives}.xml")
                    with open(path, "wb") as f:
                        f.write(body)
                    atom_files.append(path)
            links = {l.get("rel"): l.get("href") for l in parsed.feed.get("links", [])}
            url = links.get("prev-archive")
        check(f"/columns/zhuanti/{name} has archives", archives > 0, archives)
        check(f"/columns/zhuanti/{name} and its archives hold each article once", len(seen) == len(set(seen)),
              len(seen) - len(set(seen)))
        check(f"/columns/zhuanti/{name} and its archives hold all 60 new articles", len(seen) >= 60, len(seen))
    return atom_files


def check_newsboat(base, feed_urls, workdir):
    """A real feed reader: newsboat reloads every RSS and Atom feed into its cache."""
    urls = os.path.join(workdir, "newsboat-urls")
    cache = os.path.join(workdir, "newsboat-cache.db")
    with open(urls, "w") as f:
        f.write("\n".join(feed_urls) + "\n")
    result = subprocess.run(["newsboat", "-u", urls, "-c", cache, "-x", "reload"], capture_output=True, text=True,
                            timeout=120)
    check("newsboat reloads every feed", result.returncode == 0, result.stdout + result.stderr)
    import sqlite3
    db = sqlite3.connect(cache)
    loaded = {url: title for url, title in db.execute("SELECT rssurl, title FROM rss_feed")}
    for url in feed_urls:
        check(f"newsboat read {url}", bool(loaded.get(url)), loaded.get(url))
    items = db.execute("SELECT COUNT(DISTINCT guid) FROM rss_item").fetchone()[0]
    check("newsboat holds every article (12 demo + 1 pushed)", items == 13, items)
    contents = [c for (c,) in db.execute("SELECT content FROM rss_item WHERE url LIKE ?", (f"{base}/articles/%",))]
    attributed = [c for c in contents if "syndic-attribution" in c and "原文链接:" in c]
    check("newsboat shows every item with its attribution block", contents and len(attributed) == len(contents),
          f"{len(attributed)} of {len(contents)}")
    db.close()


def check_atom_schema(files, schemas):
    result = subprocess.run(["jing", "-c", os.path.join(schemas, "atom.rnc"), *files], capture_output=True, text=True)
    check(f"{len(files)} Atom feeds valid against RFC 4287 RELAX NG", result.returncode == 0,
          result.stdout + result.stderr)


def xsd_valid(schema, path):
    result = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", schema, path], capture_output=True, text=True)
    return result.returncode == 0, result.stderr


def validated(workdir, name, body, schema):
    """Writes a fetched document to a file and validates it against an XSD."""
    path = os.path.join(workdir, name)
    with open(path, "wb") as f:
        f.write(body)
    return xsd_valid(schema, path)


def check_sitemaps(base, pushed, schemas, workdir):
    status, headers, robots = http(base + "/robots.txt")
    check("robots.txt names the sitemap", f"Sitemap: {base}/sitemap.xml".encode() in robots, robots)
    status, headers, index = http(base + "/sitemap.xml")
    ok, errors = validated(workdir, "sitemap.xml", index, os.path.join(schemas, "siteindex.xsd"))
    check("sitemap index valid against siteindex.xsd", ok, errors)
    locations = re.findall(rb"<loc>([^<]+)</loc>", index)
    check("sitemap index lists sitemaps", len(locations) >= 2, locations)
    all_urls = []
    for n, loc in enumerate(locations):
        status, headers, body = http(loc.decode())
        ok, errors = validated(workdir, f"urlset-{n}.xml", body, os.path.join(schemas, "urlset-with-news.xsd"))
        check(f"{loc.decode()} valid against sitemap.xsd", ok, errors)
        all_urls += [u.decode() for u in re.findall(rb"<loc>([^<]+)</loc>", body)]
    check("sitemaps list the pushed article", pushed["url"] in all_urls, pushed["url"])
    check("robots.txt names the news sitemap", f"Sitemap: {base}/sitemap-news.xml".encode() in robots, robots)
    status, headers, news = http(base + "/sitemap-news.xml")
    ok, errors = validated(workdir, "sitemap-news.xml", news, os.path.join(schemas, "urlset-with-news.xsd"))
    check("news sitemap valid against the sitemaps.org and Google News XSDs", ok, errors)
    check("news sitemap lists the pushed article", pushed["url"].encode() in news, news[:300])
    for url in all_urls:
        status, _, _ = http(url)
        check(f"sitemap URL {url} answers 200", status == 200, status)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--database-url")
    parser.add_argument("--schemas", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        database_url = args.database_url or f"sqlite://{workdir}/interop.db"
        process, base, tokens = start_server(args.binary, database_url, free_port(), {"SYNDIC_ADMIN_TOKEN": ADMIN_TOKEN})
        try:
            pushed = push_article(base, tokens["cjrb"])
            add_source(base)
            atom_files = check_feeds(base, pushed, workdir)
            feed_urls = [f"{base}{p}/{n}" for p, _ in feed_paths(base) for n in ("rss.xml", "atom.xml")]
            check_newsboat(base, feed_urls, workdir)
            atom_files += check_archives(base, tokens["cjrb"], workdir)
            check_atom_schema(atom_files, args.schemas)
            check_sitemaps(base, pushed, args.schemas, workdir)
        finally:
            process.terminate()
            process.wait(timeout=30)
    backend = database_url.split(":")[0]
    tally.finish(f"interop ({backend})")


if __name__ == "__main__":
    main()
