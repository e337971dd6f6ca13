"""Rows built once and shared by the tests of a module, as Django's ``setUpTestData`` does."""

import sys

from django.db import transaction
from django.test import TestCase


def shared_rows(django_db_blocker, build, *, after_commit=True):
    """For a module-scoped fixture: ``yield from shared_rows(django_db_blocker, build)``.

    ``build()`` runs inside a transaction that is never committed, with its after-commit
    work (search index, page cache) done as a commit would, unless ``after_commit`` is
    false (as for rows a test builds outside ``committed()``); the transaction stays open
    until the fixture ends. Each test's own transaction is then a savepoint inside it,
    rolled back after the test, so every test starts from the rows ``build`` left. The
    fixture yields what ``build`` returned: the tests should read the rows afresh, since
    a test may change the objects it is given.

    Only for tests that do not commit (``django_db``, not ``transaction=True``). A test of
    the module that does not use the fixture but runs after one that does sees the rows.
    """
    atomic = transaction.atomic()
    # As Django's TestCase marks its own: a durable block inside a test is still allowed.
    atomic._from_testcase = True
    with django_db_blocker.unblock():
        atomic.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=after_commit):
                built = build()
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
