"""A small HTTP/1.1 load generator for ``bench_pages``, and the server-side measurements around it.

One asyncio process opens a fixed number of keep-alive connections and sends
GET requests over them until a fixed number has been answered (or a duration
has passed). It parses only the status line and the body's length, so it costs
little CPU next to the server it drives on the same two cores. The server's
CPU time and its workers' peak memory are read from ``/proc`` (Linux).
"""

import asyncio
import os
import threading
import time
from dataclasses import dataclass, field

REQUEST_TIMEOUT = 30
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class Result:
    """What one run of the load measured."""

    label: str
    latencies: list = field(default_factory=list)
    statuses: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    headers: dict = field(default_factory=dict)  # X-Page-Cache values seen, counted
    wall: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    machine_cpu: float = 0.0

    @property
    def requests(self):
        return len(self.latencies)

    @property
    def failures(self):
        bad = sum(count for status, count in self.statuses.items() if status >= 400)
        return bad + len(self.errors)

    @property
    def rate(self):
        return self.requests / self.wall if self.wall else 0.0

    def percentile(self, fraction):
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] * 1000

    @property
    def server_ms_per_request(self):
        return self.server_cpu / self.requests * 1000 if self.requests else float("nan")

    @property
    def others_cores(self):
        """Cores used meanwhile by anything but this client and the server's processes
        (for PostgreSQL, its backends are among them)."""
        if not self.wall:
            return float("nan")
        return max(0.0, self.machine_cpu - self.server_cpu - self.client_cpu) / self.wall


class _Connection:
    """One keep-alive connection; reconnects when the server closed it between requests."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    async def get(self, path):
        """``(status, cache state)`` of ``GET path``; retried once on a connection the
        server had closed (as browsers do: gunicorn closes idle ones and restarts workers)."""
        for attempt in (1, 2):
            fresh = self.writer is None
            if fresh:
                await self.open()
            try:
                return await self._exchange(path)
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if fresh or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _exchange(self, path):
        request = f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n"
        self.writer.write(request.encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers.get("x-page-cache", "")


async def _drive(host, port, paths, concurrency, result, *, total=None, duration=None):
    """Send requests for ``paths(n)`` over ``concurrency`` connections."""
    issued = 0
    deadline = time.perf_counter() + duration if duration else None

    def next_path():
        nonlocal issued
        if total is not None and issued >= total:
            return None
        if deadline is not None and time.perf_counter() >= deadline:
            return None
        issued += 1
        return paths(issued)

    async def worker():
        connection = _Connection(host, port)
        try:
            while (path := next_path()) is not None:
                start = time.perf_counter()
                try:
                    status, cache_state = await asyncio.wait_for(
                        connection.get(path), REQUEST_TIMEOUT
                    )
                except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as error:
                    connection.close()
                    result.errors.append(f"{path}: {type(error).__name__}: {error}")
                    result.latencies.append(time.perf_counter() - start)
                    continue
                result.latencies.append(time.perf_counter() - start)
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if cache_state:
                    result.headers[cache_state] = result.headers.get(cache_state, 0) + 1
        finally:
            connection.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


def machine_busy_seconds():
    """CPU time all processes of the machine have used, from /proc/stat (idle and iowait aside)."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def run_load(
    label, host, port, paths, *, concurrency, total=None, duration=None, server=None, into=None
):
    """Drive the server; return a ``Result`` (or add to ``into``) with throughput, latencies and
    the CPU time used by the server, by this client and by the whole machine meanwhile."""
    result = into or Result(label)
    cpu_before = server.cpu_seconds() if server else 0.0
    machine_before = machine_busy_seconds()
    client_before = time.process_time()
    start = time.perf_counter()
    asyncio.run(_drive(host, port, paths, concurrency, result, total=total, duration=duration))
    result.wall += time.perf_counter() - start
    result.client_cpu += time.process_time() - client_before
    result.machine_cpu += machine_busy_seconds() - machine_before
    result.server_cpu += (server.cpu_seconds() - cpu_before) if server else 0.0
    return result


class ServerProcesses:
    """A gunicorn master and its workers, seen through /proc: CPU time and peak memory."""

    def __init__(self, master_pid):
        self.master = master_pid
        self.peak_rss = {}  # worker pid -> highest VmHWM seen (bytes)
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    def workers(self):
        try:
            with open(f"/proc/{self.master}/task/{self.master}/children") as children:
                return [int(pid) for pid in children.read().split()]
        except OSError:
            return []

    @staticmethod
    def _stat(pid):
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        # utime, stime, cutime, cstime: fields 14-17 of proc(5), here offset by the two cut off
        return [int(value) / CLOCK_TICKS for value in fields[11:15]]

    def cpu_seconds(self):
        """CPU used by the master, its live workers and the workers it has already reaped."""
        try:
            utime, stime, cutime, cstime = self._stat(self.master)
        except OSError:
            return 0.0
        total = utime + stime + cutime + cstime
        for pid in self.workers():
            try:
                worker_utime, worker_stime, _, _ = self._stat(pid)
            except OSError:
                continue  # just exited: counted in cutime once reaped
            total += worker_utime + worker_stime
        return total

    @staticmethod
    def _high_water_mark(pid):
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        return 0

    def sample(self):
        for pid in self.workers():
            try:
                rss = self._high_water_mark(pid)
            except OSError:
                continue
            self.peak_rss[pid] = max(self.peak_rss.get(pid, 0), rss)

    def _sample(self):
        while not self._stop.wait(0.25):
            self.sample()

    def start_sampling(self):
        self._sampler.start()

    def stop_sampling(self):
        self._stop.set()
        self._sampler.join()
        self.sample()

    @property
    def worker_peak(self):
        return max(self.peak_rss.values(), default=0)
