"""A private PostgreSQL cluster on a free local port, for tests that stop and restart the database.

Never the shared server: ``initdb`` makes a cluster in a temporary folder, ``pg_ctl``
starts and stops it, and it is deleted afterwards. The binaries come from
``pg_config --bindir`` or Debian's /usr/lib/postgresql/<version>/bin. PostgreSQL
refuses to run as root, so as root the cluster runs as the ``postgres`` user.
"""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.servers import free_port


def _bindir():
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidates.insert(0, found.stdout.strip())
    for folder in candidates:
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


class PrivateCluster:
    """One PostgreSQL cluster of our own: ``url(name)``, ``stop()``, ``start()``, ``createdb()``."""

    def __init__(self, bindir, folder, port, user):
        self.bindir, self.folder, self.port, self.user = bindir, folder, port, user
        self.data = folder / "data"

    def _run(self, program, *arguments, check=True):
        return subprocess.run(
            [str(self.bindir / program), *arguments],
            user=self.user,
            cwd=self.folder,
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def initdb(self):
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")  # fmt: skip

    def start(self):
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                  str(self.folder / "server.log"), "-w", "start")  # fmt: skip

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def url(self, name="postgres"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def createdb(self, name):
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)


@contextmanager
def private_postgres():
    """Yield a started ``PrivateCluster``; stop and delete it afterwards.

    Skipped where PostgreSQL's server binaries are missing, except in CI (CI=true),
    where that is a failure.
    """
    bindir = _bindir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL's initdb and pg_ctl are needed (apt-get install postgresql)")
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed")
    user = None
    folder = Path(tempfile.mkdtemp(prefix="private_pg_"))
    if os.geteuid() == 0:
        user = "postgres"
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    cluster = PrivateCluster(bindir, folder, free_port(), user)
    try:
        cluster.initdb()
        cluster.start()
        yield cluster
    finally:
        cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def throwaway_database(prefix):
    """Yield the URL of a new, empty database on the shared PostgreSQL server; drop it afterwards.

    For tests that need PostgreSQL but not a server of their own (starting a private
    cluster costs seconds). The server is ``CI_POSTGRES_URL``'s, else 127.0.0.1:5432.
    Unreachable, it fails the test in CI (CI=true) and skips it elsewhere.
    """
    import secrets

    import dj_database_url
    import psycopg

    server = dj_database_url.parse(
        os.environ.get("CI_POSTGRES_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    )
    name = f"{prefix}_{secrets.token_hex(4)}"
    options = {
        "host": server["HOST"] or "127.0.0.1",
        "port": server["PORT"] or 5432,
        "user": server["USER"] or "postgres",
        "password": server["PASSWORD"] or None,
        "dbname": "postgres",
        "connect_timeout": 5,
        "autocommit": True,
    }
    try:
        with psycopg.connect(**options) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is unreachable: {error}")
        pytest.skip(f"PostgreSQL is unreachable: {error}")
    password = f":{options['password']}" if options["password"] else ""
    try:
        yield f"postgres://{options['user']}{password}@{options['host']}:{options['port']}/{name}"
    finally:
        with psycopg.connect(**options) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
