"""Search across summaries: one interface over two engines (SQLite FTS5, PostgreSQL).

The interface lives in ``books.search.core`` and is re-exported here on first use:
``search(query, tags=…, page=…)``, ``suggest(prefix)``, ``index_books(ids)``,
``rebuild()``, ``drift()``. Imported lazily because this package is also a Django app
(the synonym sets editors keep, ``books.search.models``), loaded before the models are.
"""

__all__ = [
    "INDEX_BATCH",
    "compiled_query",
    "drift",
    "get_backend",
    "index_books",
    "missing_and_orphaned",
    "rebuild",
    "search",
    "suggest",
]


def __getattr__(name):
    if name in __all__ or name == "load_documents":
        from . import core

        return getattr(core, name)
    raise AttributeError(f"module 'books.search' has no attribute {name!r}")
