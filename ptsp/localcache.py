"""A small per-process cache for reference data that changes rarely and is read on many pages
(a region's own holidays, the DPMPTSP's name): one dictionary per process, entries kept for
`ttl` seconds. Whoever changes the data clears the cache of its own process at once (signals in
the owning app); other processes see the change within `ttl`."""

import json
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from django.db import transaction


class ProcessCache:
    def __init__(self, ttl: float = 60.0, max_entries: int | None = None):
        self.ttl = ttl
        self.max_entries = max_entries
        self._data: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        now = time.monotonic()
        entry = self._data.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        value = compute()
        with self._lock:
            if self.max_entries is not None and len(self._data) >= self.max_entries:
                # Drop what has expired; if that is not enough, start again (a miss only costs
                # the query it saved).
                self._data = {k: e for k, e in self._data.items() if e[0] > now}
                if len(self._data) >= self.max_entries:
                    self._data = {}
            self._data[key] = (now + self.ttl, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


def on_commit_once(func: Callable[[], Any]) -> None:
    """Run `func` when the current transaction commits, once however often this is asked in it
    (a rolled-back transaction drops it with the rest); at once outside a transaction."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        func()
        return
    if not any(pending == func for _sids, pending, _robust in connection.run_on_commit):
        transaction.on_commit(func)


def loaded_values(row) -> tuple:
    """A key for a page that shows the model instance `row`: every field value loaded on it and on
    the related rows loaded with it (`select_related`), so any change to what was read is a new
    key. A field deferred by `.only()` is not in it, which is why a page built on `row` must not
    read one (it would cost a query on every miss; tests hold the query counts)."""
    values = [type(row).__name__]
    for field in row._meta.concrete_fields:
        if field.attname in row.__dict__:
            value = row.__dict__[field.attname]
            if isinstance(value, dict | list):  # a JSON field: its text, which can be a key
                value = json.dumps(value, sort_keys=True, default=str)
            values.append((field.attname, value))
    for name, related in sorted(row._state.fields_cache.items()):
        values.append((name, loaded_values(related) if related is not None else None))
    return tuple(values)
