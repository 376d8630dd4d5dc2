"""The one row-locked counter: gap-free numbers (tracking numbers, permit numbers).

A counter is a model with the fields of its key (unique together) and `last_value`
(`applications.TrackingCounter`, `permits.PermitCounter`). `next_in_sequence` creates the row
when it is missing, locks it, and counts one up.
"""

from django.db import models


def next_in_sequence(model: type[models.Model], **key) -> int:
    """The next value of the counter row of `model` with `key` (e.g. `region=…, year=…`),
    created at 0 when missing. Must run inside the transaction that uses the number: the row
    lock is held until it commits, and a rollback gives the number back, so numbers have no
    gaps and no duplicates. Changes: that one row."""
    model.objects.bulk_create([model(**key)], ignore_conflicts=True)
    counter = model.objects.select_for_update().get(**key)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value
