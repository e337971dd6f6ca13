"""Querysets compiled to SQL once per database, then run with new values in their parameters.

A summary page runs about ten small queries. For each, building and compiling
the queryset costs Django several times what the database takes to run it, and
gives the same SQL every time: only the values change (the summary's id, the
current time). A ``PreparedQuery`` is still defined by an ordinary queryset,
built by a function of those values; it is compiled on its first run on each
database, and later runs put the new values in place of the parameters they
filled. (The page cache's version read is one: ``books.cache``.)
"""

from datetime import UTC, datetime

from django.db import DEFAULT_DB_ALIAS, connections, router


# Stand-in values, one set per trial compilation and a different one for each
# name: a parameter that differs between the two trials is where the run's value
# goes. They are compiled, never run; the numbers fit every integer column, as a
# lookup beyond a column's range compiles to "no rows" without a parameter.
def _stand_in(kind, index, trial):
    if kind is int:
        return 2_000_000_000 + 10 * index + trial
    if kind is datetime:
        return datetime(1970, 1, 2 + index, 3, 4, 5 + trial, tzinfo=UTC)
    return f"\x1eprepared-{index}-{trial}"


KINDS = (int, datetime, str)


def _adapt(connection, value):
    """``value`` as the compiler passes a parameter of its type to ``connection``."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


class PreparedQuery:
    """The queryset ``build(**values)`` returns, compiled once per database, run as model rows.

    ``kinds`` names each value and its type (``int``, ``datetime`` or ``str``). The SQL
    must not depend on the values, only its parameters; a queryset whose SQL
    does (a list of ids of varying length) is refused at compilation.
    """

    def __init__(self, build, **kinds):
        unknown = {name: kind for name, kind in kinds.items() if kind not in KINDS}
        if unknown:
            raise TypeError(f"Prepared values must be int, datetime or str, not {unknown}")
        self.build = build
        self.kinds = kinds
        self._model = None
        self._compiled = {}

    def _stand_ins(self, trial):
        return {
            name: _stand_in(kind, index, trial)
            for index, (name, kind) in enumerate(self.kinds.items())
        }

    def _compile(self, alias):
        connection = connections[alias]
        trials = []
        for trial in (0, 1):
            values = self._stand_ins(trial)
            queryset = self.build(**values)
            sql, params = queryset.query.get_compiler(using=alias).as_sql()
            adapted = {_adapt(connection, value): name for name, value in values.items()}
            trials.append((sql, list(params), adapted))
        (sql, first, names), (second_sql, second, _) = trials
        if sql != second_sql or len(first) != len(second):
            raise ValueError(f"The SQL of {self.build} changes with its values.")
        slots = {}
        for index, (one, other) in enumerate(zip(first, second, strict=True)):
            if one != other:
                if one not in names:
                    raise ValueError(f"Parameter {index} of {self.build} is not one of its values.")
                slots[index] = names[one]
        if set(slots.values()) != set(self.kinds):
            raise ValueError(f"{self.build} does not use every one of {sorted(self.kinds)}.")
        return sql, tuple(first), slots

    def sql(self, using=DEFAULT_DB_ALIAS, **values):
        """``(sql, params)`` of the query with ``values`` on database ``using``."""
        if using not in self._compiled:
            self._compiled[using] = self._compile(using)
        sql, template, slots = self._compiled[using]
        connection = connections[using]
        params = list(template)  # threads share the template
        for index, name in slots.items():
            params[index] = _adapt(connection, values[name])
        return sql, params

    def rows(self, **values):
        """Run the query with ``values``: a list of model instances, as the queryset gives.

        Columns that are not the model's (annotations) become attributes, as with
        ``QuerySet.annotate()``.
        """
        if self._model is None:
            self._model = self.build(**self._stand_ins(0)).model
        alias = router.db_for_read(self._model)
        sql, params = self.sql(alias, **values)
        return list(self._model._default_manager.raw(sql, params, using=alias))
