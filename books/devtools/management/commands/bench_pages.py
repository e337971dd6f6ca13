"""``bench_pages``: readers' pages under load from gunicorn with the production settings.

Seeds a synthetic library in a throwaway database (never the library in
``DATABASE_URL``), starts gunicorn on 127.0.0.1 with ``config/gunicorn.conf.py``
and ``DEBUG`` off, and drives it with a fixed number of requests at a fixed
concurrency per page (``books.loadtest``). Prints requests/s, p50/p95 latency,
errors, the server's CPU time per request and the workers' peak memory for the
home, summary, tag and search pages and a trivial view (``/healthz``), each
page also as a ratio to the trivial view; then a mixed run of 30 s at 50
connections, and whether each target is met.

The "uncached" pages are served by a second gunicorn, alike but with the page
cache off (``PAGE_CACHE_SECONDS=0``): every request reaches its view, as a reader
with a session does; the summary page still reads its rendered parts from the
fragment cache. "summary (rendered)" comes from a third, with the fragment cache
off too (``FRAGMENT_CACHE_SECONDS=0``): the whole page rendered from the database.
(A junk query string no longer misses the cache: each page is keyed on the
parameters its view reads.)
"""

import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from taggit.models import Tag

from books.cache import ensure_versions
from books.devtools.library import SyntheticLibrary
from books.devtools.loadtest import Result, ServerProcesses, run_load
from books.devtools.throwaway import require_throwaway, run_worker
from books.models import Book
from books.search import rebuild
from reviews.models import RelatedLink

HOST = "127.0.0.1"
OPTIONS = ("summaries", "chapters", "requests", "concurrency", "duration", "rounds", "seed")
# Ratios of the trivial view's throughput each page must reach, on 2 cores.
TARGETS = {"summary (cached)": 0.85, "summary (uncached)": 0.25, "search": 0.20}
SOAK_CONCURRENCY = 50
WORKER_RSS_LIMIT = 150 * 2**20


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Command(BaseCommand):
    """Benchmark readers' pages served by gunicorn, against a synthetic library."""

    help = (
        "Serve a synthetic library with gunicorn (production settings) in a throwaway "
        "database and measure the home, summary, tag and search pages against a trivial view."
    )

    def add_arguments(self, parser):
        parser.add_argument("--summaries", type=int, default=2000)
        parser.add_argument("--chapters", type=int, default=30, help="Chapters per summary.")
        parser.add_argument(
            "--requests", type=int, default=1000, help="Requests per page (default 1000)."
        )
        parser.add_argument(
            "--concurrency", type=int, default=50, help="Open connections (default 50)."
        )
        parser.add_argument(
            "--duration", type=int, default=30, help="Seconds of the mixed run (default 30)."
        )
        parser.add_argument(
            "--rounds",
            type=int,
            default=3,
            help="Rounds the requests of each page are split into, the pages taking turns, so "
            "that other load on the machine falls on every page alike (default 3).",
        )
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--worker", action="store_true", help=argparse_hidden())

    def handle(self, *args, **options):
        for name in ("summaries", "requests", "concurrency", "duration", "rounds"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1.")
        if not options["worker"]:
            arguments = [f"--{name}={options[name]}" for name in OPTIONS]
            run_worker("bench_pages", "pages", arguments, self.stdout)
            return
        require_throwaway()
        if not os.path.isdir("/proc/self"):
            raise CommandError("bench_pages reads server CPU and memory from /proc (Linux).")
        self.bench(**options)

    def say(self, text=""):
        self.stdout.write(text)
        self.stdout.flush()

    # --- The library ------------------------------------------------------------------------------

    def seed(self, summaries, chapters, seed):
        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        library = SyntheticLibrary(summaries, chapters, seed=seed)
        library.build()
        self.link_summaries()
        rebuild()
        with connection.cursor() as cursor:
            # Planner statistics, as a real library has them: PostgreSQL's autovacuum keeps
            # them, and on SQLite import_summaries and rebuild_search_index refresh them.
            cursor.execute("ANALYZE")
        ensure_versions()  # bulk inserts sent no signals: give every summary its page version
        self.say(
            f"library: {summaries} summaries x {chapters} chapters, seeded and indexed in "
            f"{time.perf_counter() - start:.0f} s"
        )
        return library

    @staticmethod
    def link_summaries():
        """Two related links per summary to other summaries, as editors write them."""
        ids = list(Book.objects.order_by("pk").values_list("pk", flat=True))
        if len(ids) < 3:
            return
        with transaction.atomic():
            RelatedLink.objects.bulk_create(
                (
                    RelatedLink(
                        book_id=book,
                        target_id=ids[(index + step) % len(ids)],
                        note="Read this next.",
                        position=position,
                    )
                    for index, book in enumerate(ids)
                    for position, step in ((2, 1), (3, len(ids) // 3))
                ),
                batch_size=2000,
            )

    @staticmethod
    def search_words(library, count=20):
        """Words found in 0.5-5 % of the summaries: a typical reader's query."""
        total = library.summaries
        band = sorted(
            word
            for word, n in library.document_frequency.items()
            if 0.005 * total <= n <= 0.05 * total
        )
        rng = random.Random(len(band))  # noqa: S311
        return rng.sample(band, min(count, len(band))) or ["model"]

    # --- The server -------------------------------------------------------------------------------

    def start_server(self, folder, **settings_env):
        port = free_port()
        folder.mkdir(exist_ok=True)
        env = {
            **{k: v for k, v in os.environ.items() if k not in {"BIND"}},
            "DEBUG": "false",
            # Capacity is measured from one client address: the per-address search limit
            # (SEARCH_RATE) would answer most searches with 429 and count them as errors.
            "RATELIMIT_ENABLE": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "STATIC_ROOT": str(folder / "static"),
            "MEDIA_ROOT": str(folder / "media"),
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "SECURE_HSTS_SECONDS": "0",
            "PORT": str(port),
            **settings_env,
        }
        subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, str(settings.BASE_DIR / "manage.py"), "collectstatic", "--no-input"],
            env=env,
            check=True,
            capture_output=True,
        )
        log = open(folder / "gunicorn.log", "w")  # noqa: SIM115 - closed with the server
        server = subprocess.Popen(  # noqa: S603 - gunicorn with the project's own config
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                str(settings.BASE_DIR / "config" / "gunicorn.conf.py"),
                "config.wsgi",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,  # the access log: one line per request
            stderr=log,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    raise CommandError(
                        "gunicorn did not start:\n" + (folder / "gunicorn.log").read_text()
                    ) from None
                time.sleep(0.2)
        # Let every worker boot before measuring.
        processes = ServerProcesses(server.pid)
        expected = int(os.environ.get("WEB_CONCURRENCY") or 2 * len(os.sched_getaffinity(0)))
        while len(processes.workers()) < expected and time.monotonic() < deadline:
            time.sleep(0.2)
        return server, port, processes, log

    # --- The run ---------------------------------------------------------------------------

    def bench(self, summaries, chapters, requests, concurrency, duration, rounds, seed, **options):
        version = connection.Database.sqlite_version if connection.vendor == "sqlite" else ""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                version = cursor.fetchone()[0]
        cores = len(os.sched_getaffinity(0))
        self.say(
            f"bench_pages: {connection.vendor} {version}, Python {sys.version.split()[0]}, "
            f"{cores} cores, load average {os.getloadavg()[0]:.2f} at the start"
        )
        library = self.seed(summaries, chapters, seed)
        public = Book.objects.published()
        summary_slug = public.order_by("pk").values_list("slug", flat=True)[summaries // 2]
        book_type = ContentType.objects.get_for_model(Book)
        tag = (
            Tag.objects.filter(taggit_taggeditem_items__content_type=book_type)
            .annotate(uses=Count("taggit_taggeditem_items"))
            .order_by("-uses")
            .first()
        )
        words = self.search_words(library)
        summary_url = f"/books/{summary_slug}/"
        tag_url = f"/tags/{tag.slug}/"

        folder = Path(tempfile.mkdtemp(prefix="bench_pages_"))
        server, port, processes, log = self.start_server(folder / "cached")
        servers = [(server, log)]
        try:
            cold_server, cold_port, cold_processes, cold_log = self.start_server(
                folder / "uncached", PAGE_CACHE_SECONDS="0"
            )
            servers.append((cold_server, cold_log))
            bare_server, bare_port, bare_processes, bare_log = self.start_server(
                folder / "rendered", PAGE_CACHE_SECONDS="0", FRAGMENT_CACHE_SECONDS="0"
            )
            servers.append((bare_server, bare_log))
            self.say(
                f"gunicorn: {len(processes.workers())} workers x "
                f"{os.environ.get('GUNICORN_THREADS', '4')} threads (config/gunicorn.conf.py), "
                f"DEBUG off, cache: {self.cache_name()}; client: one asyncio process, "
                f"{concurrency} keep-alive connections, {requests} requests per page; "
                "uncached pages from a second, alike gunicorn with PAGE_CACHE_SECONDS=0, "
                "the rendered summary from a third with FRAGMENT_CACHE_SECONDS=0 too; "
                "search rate limit off (one client address)"
            )
            self.say(
                f"pages: summary {summary_url} ({chapters} chapters), tag {tag_url} "
                f"({tag.uses} summaries), search /search/?q=… ({len(words)} words found in "
                "0.5-5 % of the summaries, in turn)"
            )
            processes.start_sampling()
            cold_processes.start_sampling()
            bare_processes.start_sampling()
            results = self.measure(
                (port, processes),
                (cold_port, cold_processes),
                (bare_port, bare_processes),
                requests,
                concurrency,
                rounds,
                summary_url,
                tag_url,
                words,
            )
            fresh = self.check_invalidation(port, summary_slug, len(processes.workers()))
            soak = run_load(
                "mixed, 50 connections",
                HOST,
                port,
                self.mixed(summary_url, tag_url, words, summaries),
                concurrency=SOAK_CONCURRENCY,
                duration=duration,
                server=processes,
            )
            processes.stop_sampling()
            cold_processes.stop_sampling()
            bare_processes.stop_sampling()
            self.report(results, soak, (processes, cold_processes, bare_processes), fresh, duration)
        finally:
            for running, output in servers:
                running.terminate()
                try:
                    running.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    running.kill()
                output.close()
            shutil.rmtree(folder, ignore_errors=True)

    @staticmethod
    def cache_name():
        backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        where = f"version tokens in the {settings.PAGE_CACHE_TOKENS}"
        if "Redis" in backend:
            return f"{backend} (REDIS_URL), {where}"
        return f"{backend}, one per worker, {where}"

    def measure(
        self, cached, uncached, rendered, requests, concurrency, rounds, summary_url, tag_url, words
    ):
        """Each page on its server: ``cached``, ``uncached`` and ``rendered`` are
        (port, ServerProcesses)."""

        def same(url):
            return lambda n: url

        pages = [
            ("trivial view (/healthz)", same("/healthz"), cached),
            ("home (cached)", same("/"), cached),
            ("home (uncached)", same("/"), uncached),
            ("summary (cached)", same(summary_url), cached),
            ("summary (uncached)", same(summary_url), uncached),
            ("summary (rendered)", same(summary_url), rendered),
            ("tag (cached)", same(tag_url), cached),
            ("tag (uncached)", same(tag_url), uncached),
            ("search", lambda n: f"/search/?q={words[n % len(words)]}", cached),
        ]
        # Warm up: every worker imports its code and opens its connections once.
        for port, _ in (cached, uncached, rendered):
            warm = [paths for _, paths, _ in pages]
            run_load(
                "warm-up",
                HOST,
                port,
                lambda n, warm=warm: warm[n % len(warm)](n),
                concurrency=concurrency,
                total=20 * len(warm),
            )
        results = {label: Result(label) for label, _, _ in pages}
        for round_number in range(rounds):
            share = requests // rounds + (1 if round_number < requests % rounds else 0)
            for label, paths, (port, processes) in pages:
                run_load(
                    label,
                    HOST,
                    port,
                    paths,
                    concurrency=concurrency,
                    total=share,
                    server=processes,
                    into=results[label],
                )
        for result in results.values():
            self.say(f"  measured {result.label}: {result.rate:.0f} requests/s")
        return list(results.values())

    def mixed(self, summary_url, tag_url, words, summaries):
        """A reader mix: mostly cached pages, some cold summaries and searches."""
        rng = random.Random(7)  # noqa: S311
        slugs = list(Book.objects.published().values_list("slug", flat=True)[:summaries])

        def path(n):
            roll = rng.random()
            if roll < 0.35:
                return summary_url
            if roll < 0.55:
                return f"/books/{rng.choice(slugs)}/"
            if roll < 0.70:
                return "/"
            if roll < 0.85:
                return tag_url
            if roll < 0.95:
                return f"/search/?q={rng.choice(words)}"
            return "/healthz"

        return path

    def check_invalidation(self, port, slug, workers):
        """Edit the summary here, in a process that is none of the workers (each of which has
        the page cached); count the requests that still get the old page."""
        book = Book.objects.get(slug=slug)
        book.title = f"{book.title} (edited during the benchmark)"
        book.save()  # autocommit: summaries_changed runs now, in this process only
        stale, checked = 0, workers * 10
        for _ in range(checked):  # a new connection each time, so every worker answers some
            url = f"http://{HOST}:{port}/books/{slug}/"
            with urllib.request.urlopen(url, timeout=10) as response:
                if "(edited during the benchmark)" not in response.read().decode():
                    stale += 1
        return stale, checked

    # --- The report -------------------------------------------------------------------------------

    def report(self, results, soak, servers, fresh, duration):
        trivial = results[0]
        self.say("")
        self.say(
            f"{'page':<25} {'req/s':>7} {'ratio':>6} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6} "
            f"{'server CPU ms/req':>17} {'CPU ratio':>9} {'client CPU':>10} {'others':>6} "
            f"{'cache hits':>10}"
        )
        for result in [*results, soak]:
            hits = result.headers.get("hit", 0)
            states = sum(result.headers.values())
            self.say(
                f"{result.label:<25} {result.rate:>7.0f} {result.rate / trivial.rate:>6.2f} "
                f"{result.percentile(0.5):>7.1f} {result.percentile(0.95):>7.1f} "
                f"{result.failures:>6} {result.server_ms_per_request:>17.2f} "
                f"{trivial.server_ms_per_request / result.server_ms_per_request:>9.2f} "
                f"{result.client_cpu / result.wall:>9.0%} {result.others_cores:>6.2f} "
                f"{(f'{hits / states:.0%}' if states else '-'):>10}"
            )
        peak = max(processes.worker_peak for processes in servers)
        seen = sum(len(processes.peak_rss) for processes in servers)
        self.say("")
        self.say(
            f"worker peak RSS: {peak / 2**20:.1f} MB (highest VmHWM of {seen} "
            "worker processes seen, recycled ones included)"
        )
        stale, checked = fresh
        self.say(
            f"invalidation across workers: after an edit made in this process, {stale} of "
            f"{checked} requests on new connections served the old title"
        )
        for result in [*results, soak]:
            if result.errors:
                common = Counter(error.split(":", 2)[-1] for error in result.errors).most_common(3)
                self.say(f"errors in {result.label}: {common}")
        self.say("")
        by_label = {result.label: result for result in results}
        verdicts = []
        for label, target in TARGETS.items():
            ratio = by_label[label].rate / trivial.rate
            cpu_ratio = trivial.server_ms_per_request / by_label[label].server_ms_per_request
            verdicts.append(
                (
                    f"{label} ≥ {target:.0%} of the trivial view's throughput: {ratio:.0%} "
                    f"(server CPU per request: {cpu_ratio:.0%})",
                    ratio >= target,
                )
            )
        verdicts.append(
            (
                f"zero errors at {SOAK_CONCURRENCY} connections for {duration} s: "
                f"{soak.failures} errors in {soak.requests} requests",
                soak.failures == 0 and duration >= 30,
            )
        )
        verdicts.append(
            (
                f"worker RSS ≤ {WORKER_RSS_LIMIT // 2**20} MB: {peak / 2**20:.1f} MB",
                0 < peak <= WORKER_RSS_LIMIT,
            )
        )
        verdicts.append((f"no stale page after an edit: {stale} stale", stale == 0))
        for text, met in verdicts:
            self.say(f"target {text} {'PASS' if met else 'MISS'}")


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS
