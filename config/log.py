"""Logging: every line to standard error, with the id of the request it belongs to.

``RequestIdMiddleware`` gives each request an id (the proxy's ``X-Request-ID`` when
``BEHIND_PROXY`` is set and it looks like one, else a new one), sends it back in the
``X-Request-ID`` header and keeps it for the log lines written meanwhile;
``RequestIdFilter`` puts it on each record. ``LOG_FORMAT=json`` switches the lines
to one JSON object each, for log collectors (``JsonFormatter``).
"""

import contextvars
import json
import logging
import re
import uuid

from django.conf import settings

_request_id = contextvars.ContextVar("request_id", default="-")
# What a proxy's id may look like: no spaces, quotes or control characters in the logs.
_VALID_ID = re.compile(r"[A-Za-z0-9._:@-]{1,64}")


def current_request_id():
    """The id of the request being served in this thread, or ``-`` outside one."""
    return _request_id.get()


class RequestIdMiddleware:
    """Gives each request an id, for its response's ``X-Request-ID`` and its log lines."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("x-request-id", "") if settings.BEHIND_PROXY else ""
        request_id = given if _VALID_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response.headers["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record):
        record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message and traceback."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
