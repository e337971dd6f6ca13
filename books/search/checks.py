"""``manage.py check --database default`` reports summaries missing from the search index.

This is the cheap check (ids only). ``rebuild_search_index --check`` compares every
summary's text with what was indexed.
"""

from django.core import checks
from django.db import DatabaseError


@checks.register(checks.Tags.database)
def search_index_in_step(app_configs=None, databases=None, **kwargs):
    if not databases or "default" not in databases:
        return []
    from . import missing_and_orphaned

    try:
        missing, orphaned = missing_and_orphaned()
    except DatabaseError:
        return []  # not migrated yet: that is migrate's to report
    problems = []
    if missing:
        problems.append(
            checks.Warning(
                f"{len(missing)} summaries are not in the search index "
                f"(ids {', '.join(map(str, missing[:10]))}{'…' if len(missing) > 10 else ''}).",
                hint="Run `python manage.py rebuild_search_index`.",
                id="books.W002",
            )
        )
    if orphaned:
        problems.append(
            checks.Warning(
                f"The search index holds {len(orphaned)} deleted summaries.",
                hint="Run `python manage.py rebuild_search_index`.",
                id="books.W003",
            )
        )
    return problems
