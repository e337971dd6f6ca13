"""Primary/replica routing: readers' queries go to the read replica, everything else to the primary.

Installed by the settings when DATABASE_REPLICA_URL is set. A replica lags the
primary by a moment, so a read goes to the primary whenever it may need to see
a recent write:

- inside a transaction (the admin saves in one and reads back what it wrote);
- after a write in the same request or command (read-your-writes);
- for the whole request when it is not a GET/HEAD/OPTIONS, or comes from an
  editor (staff): an editor must see their edit on the page they are sent to next;
- always for accounts, sessions, the admin log and anything outside the library's
  content, so that a sign-in is never lost to replication lag.
"""

import contextvars
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
# Apps whose rows readers browse: the bulk of all reads, and safe to read a moment late.
REPLICA_APPS = frozenset({"books", "reviews", "taggit"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_use_primary = contextvars.ContextVar("use_primary", default=False)


@contextmanager
def routing_scope(*, primary=False):
    """One unit of work (a request): reads may use the replica unless ``primary``.

    A write inside the scope sends the scope's later reads to the primary; the
    next scope starts afresh.
    """
    token = _use_primary.set(primary)
    try:
        yield
    finally:
        _use_primary.reset(token)


class PrimaryReplicaRouter:
    """Reads of the library's content go to ``replica``; writes and migrations to the primary."""

    def db_for_read(self, model, **hints):
        if (
            model._meta.app_label in REPLICA_APPS
            and not _use_primary.get()
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        _use_primary.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # both aliases hold the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class PrimaryReplicaMiddleware:
    """Gives each request its own routing scope: editors and writing requests use the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        primary = request.method not in SAFE_METHODS or bool(user and user.is_staff)
        with routing_scope(primary=primary):
            return self.get_response(request)
