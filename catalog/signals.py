"""The public catalog page is cached as a fragment keyed by a catalog generation (in the shared
cache): any change to a permit type, its route, requirements, fields or published versions, or
to a region or agency, starts a new generation, so no web node shows an old catalog."""

import threading
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from agencies.models import Agency, Region
from catalog.models import FormField, PermitType, PermitTypeVersion, Requirement, RouteStep
from ptsp.localcache import on_commit_once

GENERATION_KEY = "catalog:generation"
CATALOG_MODELS = (PermitType, PermitTypeVersion, RouteStep, Requirement, FormField, Agency, Region)


_thread = threading.local()


def catalog_generation() -> int:
    _thread.bumped = False  # a change after this read needs a new generation again
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = time.time_ns()
        cache.add(GENERATION_KEY, generation, None)
    return generation


def _new_generation() -> None:
    cache.set(GENERATION_KEY, time.time_ns(), None)


def _catalog_changed(sender, **kwargs):
    """A new generation now (once until the catalog is read again in this thread: loading the
    demo catalog saves hundreds of rows) and, inside a transaction, once more at its commit —
    the one that other processes, which could not see the rows before, rely on."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _new_generation()
        return
    if not getattr(_thread, "bumped", False):
        _new_generation()
        _thread.bumped = True
    on_commit_once(_new_generation)


for _model in CATALOG_MODELS:
    receiver([post_save, post_delete], sender=_model, dispatch_uid=f"catalog-{_model.__name__}")(
        _catalog_changed
    )
