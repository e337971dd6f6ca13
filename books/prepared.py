"""Querysets compiled to SQL once per database, then run with new values in their parameters.

A summary page runs about ten small queries. For each, building and compiling
the queryset costs Django several times what the database takes to run it, and
gives the same SQL every time: only the values change (the summary's id, the
current time). A ``PreparedQuery`` is still defined by an ordinary queryset,
built by a function of those values; it is compiled on its first run on each
database, and later runs put the new values in place of the parameters they
filled. (The page cache's version read does the same: ``books.cache``.)
"""

from datetime import UTC, datetime

from django.db import connections, router

# Two sets of stand-in values, one per trial compilation: a parameter that differs
# between the two is where the run's value goes. Nothing real has these ids or times.
_STAND_INS = {
    int: (-1_718_004_411, -1_718_004_412),  # within every integer column's range
    datetime: (
        datetime(1970, 1, 2, 3, 4, 5, tzinfo=UTC),
        datetime(1970, 1, 3, 4, 5, 6, tzinfo=UTC),
    ),
}


def _adapt(connection, value):
    """``value`` as the compiler passes a parameter of its type to ``connection``."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


class PreparedQuery:
    """The queryset ``build(**values)`` returns, compiled once per database, run as model rows.

    ``kinds`` names each value and its type (``int`` or ``datetime``). The SQL
    must not depend on the values, only its parameters; a queryset whose SQL
    does (a list of ids of varying length) is refused at compilation.
    """

    def __init__(self, build, **kinds):
        unknown = {name: kind for name, kind in kinds.items() if kind not in _STAND_INS}
        if unknown:
            raise TypeError(f"Prepared values must be int or datetime, not {unknown}")
        self.build = build
        self.kinds = kinds
        self._model = None
        self._compiled = {}

    def _stand_ins(self, trial):
        return {name: _STAND_INS[kind][trial] for name, kind in self.kinds.items()}

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

    def rows(self, **values):
        """Run the query with ``values``: a list of model instances, as the queryset gives.

        Columns that are not the model's (annotations) become attributes, as with
        ``QuerySet.annotate()``.
        """
        if self._model is None:
            self._model = self.build(**self._stand_ins(0)).model
        alias = router.db_for_read(self._model)
        if alias not in self._compiled:
            self._compiled[alias] = self._compile(alias)
        sql, template, slots = self._compiled[alias]
        connection = connections[alias]
        params = list(template)  # threads share the template
        for index, name in slots.items():
            params[index] = _adapt(connection, values[name])
        return list(self._model._default_manager.raw(sql, params, using=alias))
