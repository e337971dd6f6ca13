"""gunicorn settings for ``make serve`` and production, read from the environment.

WEB_CONCURRENCY    worker processes (default: two per CPU core available to us)
GUNICORN_THREADS   threads per worker (default 4)
BIND               address to listen on (default 127.0.0.1:$PORT)
PORT               port when BIND is not set (default 8000)
GUNICORN_TIMEOUT   seconds a request may take before its worker is restarted (default 30)
LOG_FORMAT         text (default) or json: gunicorn's own lines in the same format as the site's
"""

# gunicorn's conventional file name; /dev/shm is wanted here, not a temporary-file slip.
# ruff: noqa: N999, S108

import os


def _positive_int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"{name} must be a whole number of at least 1, got {value!r}.")
    return int(value)


def _cores():
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may run on (containers)
    except AttributeError:
        return os.cpu_count() or 1


# Rendering a page is Python work that holds the GIL, so processes give the
# parallelism; two per core also cover the time a worker waits on the database.
workers = _positive_int("WEB_CONCURRENCY", 2 * _cores())
# Threads let a worker keep serving while one of its connections is idle: a
# browser's speculative preconnect opens a socket and may send nothing for
# seconds, which would stall a single-threaded (sync) worker outright.
threads = _positive_int("GUNICORN_THREADS", 4)
worker_class = "gthread"
# gunicorn would bind 0.0.0.0 when PORT is set; listening on every interface is
# a choice to make explicitly with BIND.
bind = [os.environ.get("BIND", "").strip() or f"127.0.0.1:{_positive_int('PORT', 8000)}"]

timeout = _positive_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5
# Restart each worker now and then, so slow growth (fragmentation) never adds up.
max_requests = 5000
max_requests_jitter = 500

# gunicornc's control socket lives at one path per user: several servers on one
# machine (benchmarks, parallel checkouts) would fight over it, and nothing here uses it.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
# The access line ends with the request's id, as the site's own log lines carry it.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms '
    "request=%({x-request-id}o)s"
)
if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "config.log.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "json",
            },
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
            },
        },
        "root": {"handlers": ["stderr"], "level": "INFO"},
        "loggers": {
            "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        },
    }
# The heartbeat file on tmpfs: a slow disk must not make workers look dead.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
