"""``bench_flood``: the home page's latency while clients flood search from one address.

Serves a throwaway library the way ``make serve`` does (gunicorn with
``config/gunicorn.conf.py``, DEBUG off, whitenoise) and, for ``--seconds``, has
``--clients`` threads send the most expensive search they can build from one
address, as fast as the server answers, while one reader loads the home page every
50 ms. Prints the home page's p50/p95 alone and under the flood, and what the flood
got back (mostly 429s once the rate limit counts it). Never touches the library in
``DATABASE_URL``.
"""

import http.client
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from books.devtools.library import SyntheticLibrary
from books.devtools.throwaway import require_throwaway, run_worker
from books.search import rebuild

TARGET_P95_MS = 250


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Client:
    """One keep-alive HTTP/1.1 connection to the local server."""

    def __init__(self, port):
        self.port = port
        self.connection = None

    def get(self, path):
        for _ in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.connection.request("GET", path)
                response = self.connection.getresponse()
                response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status
            except (OSError, http.client.HTTPException):
                self.close()
        return 0

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class Command(BaseCommand):
    """Measure the home page under a search flood from one address."""

    help = "Home page p95 on a production-like server while clients flood search."

    def add_arguments(self, parser):
        parser.add_argument("--summaries", type=int, default=2000)
        parser.add_argument("--chapters", type=int, default=10)
        parser.add_argument("--clients", type=int, default=16)
        parser.add_argument("--seconds", type=float, default=20)
        parser.add_argument("--worker", action="store_true", help="(internal)")

    def handle(self, *args, summaries, chapters, clients, seconds, worker=False, **options):
        if not worker:
            arguments = [
                f"--summaries={summaries}",
                f"--chapters={chapters}",
                f"--clients={clients}",
                f"--seconds={seconds}",
            ]
            run_worker("bench_flood", "flood", arguments, self.stdout)
            return
        require_throwaway()
        self.flood(summaries, chapters, clients, seconds)

    def say(self, text=""):
        self.stdout.write(text)
        self.stdout.flush()

    def flood(self, summaries, chapters, clients, seconds):
        call_command("migrate", verbosity=0)
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        library = SyntheticLibrary(summaries, chapters)
        library.build()
        rebuild()
        common = [word for word, _ in library.document_frequency.most_common(24)]
        hostile = " OR ".join(f'"{common[i]} {common[i + 1]}"' for i in range(0, 24, 2))
        with tempfile.TemporaryDirectory() as folder:
            port = free_port()
            environment = {
                **os.environ,
                "DEBUG": "false",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "127.0.0.1",
                "SECURE_SSL_REDIRECT": "false",
                "SECURE_COOKIES": "false",
                "SECURE_HSTS_SECONDS": "0",
                "STATIC_ROOT": str(Path(folder) / "static"),
                "PORT": str(port),
            }
            environment.pop("BIND", None)
            manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
            subprocess.run(  # noqa: S603 - our own manage.py
                [*manage, "collectstatic", "--no-input", "-v", "0"], env=environment, check=True
            )
            server = subprocess.Popen(  # noqa: S603 - gunicorn as make serve starts it
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "--config",
                    str(settings.BASE_DIR / "config" / "gunicorn.conf.py"),
                    "--access-logfile",
                    os.devnull,
                    "config.wsgi",
                ],
                cwd=settings.BASE_DIR,
                env=environment,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                self.wait_for(port)
                self.measure(port, hostile, clients, seconds)
            finally:
                server.terminate()
                server.wait(timeout=30)

    def wait_for(self, port):
        client = Client(port)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if client.get("/") == 200:
                client.close()
                return
            time.sleep(0.2)
        raise CommandError("The server did not answer within a minute.")

    def home_latencies(self, port, seconds):
        client, latencies = Client(port), []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            start = time.perf_counter()
            status = client.get("/")
            latencies.append((time.perf_counter() - start) * 1000 if status == 200 else 1e9)
            time.sleep(0.05)
        client.close()
        return latencies

    def measure(self, port, hostile, clients, seconds):
        self.say(
            f"bench_flood: gunicorn (config/gunicorn.conf.py: WEB_CONCURRENCY="
            f"{os.environ.get('WEB_CONCURRENCY', '2 per core')}, threads "
            f"{os.environ.get('GUNICORN_THREADS', '4')}), DEBUG off, "
            f"cache: {'Redis' if os.environ.get('REDIS_URL') else 'local memory'}, "
            f"search rate limit {settings.SEARCH_RATE} per address"
        )
        self.say(f"flood query: {hostile[:90]}…")
        alone = self.home_latencies(port, min(seconds, 10))
        statuses, stop = Counter(), threading.Event()
        path = "/search/?" + urlencode({"q": hostile})

        def flood():
            client = Client(port)
            while not stop.is_set():
                statuses[client.get(path)] += 1
            client.close()

        threads = [threading.Thread(target=flood, daemon=True) for _ in range(clients)]
        for thread in threads:
            thread.start()
        time.sleep(1)  # the flood is under way
        flooded = self.home_latencies(port, seconds)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        self.say("")
        self.say(f"{'home page':<28} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for label, values in (("alone", alone), (f"under {clients} flooding clients", flooded)):
            self.say(
                f"{label:<28} {len(values):>5} {percentile(values, 0.5):>8.1f} "
                f"{percentile(values, 0.95):>8.1f} {max(values):>8.1f}"
            )
        answered = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
        self.say(f"flood requests answered: {sum(statuses.values())} ({answered})")
        p95 = percentile(flooded, 0.95)
        self.say(
            f"target home p95 ≤ {TARGET_P95_MS} ms under the flood: {p95:.1f} ms "
            + ("PASS" if p95 <= TARGET_P95_MS else "MISS")
        )
