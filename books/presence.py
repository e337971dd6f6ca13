"""Who has a summary open in the admin right now: a short heartbeat kept in the cache.

Each open change page posts a heartbeat every ``EDITING_HEARTBEAT_SECONDS``; an
editor counts as present until three beats are missed. The entries live in
Django's cache, which is Redis when ``REDIS_URL`` is set (shared by every
process); with the local-memory cache only editors served by the same process
see each other. This is a courtesy notice: ``Book.check_version()`` still
refuses a save made from an outdated copy.
"""

import time

from django.conf import settings
from django.core.cache import cache


def heartbeat_seconds():
    return settings.EDITING_HEARTBEAT_SECONDS


def _timeout():
    return heartbeat_seconds() * 3


def _key(book_id):
    return f"books:editing:{book_id}"


def _name(user):
    return user.get_full_name() or user.get_username()


def _present(book_id, now):
    entries = cache.get(_key(book_id)) or {}
    return {user_id: entry for user_id, entry in entries.items() if entry[1] > now - _timeout()}


def heartbeat(book_id, user):
    """Record that ``user`` has summary ``book_id`` open; return the other editors' names."""
    now = time.time()
    entries = _present(book_id, now)
    entries[user.pk] = (_name(user), now)
    cache.set(_key(book_id), entries, _timeout())
    return sorted(name for user_id, (name, _) in entries.items() if user_id != user.pk)


def leave(book_id, user):
    """``user`` closed summary ``book_id``."""
    entries = _present(book_id, time.time())
    if entries.pop(user.pk, None) is not None:
        cache.set(_key(book_id), entries, _timeout())
