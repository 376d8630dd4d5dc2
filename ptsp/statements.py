"""Reads that every request repeats, through SQL compiled once per thread (issue 20).

`RowByPk`: a model's row by its primary key.

Every logged-in request reads the person's row (`ModelBackend.get_user`: `User.objects.get(pk=…)`,
the access version and the unread count ride on it). Through the ORM that read cost ≈ 0.66 ms
on the two-core VM, of which ≈ 0.45 ms was building and compiling the same query again; the
statement itself ≈ 0.2 ms. `RowByPk(model).get(pk)` compiles the default manager's
`get_queryset().filter(pk=…)` once per thread, with the ORM's own compiler, and then only
executes it: the same SQL, through Django's cursor (query logging and counting see it), the
same converters, the same `Model.from_db` the ORM's iterable calls, and `DoesNotExist` with the
ORM's message when there is no such row. Nothing else about the query may vary: it has no join, no language, no time zone.

`ValuesStatement(build)`: a `.values()` read whose only varying parts are integers it compares
(a person's id): `build(**params)` returns the queryset; it is called once per thread with
placeholder integers, compiled, and each `rows(**params)` executes that SQL with the real values
and builds the same dicts as the ORM's `ValuesIterable`. The builder may use its parameters only
as compared values (not to choose filters, columns or a slice) and nothing that varies between
calls (the language, the time zone, the clock): a query whose shape depends on anything else
must stay an ORM read. A placeholder that does not come out as exactly one parameter refuses to
compile (RuntimeError), rather than guess.
"""

import threading

from django.db import DEFAULT_DB_ALIAS, connections

# A primary key no row has, to find the parameter's place in the compiled statement.
_SENTINEL = -(2**62) - 12_345


def _place_of(params, value, what: str) -> int:
    places = [i for i, param in enumerate(params) if type(param) is int and param == value]
    if len(places) != 1:  # the ORM wrote a statement this module does not understand
        raise RuntimeError(f"{what}: the parameter is not exactly one value of the statement")
    return places[0]


class RowByPk:
    def __init__(self, model):
        self.model = model
        self._local = threading.local()

    def _compiled(self):
        compiled = getattr(self._local, "compiled", None)
        if compiled is None:
            queryset = self.model._default_manager.get_queryset().filter(pk=_SENTINEL)
            compiler = queryset.query.get_compiler(DEFAULT_DB_ALIAS)
            sql, params = compiler.as_sql()
            place = _place_of(params, _SENTINEL, self.model.__name__)
            select = compiler.select[: compiler.col_count]
            start = compiler.klass_info["select_fields"][0]
            end = compiler.klass_info["select_fields"][-1] + 1
            if (start, end) != (0, len(select)):
                raise RuntimeError(f"{self.model.__name__}: the row is not the whole select")
            init_list = [column[0].target.attname for column in select]
            converters = compiler.get_converters([column[0] for column in select])
            compiled = (compiler, sql, list(params), place, init_list, converters)
            self._local.compiled = compiled
        return compiled

    def get(self, pk: int):
        compiler, sql, params, place, init_list, converters = self._compiled()
        params = params.copy()
        params[place] = pk
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            raise self.model.DoesNotExist(
                f"{self.model._meta.object_name} matching query does not exist."
            )
        if converters:
            row = next(iter(compiler.apply_converters([row], converters)))
        return self.model.from_db(DEFAULT_DB_ALIAS, init_list, row)


class ValuesStatement:
    def __init__(self, build):
        self._build = build
        self._local = threading.local()

    def _compiled(self, names: tuple[str, ...]):
        compiled = getattr(self._local, "compiled", None)
        if compiled is None or compiled[0] != names:
            sentinels = {name: _SENTINEL - i for i, name in enumerate(names)}
            queryset = self._build(**sentinels)
            query = queryset.query
            compiler = query.get_compiler(DEFAULT_DB_ALIAS)
            sql, params = compiler.as_sql()
            what = getattr(self._build, "__qualname__", "statement")
            places = {name: _place_of(params, value, what) for name, value in sentinels.items()}
            # The dicts' keys as ValuesIterable names them.
            if query.selected:
                columns = list(query.selected)
            else:
                columns = [*query.extra_select, *query.values_select, *query.annotation_select]
            select = compiler.select[: compiler.col_count]
            converters = compiler.get_converters([column[0] for column in select])
            compiled = (names, compiler, sql, list(params), places, columns, converters)
            self._local.compiled = compiled
        return compiled

    def rows(self, **values: int) -> list[dict]:
        if not all(type(value) is int for value in values.values()):
            raise TypeError("a compiled statement compares integers only")
        _names, compiler, sql, params, places, columns, converters = self._compiled(
            tuple(sorted(values))
        )
        params = params.copy()
        for name, place in places.items():
            params[place] = values[name]
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        if converters:
            fetched = compiler.apply_converters(fetched, converters)
        return [dict(zip(columns, row, strict=True)) for row in fetched]
