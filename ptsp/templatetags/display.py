"""Formatting for the pages' rows, written once in Python rather than re-done by the template
engine for every cell (issue 20: a queue of 20 files spent most of its time formatting dates and
rendering one small include per row).

`{{ value|when }}` is `{{ value|date:"j F Y H:i T" }}` (the portal's one format for a moment:
"3 Desember 2026 09:15 WITA"), with the month names of the active language looked up once per
process instead of once per cell; the same text, byte for byte (tests/test_display_tags.py).
"""

from datetime import datetime

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.dates import MONTHS
from django.utils.translation import get_language

register = template.Library()

WHEN_FORMAT = "j F Y H:i T"

# The twelve month names per language: Django's own translations (django.utils.dates), which
# change only with a new release.
_month_names: dict[str, tuple[str, ...]] = {}


def _months() -> tuple[str, ...]:
    language = get_language() or ""
    names = _month_names.get(language)
    if names is None:
        names = _month_names[language] = tuple(str(MONTHS[m]) for m in range(1, 13))
    return names


def when_text(value) -> str:
    """`value` (an aware datetime already in the zone to show) as "j F Y H:i T"; anything else
    as Django's date filter writes it."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        return date_filter(value, WHEN_FORMAT)
    zone = value.tzinfo
    if zone.utcoffset(value.replace(fold=not value.fold)) != zone.utcoffset(value):
        # A moment a change of clocks makes ambiguous: Django writes no zone name; let it.
        return date_filter(value, WHEN_FORMAT)
    return (
        f"{value.day} {_months()[value.month - 1]} {value.year} "
        f"{value.hour:02d}:{value.minute:02d} {zone.tzname(value)}"
    )


@register.filter(expects_localtime=True, is_safe=False)
def when(value) -> str:
    """`{{ moment|when }}`: the moment in the active time zone, "3 Desember 2026 09:15 WITA"."""
    if value in (None, ""):
        return ""
    return when_text(value)
