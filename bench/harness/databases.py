"""Fresh databases for each measurement: SQLite files in the run's temp dir, or
PostgreSQL databases named `syndic_bench_<pid>_<purpose>` that are dropped at the end.
Generated N-article databases are cached for the run (sitemap and growth share them)."""

import os
import sqlite3
import subprocess
import time

from . import dbgen
from .procs import BenchError

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"


def settle_writes():
    """Flushes what earlier sections left to write (the page cache's dirty pages, a
    PostgreSQL checkpoint after a generated database), so that a measurement of writes
    does not pay for them."""
    subprocess.run(["sync"], check=False, timeout=900)
    subprocess.run(["psql", "-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER, "-d", "postgres", "-Atqc",
                    "CHECKPOINT"], capture_output=True, check=False, timeout=900)


class SqliteDb:
    backend = "SQLite"

    def __init__(self, path):
        self.path = path
        self.url = f"sqlite://{path}"

    def count_articles(self):
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
        try:
            return db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        finally:
            db.close()

    def fill(self, n, migrations):
        return dbgen.fill_sqlite(self.path, n, os.path.join(migrations, "sqlite"))


class PostgresDb:
    backend = "PostgreSQL"

    def __init__(self, name):
        self.name = name
        self.url = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"

    def psql(self, database=None):
        return ["psql", "-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER, "-d", database or self.name]

    def query(self, sql, database=None):
        proc = subprocess.run(self.psql(database) + ["-Atqc", sql], capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            raise BenchError(f"psql: {sql}: {proc.stderr.strip()}")
        return proc.stdout.strip()

    def count_articles(self):
        return int(self.query("SELECT COUNT(*) FROM articles"))

    def fill(self, n, migrations):
        return dbgen.fill_postgres(self.psql(), n, os.path.join(migrations, "postgres"))


class Databases:
    """Creates fresh databases; `drop_all` removes the PostgreSQL ones."""

    def __init__(self, workdir, syndic, migrations):
        self.workdir, self.syndic, self.migrations = workdir, syndic, migrations
        self.postgres = []
        self.generated = {}

    def fresh(self, backend, purpose):
        """An empty, migrated database of `backend` ('sqlite' or 'postgres')."""
        if backend == "sqlite":
            path = os.path.join(self.workdir, f"{purpose}.db")
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
            db = SqliteDb(path)
        else:
            db = PostgresDb(f"syndic_bench_{os.getpid()}_{purpose}")
            db.query(f"DROP DATABASE IF EXISTS {db.name} WITH (FORCE)", database="postgres")
            db.query(f"CREATE DATABASE {db.name}", database="postgres")
            self.postgres.append(db)
        self.syndic.migrate(db.url)
        return db

    def generated_db(self, backend, n, log=print):
        """A database holding `n` generated articles in ten columns, made once per run."""
        key = (backend, n)
        if key not in self.generated:
            db = self.fresh(backend, f"gen_{n}")
            start = time.monotonic()
            empty = db.fill(n, self.migrations)
            log(f"generated {n:,} articles in {db.backend} in {time.monotonic() - start:.1f} s; "
                f"empty tables: {', '.join(empty)}")
            self.generated[key] = db
        return self.generated[key]

    def drop_all(self):
        for db in self.postgres:
            try:
                db.query(f"DROP DATABASE IF EXISTS {db.name} WITH (FORCE)", database="postgres")
            except Exception as e:  # keep cleaning up the others
                print(f"warning: could not drop database {db.name}: {e}")
        self.postgres.clear()
