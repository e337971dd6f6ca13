"""A throwaway database of the engine in use, for commands that must not touch the library.

``search_eval`` and ``bench_search`` re-run themselves in a child process whose
``DATABASE_URL`` points at a new, empty database: a temporary SQLite file, or a
PostgreSQL database created for the run and dropped after it.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from urllib.parse import quote

import psycopg
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection

#: Every throwaway database name contains this, and workers refuse any other.
MARKER = "throwaway_search"


@contextmanager
def throwaway_database(label):
    """Yield the URL of a new empty database of the current engine; delete it afterwards."""
    database = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        folder = tempfile.mkdtemp(prefix=f"{MARKER}_")
        try:
            yield f"sqlite:///{folder}/{MARKER}_{label}.sqlite3"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    if connection.vendor != "postgresql":
        raise CommandError(f"Search supports SQLite and PostgreSQL, not {connection.vendor}.")

    name = f"{MARKER}_{label}_{os.getpid()}"
    admin = {
        "host": database["HOST"] or None,
        "port": database["PORT"] or 5432,
        "user": database["USER"] or None,
        "password": database["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.execute(f'CREATE DATABASE "{name}"')
    user = quote(database["USER"] or "", safe="")
    password = f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else ""
    host = database["HOST"] or "localhost"
    try:
        yield f"postgres://{user}{password}@{host}:{admin['port']}/{name}"
    finally:
        with psycopg.connect(**admin) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_worker(command, label, arguments, stdout):
    """Run ``manage.py command --worker …`` against a throwaway database, relaying its output."""
    with throwaway_database(label) as url:
        environment = {**os.environ, "DATABASE_URL": url}
        process = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
            [sys.executable, str(settings.BASE_DIR / "manage.py"), command, "--worker", *arguments],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for line in process.stdout:
            stdout.write(line.rstrip("\n"))
        if process.wait():
            raise CommandError(f"{command} failed (exit status {process.returncode}).")


def require_throwaway():
    """Stop a worker that is not pointed at a throwaway database."""
    name = str(settings.DATABASES["default"]["NAME"])
    if MARKER not in name:
        raise CommandError(f"--worker runs only against a throwaway database, not {name!r}.")
    # Timing runs must not keep every query in memory.
    settings.DEBUG = False
