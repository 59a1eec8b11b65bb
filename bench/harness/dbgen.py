"""Fast generation of a large article database by direct SQL, after `syndic migrate`.

One SQL script serves both backends (SQLite runs it through the `sqlite3` module,
PostgreSQL through `psql`): an outlet, ten columns `c0`…`c9`, N published articles
(article i in column `c{i % 10}`), and the change clock and notifier watermark moved past
the articles, as if syndic had stored them one by one and caught up.

The articles' text is varied enough to search, yet cheap to make by SQL: small tables of
realistic pieces (`content.py`'s news vocabulary: 3,000 paragraphs of 450–950 bytes,
2,000 half-headlines, 500 authors, 1,000 summaries, 64 tag sets) are written first,
and article i is assembled from pieces picked by hashing i (`_pick`): 2–5 paragraphs
(bodies of 1–5 KB), a headline of two halves, an author, a summary, tags. So no two
articles are alike, common words are in most articles and rare ones in few, as in news.
Every article also belongs to one of 17,576 families (`family(i)`) whose two markers it
carries: a two-character Chinese name of characters the vocabulary never uses, in the
title, and a Latin word, in the summary (`markers(f)`): about 57 articles each at 1M,
so a search for one is selective.

Tables the store derives from articles and columns (listings, counts) are filled by
the migrations' own backfill statements: every `INSERT … SELECT` of the migrations in
`migrations/<backend>/`, re-run in order when its target table exists and is still empty
after the base rows went in, and every `UPDATE` of a table so filled (a later migration
completing it with a new column). So the generator needs no change when a migration adds
such a table or column with its backfill; a table without one shows up in `empty_tables`.

Article i has `reposted_at = updated_at = archive_seq = T0 + i·STEP` (microseconds),
as `Store::upsert_articles` sets them, so a writer of the same N URLs from memory (the
sitemap references) can produce the same `lastmod`s: see `article_lastmod_micros`.
"""

import glob
import json
import os
import random
import re
import sqlite3
import subprocess
import time

from . import content

COLUMNS = 10
STEP_MICROS = 30_000_000  # one article every 30 s
# The articles end a day before now, so that new pushes come after them on the clock.
END_MICROS = (int(time.time()) - 86_400) * 1_000_000

# The pieces articles are assembled from: table name, rows.
PARAGRAPHS, TITLE_PARTS, AUTHORS, SUMMARIES, TAG_SETS = 3_000, 2_000, 500, 1_000, 64
TAGS = ["党建", "乡村振兴", "民生", "教育", "文化", "旅游", "农业", "经济", "法治", "生态", "招商引资", "天山"]
# Article i's pieces: (multiplier, offset) of a hash of i into each table.
HASH_PRIME = 1_000_003
PARAGRAPH_HASHES = [(7_727, 11), (104_729, 5_003), (15_485_863 % HASH_PRIME, 97), (2_750_159 % HASH_PRIME, 1_361),
                    (32_452_843 % HASH_PRIME, 7)]
TITLE_HASHES = [(6_700_417 % HASH_PRIME, 3), (999_331, 77)]
AUTHOR_HASH, SUMMARY_HASH, TAGS_HASH, LENGTH_HASH = (486_187, 19), (611_953, 41), (882_377, 3), (301_123, 59)
FAMILY_HASH = (7_919, 0)
FAMILIES = 26 ** 3
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def start_micros(n):
    return END_MICROS - n * STEP_MICROS


def article_lastmod_micros(n, i):
    """`updated_at` of article `i` in an `n`-article database."""
    return start_micros(n) + i * STEP_MICROS


def _hash(i, pair):
    multiplier, offset = pair
    return (i * multiplier + offset) % HASH_PRIME


def family(i):
    """The family of article `i` (as the SQL computes it)."""
    return _hash(i, FAMILY_HASH) % FAMILIES


def markers(f):
    """(Chinese name, Latin word) that the articles of family `f` carry."""
    rare = content.ZH_RARE_CHARS
    zh = rare[f % len(rare)] + rare[f // len(rare)]
    en = "q" + LETTERS[f % 26] + LETTERS[f // 26 % 26] + LETTERS[f // 676] + "ville"
    return zh, en


def _pick(pair, rows):
    """SQL: the hash of `i` in `pair`, into a table of `rows`."""
    multiplier, offset = pair
    return f"CAST((CAST(i AS BIGINT) * {multiplier} + {offset}) % {HASH_PRIME} % {rows} AS INTEGER)"


def _sql_char(table, index):
    return f"substr({_quote(table)}, 1 + {index}, 1)"


def _quote(text):
    return "'" + text.replace("'", "''") + "'"


def pieces():
    """{table: rows} of the pieces articles are assembled from, the same every run."""
    rng = random.Random(42)
    return {
        "bench_paragraphs": [content.news_block(rng, rng.randint(450, 950)) for _ in range(PARAGRAPHS)],
        "bench_titles": [content.headline_part(rng) for _ in range(TITLE_PARTS)],
        "bench_authors": [content.person_name(rng) for _ in range(AUTHORS)],
        "bench_summaries": [content.news_sentence(rng) for _ in range(SUMMARIES)],
        "bench_tags": [json.dumps(rng.sample(TAGS, rng.randint(1, 3)), ensure_ascii=False) for _ in range(TAG_SETS)],
    }


def _pieces_sql():
    """The tables of pieces, filled."""
    tables = pieces()
    sql = []
    for table, values in tables.items():
        sql.append(f"CREATE TABLE {table} (k INTEGER PRIMARY KEY, v TEXT NOT NULL);")
        for first in range(0, len(values), 500):
            rows = ",\n".join(f"({k}, {_quote(v)})" for k, v in enumerate(values[first:first + 500], first))
            sql.append(f"INSERT INTO {table} (k, v) VALUES\n{rows};")
    return "\n".join(sql), list(tables)


def generation_sql(n):
    """The script that fills a freshly migrated database with `n` articles."""
    t0 = start_micros(n)
    columns = ",\n".join(
        f"({c + 1}, 'c{c}', {_quote(f'栏目 {c} column')}, {t0}, {t0})" for c in range(COLUMNS)
    )
    pieces, tables = _pieces_sql()
    rare = content.ZH_RARE_CHARS
    zh_marker = f"{_sql_char(rare, f'f % {len(rare)}')} || {_sql_char(rare, f'f / {len(rare)}')}"
    en_marker = ("'q' || " + " || ".join(_sql_char(LETTERS, e) for e in ("f % 26", "f / 26 % 26", "f / 676"))
                 + " || 'ville'")
    paragraphs = [f"p{j}.v" if j < 2 else f"CASE WHEN h.extra >= {j - 1} THEN '\n' || p{j}.v ELSE '' END"
                  for j in range(len(PARAGRAPH_HASHES))]
    hashes = ",\n    ".join(
        [f"{_pick(pair, PARAGRAPHS)} AS p{j}" for j, pair in enumerate(PARAGRAPH_HASHES)]
        + [f"{_pick(pair, TITLE_PARTS)} AS t{j}" for j, pair in enumerate(TITLE_HASHES)]
        + [f"{_pick(AUTHOR_HASH, AUTHORS)} AS author", f"{_pick(SUMMARY_HASH, SUMMARIES)} AS summary",
           f"{_pick(TAGS_HASH, TAG_SETS)} AS tags", f"{_pick(LENGTH_HASH, 4)} AS extra",
           f"{_pick(FAMILY_HASH, FAMILIES)} AS f"])
    joins = "\n".join(
        [f"JOIN bench_paragraphs p{j} ON p{j}.k = h.p{j}" for j in range(len(PARAGRAPH_HASHES))]
        + [f"JOIN bench_titles t{j} ON t{j}.k = h.t{j}" for j in range(len(TITLE_HASHES))]
        + ["JOIN bench_authors au ON au.k = h.author", "JOIN bench_summaries s ON s.k = h.summary",
           "JOIN bench_tags tg ON tg.k = h.tags"])
    drops = "\n".join(f"DROP TABLE {table};" for table in tables)
    return f"""
{pieces}
INSERT INTO outlets (id, slug, name, homepage, language, timezone, created_at, updated_at)
VALUES (1, 'cjrb', '昌吉日报', 'http://www.cjxww.cn/', 'zh-CN', 'Asia/Shanghai', {t0}, {t0});
INSERT INTO columns (id, slug, title, created_at, updated_at) VALUES
{columns};
INSERT INTO articles (id, outlet_id, original_url, title, author, summary, content_html, language,
    tags, enclosures, original_published_at, reposted_at, updated_at, fingerprint, status,
    hidden_removed, archive_seq, withdrawn_at, embargo_until)
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {n}),
h AS (SELECT i,
    {hashes}
    FROM seq)
SELECT i, 1, 'http://www.cjxww.cn/index.php?m=content&c=index&a=show&id=' || i,
    t0.v || '：' || {zh_marker} || t1.v, au.v,
    s.v || ' (' || {en_marker} || ')', {" || ".join(paragraphs)}, 'zh-CN', tg.v, '[]',
    {t0} - 3600000000 + CAST(i AS BIGINT) * {STEP_MICROS},
    {t0} + CAST(i AS BIGINT) * {STEP_MICROS}, {t0} + CAST(i AS BIGINT) * {STEP_MICROS},
    'bench-fingerprint-' || i, 'published', 0, {t0} + CAST(i AS BIGINT) * {STEP_MICROS}, NULL, NULL
FROM h
{joins};
INSERT INTO article_columns (article_id, column_id, position)
SELECT id, 1 + id % {COLUMNS}, 0 FROM articles;
{drops}
"""


CLOCK_SQL = """
UPDATE change_clock SET last_micros = (SELECT MAX(updated_at) FROM articles) WHERE id = 1;
UPDATE notify_watermarks SET position = (SELECT MAX(updated_at) FROM articles) WHERE name = 'changes';
"""


POSTGRES_SEQUENCES = """
SELECT setval(pg_get_serial_sequence('articles', 'id'), (SELECT MAX(id) FROM articles));
SELECT setval(pg_get_serial_sequence('outlets', 'id'), 1);
SELECT setval(pg_get_serial_sequence('columns', 'id'), 10);
"""
INSERT_TARGET = re.compile(r"^(?:WITH\b.*?)?INSERT\s+INTO\s+(\w+)", re.IGNORECASE | re.DOTALL)
UPDATE_TARGET = re.compile(r"^UPDATE\s+(\w+)\s+SET\b", re.IGNORECASE)


def backfills(migrations_dir):
    """[(kind, table, statement)] of every INSERT and UPDATE of the migrations in
    `migrations_dir`, in order."""
    found = []
    for path in sorted(glob.glob(os.path.join(migrations_dir, "*.sql"))):
        with open(path) as f:
            text = "\n".join(line for line in f.read().splitlines() if not line.lstrip().startswith("--"))
        for statement in re.split(r";\s*\n", text):
            for kind, pattern in (("insert", INSERT_TARGET), ("update", UPDATE_TARGET)):
                match = pattern.match(statement.strip())
                if match:
                    found.append((kind, match.group(1).lower(), statement.strip()))
    return found


class SqliteTarget:
    """The generator's view of a SQLite database, on one connection."""

    def __init__(self, path):
        self.db = sqlite3.connect(path, isolation_level=None)

    def execute_script(self, sql):
        self.db.executescript(sql)

    def rows(self, table):
        """Rows of `table`, or None if it does not exist."""
        if not self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone():
            return None
        return self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    def tables(self):
        return [r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


class PostgresTarget:
    """The generator's view of a PostgreSQL database, through psql."""

    def __init__(self, psql_argv):
        self.psql = psql_argv + ["-q", "-v", "ON_ERROR_STOP=1"]

    def execute_script(self, sql):
        subprocess.run(self.psql, input=sql.encode(), check=True, stdout=subprocess.DEVNULL, timeout=3600)

    def query(self, sql):
        return subprocess.run(self.psql + ["-At", "-c", sql], capture_output=True, text=True, check=True,
                              timeout=600).stdout.strip()

    def rows(self, table):
        if self.query(f"SELECT to_regclass('public.{table}') IS NOT NULL") != "t":
            return None
        return int(self.query(f"SELECT COUNT(*) FROM {table}"))

    def tables(self):
        return self.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").split()


def run_backfills(target, migrations_dir):
    filled = set()
    for kind, table, statement in backfills(migrations_dir):
        if kind == "insert" and target.rows(table) == 0:
            target.execute_script(statement + ";")
            filled.add(table)
        elif kind == "update" and table in filled:
            target.execute_script(statement + ";")


def empty_tables(target):
    """Tables left empty: fine for sources, tokens, queues; suspicious for article data."""
    return sorted(t for t in target.tables() if target.rows(t) == 0)


def fill_sqlite(path, n, migrations_dir):
    """Fills the migrated SQLite database at `path` with `n` articles."""
    target = SqliteTarget(path)
    try:
        # A bulk load: no WAL copy of every page, no fsync; back to WAL (as syndic sets it) after.
        target.execute_script("PRAGMA journal_mode = DELETE; PRAGMA synchronous = OFF; "
                              "PRAGMA cache_size = -262144; PRAGMA foreign_keys = ON;")
        target.execute_script("BEGIN;" + generation_sql(n) + "COMMIT;")
        run_backfills(target, migrations_dir)
        target.execute_script(CLOCK_SQL + "PRAGMA journal_mode = WAL;")
        return empty_tables(target)
    finally:
        target.db.close()


def fill_postgres(psql_argv, n, migrations_dir):
    """Fills the migrated PostgreSQL database (`psql_argv` connects to it) with `n` articles."""
    target = PostgresTarget(psql_argv)
    target.execute_script("BEGIN;\n" + generation_sql(n) + POSTGRES_SEQUENCES + "COMMIT;")
    run_backfills(target, migrations_dir)
    target.execute_script(CLOCK_SQL + "VACUUM ANALYZE;")
    return empty_tables(target)
