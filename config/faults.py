"""Faults answered plainly instead of with a 500."""

import logging

from django.db import OperationalError
from django.shortcuts import render

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 60


class DatabaseBusyMiddleware:
    """On SQLite, a write that waited its whole busy timeout for another writer (a long
    ``import_summaries``, which holds the write lock until its file is in) answers a
    503 page that says so, with ``Retry-After``: nothing was saved, try again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not (isinstance(exception, OperationalError) and "database is locked" in str(exception)):
            return None
        logger.warning("The database was locked by another writer: %s %s", request.method,
                       request.path)  # fmt: skip
        response = render(request, "database_busy.html", status=503)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
