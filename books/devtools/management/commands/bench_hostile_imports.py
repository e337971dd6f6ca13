"""``bench_hostile_imports``: how fast, and in how much memory, hostile summary files are refused.

Writes hostile files into a temporary folder (deep nesting, a broken file of open
objects, one huge string, a file over ``--max-bytes``, a large file with a trailing
comma), runs ``manage.py import_summaries`` on each in a child process against a
throwaway SQLite file, and prints the child's wall time and peak memory with the
first line of its refusal. Then times reading a large valid file against
``json.loads`` of the same file: parsing must stay linear, within 2x of it.
"""

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from books.devtools.summary_files import write_summary_file
from books.summaries.format import DEFAULT_MAX_BYTES, check_file, read_items

DEPTH = 100_000
MB = 2**20


class Command(BaseCommand):
    """Refusal time and memory for hostile import files; reading time against json.loads."""

    help = (
        "Write hostile summary files, refuse each with import_summaries in a child process "
        "(time, peak memory, message), and compare reading a large file with json.loads."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--megabytes", type=int, default=200, help="size of the large files (default 200)"
        )

    def say(self, text=""):
        self.stdout.write(text)
        self.stdout.flush()

    def handle(self, *args, megabytes, **options):
        folder = Path(tempfile.mkdtemp(prefix="bench_hostile_"))
        try:
            self.run(folder, megabytes)
        finally:
            for path in folder.iterdir():
                path.unlink()
            folder.rmdir()

    def run(self, folder, megabytes):
        self.say(
            f"bench_hostile_imports: Python {sys.version.split()[0]}, load average "
            f"{os.getloadavg()[0]:.2f} at the start"
        )
        files = {
            f"nested {DEPTH:,} levels deep": ("[" * DEPTH + "]" * DEPTH).encode(),
            f'{{"a": repeated {DEPTH:,} times (broken)': ('{"a":' * DEPTH).encode(),
            "one 40 MB string": b'[{"title": "' + b"a" * (40 * MB) + b'"}]',
        }
        for label, content in files.items():
            path = folder / "hostile.json"
            path.write_bytes(content)
            self.refuse(label, path)
        oversized = folder / "oversized.json"
        with open(oversized, "wb") as stream:
            stream.truncate(DEFAULT_MAX_BYTES + 1)  # sparse: the size alone is refused
        self.refuse(f"{(DEFAULT_MAX_BYTES + 1) / MB:.0f} MB file (over --max-bytes)", oversized)
        oversized.unlink()

        large = folder / "large.json"
        count = max(1, megabytes * 2000 // 40)  # about 40 MB per 2,000 summaries
        write_summary_file(large, count, chapters=30)
        size = large.stat().st_size
        self.say(f"large file: {count:,} summaries x 30 chapters, {size / MB:.0f} MB")
        loads = self.timed(lambda: json.loads(large.read_bytes()))
        reading = self.timed(lambda: sum(1 for _ in read_items(large, max_bytes=size)))
        self.say(
            f"  json.loads: {loads:.2f} s; read_items (check, then stream every summary): "
            f"{reading:.2f} s = {reading / loads:.2f}x json.loads"
        )
        data = large.read_bytes().rstrip()
        comma = folder / "comma.json"
        comma.write_bytes(data[:-1].rstrip() + b",\n]\n")
        del data
        large.unlink()
        loads = self.timed(lambda: json.loads(comma.read_bytes()))
        refusal = self.timed(lambda: check_file(comma, max_bytes=size * 2))
        self.say(
            f"  the same file with a trailing comma: json.loads fails in {loads:.2f} s; "
            f"refused in {refusal:.2f} s = {refusal / loads:.2f}x json.loads"
        )
        self.refuse("the same file with a trailing comma", comma, "--max-bytes", str(size * 2))

    @staticmethod
    def timed(work):
        start = time.perf_counter()
        with contextlib.suppress(Exception):  # a refusal is what is timed
            work()
        return time.perf_counter() - start

    def refuse(self, label, path, *arguments):
        """``import_summaries path`` in a child process: the time and memory the refusal took
        once Django was loaded, the whole process's peak memory, and its message."""
        with tempfile.TemporaryDirectory() as database:
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite:///{database}/throwaway.sqlite3",
                "DJANGO_SETTINGS_MODULE": "config.settings",
            }
            child = subprocess.run(  # noqa: S603 - our own code, fixed arguments
                [sys.executable, "-c", CHILD, str(path), *arguments],
                cwd=settings.BASE_DIR,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
        try:
            report = json.loads(child.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            self.say(f"{label}: the child failed\n{child.stderr[-2000:]}")
            return
        message = report["message"].replace(str(path.parent) + "/", "")
        self.say(
            f"{label}: {'refused' if report['refused'] else 'NOT refused'} in "
            f"{report['seconds']:.2f} s; memory {report['ready_mb']:.0f} MB with Django loaded, "
            f"{report['peak_mb']:.0f} MB at the peak (+{report['peak_mb'] - report['ready_mb']:.0f}"
            f" MB)\n  {message[:200]}"
        )


# Loads Django, then imports the file with import_summaries, timing only the import.
CHILD = """
import io, json, sys, time
import django

def high_water_mb():  # this process's own peak (ru_maxrss would count the parent's, from fork)
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024

django.setup()
from django.core.management import call_command
from django.core.management.base import CommandError
ready = high_water_mb()
errors = io.StringIO()
start = time.perf_counter()
try:
    call_command("import_summaries", *sys.argv[1:], stdout=io.StringIO(), stderr=errors)
    refused = False
except CommandError:
    refused = True
seconds = time.perf_counter() - start
peak = high_water_mb()
lines = errors.getvalue().strip().splitlines()
print(json.dumps({"refused": refused, "seconds": seconds, "ready_mb": ready, "peak_mb": peak,
                  "message": lines[0] if lines else ""}))
"""
