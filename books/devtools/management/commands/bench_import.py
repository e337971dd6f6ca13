"""Benchmark: import one large summary file into a throwaway database; print time and memory."""

import os
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import quote

import dj_database_url
import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql

from books.devtools.summary_files import write_summary_file

MANAGE_PY = Path(settings.BASE_DIR) / "manage.py"
TARGET_SECONDS = 30


class Command(BaseCommand):
    """``bench_import [--summaries N] [--chapters C] [--engine sqlite|postgresql]``."""

    help = (
        "Generate a file of synthetic summaries, import it with import_summaries into a "
        "throwaway database (never the library) and print wall time, summaries/s and peak "
        "memory, next to a run with a quarter of the summaries to show memory stays flat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--summaries", type=int, default=1000)
        parser.add_argument("--chapters", type=int, default=30, help="chapters per summary")
        parser.add_argument(
            "--baseline",
            type=int,
            help="summaries in the smaller run that memory is compared with (default: a quarter)",
        )
        parser.add_argument(
            "--engine",
            choices=["sqlite", "postgresql"],
            help="default: the engine of DATABASE_URL",
        )
        parser.add_argument(
            "--postgres-url",
            help="server to create the throwaway database on (default: DATABASE_URL's server)",
        )

    def handle(self, *args, summaries, chapters, baseline, engine, postgres_url, **options):
        if summaries < 1 or chapters < 0:
            raise CommandError("--summaries must be at least 1 and --chapters at least 0.")
        baseline = baseline if baseline is not None else max(summaries // 4, 1)
        default = settings.DATABASES["default"]
        engine = engine or ("postgresql" if "postgresql" in default["ENGINE"] else "sqlite")
        server = None
        if engine == "postgresql":
            server = dj_database_url.parse(postgres_url) if postgres_url else default
            if "postgresql" not in server["ENGINE"]:
                raise CommandError(
                    "--engine postgresql needs --postgres-url or a PostgreSQL DATABASE_URL."
                )

        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        self.stdout.write(
            f"bench_import: {summaries} summaries x {chapters} chapters on {engine}, "
            f"{os.cpu_count()} cores, load average {load}"
        )
        rows = []
        with tempfile.TemporaryDirectory(prefix="bench_import_") as folder:
            for count in sorted({baseline, summaries}):
                path = Path(folder) / f"summaries-{count}.json"
                started = time.perf_counter()
                write_summary_file(path, count, chapters=chapters)
                self.stdout.write(
                    f"  generated {path.name}: {path.stat().st_size / 1e6:.1f} MB "
                    f"in {time.perf_counter() - started:.1f} s"
                )
                with self._throwaway_database(engine, server, folder) as (url, count_rows):
                    self._manage(url, "migrate", "--no-input", "-v", "0")
                    seconds, peak_kb, output = self._manage(url, "import_summaries", str(path))
                    imported = count_rows()
                expected = (count, count * chapters)
                if imported != expected:
                    raise CommandError(
                        f"The import wrote {imported[0]} summaries and {imported[1]} chapters, "
                        f"expected {expected[0]} and {expected[1]}:\n{output}"
                    )
                rows.append((count, seconds, peak_kb))

        self.stdout.write(
            f"  {'summaries':>9}  {'wall time':>9}  {'summaries/s':>11}  {'peak RSS':>9}"
        )
        for count, seconds, peak_kb in rows:
            rate, peak = count / seconds, peak_kb / 1024
            self.stdout.write(f"  {count:>9}  {seconds:>7.1f} s  {rate:>11.1f}  {peak:>6.1f} MB")
        self.stdout.write("  (wall time of `manage.py import_summaries`, start-up included)")
        if len(rows) == 2:
            growth = (rows[1][2] - rows[0][2]) / 1024
            self.stdout.write(
                f"RSS growth from {rows[0][0]} to {rows[1][0]} summaries: {growth:+.1f} MB"
            )
        count, seconds, _ = rows[-1]
        if (count, chapters) == (1000, 30):
            verdict = "met" if seconds < TARGET_SECONDS else "NOT met"
            self.stdout.write(f"Target 1000 summaries under {TARGET_SECONDS} s: {verdict}")

    def _manage(self, database_url, *arguments):
        """Run a manage.py command on ``database_url``: (seconds, peak RSS in KB, output)."""
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            # Production settings: no query log, as a real import would run.
            "DEBUG": "false",
            "SECRET_KEY": settings.SECRET_KEY,
        }
        with tempfile.TemporaryFile() as output:
            started = time.perf_counter()
            child = subprocess.Popen(  # noqa: S603 (our own manage.py, fixed arguments)
                [sys.executable, str(MANAGE_PY), *arguments],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            # wait4 gives this child's own resource usage, peak RSS included.
            _, status, usage = os.wait4(child.pid, 0)
            seconds = time.perf_counter() - started
            child.returncode = os.waitstatus_to_exitcode(status)
            output.seek(0)
            text = output.read().decode(errors="replace")
        if child.returncode != 0:
            raise CommandError(f"manage.py {' '.join(arguments)} failed:\n{text}")
        return seconds, usage.ru_maxrss, text

    @contextmanager
    def _throwaway_database(self, engine, server, folder):
        """Yield (DATABASE_URL, row counter) for a new empty database, removed afterwards."""
        if engine == "sqlite":
            path = Path(folder) / f"bench-{secrets.token_hex(4)}.sqlite3"
            try:
                yield f"sqlite:///{path}", lambda: _count_sqlite(path)
            finally:
                for leftover in Path(folder).glob(f"{path.name}*"):
                    leftover.unlink()
            return
        name = f"bench_import_{secrets.token_hex(4)}"
        params = {
            "host": server["HOST"] or "localhost",
            "port": server["PORT"] or 5432,
            "user": server["USER"] or None,
            "password": server["PASSWORD"] or None,
        }
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            try:
                url = _postgres_url(params, name)
                yield url, lambda: _count_postgres(params, name)
            finally:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


def _postgres_url(params, name):
    auth = quote(params["user"] or "", safe="")
    if params["password"]:
        auth += f":{quote(params['password'], safe='')}"
    return f"postgres://{auth + '@' if auth else ''}{params['host']}:{params['port']}/{name}"


COUNT_QUERY = "SELECT (SELECT count(*) FROM books_book), (SELECT count(*) FROM books_chapter)"


def _count_sqlite(path):
    with closing(sqlite3.connect(path)) as connection:
        return tuple(connection.execute(COUNT_QUERY).fetchone())


def _count_postgres(params, name):
    with psycopg.connect(dbname=name, **params) as connection:
        return tuple(connection.execute(COUNT_QUERY).fetchone())
