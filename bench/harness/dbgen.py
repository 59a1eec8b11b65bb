"""Fast generation of a large article database by direct SQL, after `syndic migrate`.

One SQL script serves both backends (SQLite runs it through the `sqlite3` module,
PostgreSQL through `psql`): an outlet, ten columns `c0`…`c9`, N published articles
(article i in column `c{i % 10}`) whose bodies come from a small table of realistic
1–5 KB bodies, and the change clock and notifier watermark moved past the articles,
as if syndic had stored them one by one and caught up.

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
import os
import random
import re
import sqlite3
import subprocess
import time

from . import content

COLUMNS = 10
BODIES = 64
STEP_MICROS = 30_000_000  # one article every 30 s
# The articles end a day before now, so that new pushes come after them on the clock.
END_MICROS = (int(time.time()) - 86_400) * 1_000_000


def start_micros(n):
    return END_MICROS - n * STEP_MICROS


def article_lastmod_micros(n, i):
    """`updated_at` of article `i` in an `n`-article database."""
    return start_micros(n) + i * STEP_MICROS


def _quote(text):
    return "'" + text.replace("'", "''") + "'"


def _bodies_sql():
    rng = random.Random(42)
    rows = []
    for k in range(BODIES):
        body = content.article_html(rng, rng.randint(1000, 5000))
        rows.append(f"({k}, {_quote(body)})")
    return "INSERT INTO bench_bodies (k, html) VALUES\n" + ",\n".join(rows) + ";\n"


def generation_sql(n):
    """The script that fills a freshly migrated database with `n` articles."""
    t0 = start_micros(n)
    columns = ",\n".join(
        f"({c + 1}, 'c{c}', {_quote(f'栏目 {c} column')}, {t0}, {t0})" for c in range(COLUMNS)
    )
    return f"""
CREATE TABLE bench_bodies (k INTEGER PRIMARY KEY, html TEXT NOT NULL);
{_bodies_sql()}
INSERT INTO outlets (id, slug, name, homepage, language, timezone, created_at, updated_at)
VALUES (1, 'cjrb', '昌吉日报', 'http://www.cjxww.cn/', 'zh-CN', 'Asia/Shanghai', {t0}, {t0});
INSERT INTO columns (id, slug, title, created_at, updated_at) VALUES
{columns};
INSERT INTO articles (id, outlet_id, original_url, title, author, summary, content_html, language,
    tags, enclosures, original_published_at, reposted_at, updated_at, fingerprint, status,
    hidden_removed, archive_seq, withdrawn_at, embargo_until)
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {n})
SELECT i, 1, 'http://www.cjxww.cn/index.php?m=content&c=index&a=show&id=' || i,
    '做带领群众奔向幸福生活的“头雁” No. ' || i, '郑丽媛',
    '自治州党的建设工作系列报道 summary of article ' || i, b.html, 'zh-CN', '[]', '[]',
    {t0} - 3600000000 + CAST(i AS BIGINT) * {STEP_MICROS},
    {t0} + CAST(i AS BIGINT) * {STEP_MICROS}, {t0} + CAST(i AS BIGINT) * {STEP_MICROS},
    'bench-fingerprint-' || i, 'published', 0, {t0} + CAST(i AS BIGINT) * {STEP_MICROS}, NULL, NULL
FROM seq JOIN bench_bodies b ON b.k = i % {BODIES};
INSERT INTO article_columns (article_id, column_id, position)
SELECT id, 1 + id % {COLUMNS}, 0 FROM articles;
DROP TABLE bench_bodies;
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
