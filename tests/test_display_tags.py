"""The rows' formatting written in Python (issue 20) writes what the templates wrote before:
`|when` is `|date:"j F Y H:i T"`, `{% legal_due %}` is the former `_legal_due.html` include."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

# The include `{% legal_due %}` replaced, as it was (applications/_legal_due.html).
LEGAL_DUE_INCLUDE = (
    '{% load i18n %}{% if a.legal_state == "deemed" %}<span class="status status-rejected '
    'legal-due">{% trans "deemed approved" %}</span>{% elif a.legal_state == "running" and '
    'a.legal_due_at %}<span class="legal-due{% if a.legal_due_at < now %} overdue{% endif %}" '
    'title="{% trans "Legal deadline (fiktif positif)" %}">{% trans "legal" %}: '
    '{{ a.legal_due_at|date:"j F Y H:i T" }}</span>{% endif %}'
)

ZONES = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "UTC", "America/New_York"]
MOMENTS = [
    datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.UTC),
    datetime.datetime(2026, 8, 16, 23, 59, 59, tzinfo=datetime.UTC),
    datetime.datetime(2026, 12, 31, 16, 30, tzinfo=datetime.UTC),
    # New York's clocks go back: 01:30 local happens twice (Django writes no zone name then).
    datetime.datetime(2026, 11, 1, 5, 30, tzinfo=datetime.UTC),
    datetime.datetime(2026, 11, 1, 6, 30, tzinfo=datetime.UTC),
]


def _render(source: str, **context) -> str:
    return Template(source).render(Context(context))


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("zone", ZONES)
def test_when_writes_what_the_date_filter_writes(language, zone):
    with translation.override(language), timezone.override(ZoneInfo(zone)):
        for moment in MOMENTS:
            for value in (moment, moment.astimezone(ZoneInfo("Asia/Makassar"))):
                ours = _render("{% load display %}{{ m|when }}", m=value)
                django = _render('{{ m|date:"j F Y H:i T" }}', m=value)
                assert ours == django, (value, zone, language)
    with translation.override("id"), timezone.override(ZoneInfo("Asia/Makassar")):
        assert (
            _render("{% load display %}{{ m|when }}", m=MOMENTS[2]) == "1 Januari 2027 00:30 WITA"
        )


def test_when_of_nothing_or_a_naive_moment_is_the_date_filters():
    naive = datetime.datetime(2026, 3, 4, 5, 6)
    for value in (None, "", naive):
        assert _render("{% load display %}{{ m|when }}", m=value) == _render(
            '{{ m|date:"j F Y H:i T" }}', m=value
        )


@pytest.mark.parametrize("language", ["id", "en"])
def test_legal_due_writes_what_the_include_wrote(language):
    now = timezone.now()
    rows = [
        {"legal_state": "deemed", "legal_due_at": now},
        {"legal_state": "running", "legal_due_at": now + datetime.timedelta(days=2)},
        {"legal_state": "running", "legal_due_at": now - datetime.timedelta(minutes=1)},
        {"legal_state": "running", "legal_due_at": None},
        {"legal_state": "stopped", "legal_due_at": now},
        {"legal_state": "", "legal_due_at": None},
    ]

    class File:  # an application object, as the head's queue and the review page pass
        def __init__(self, row):
            self.__dict__.update(row)

    with translation.override(language), timezone.override(ZoneInfo("Asia/Jayapura")):
        for row in rows:
            for item in (row, File(row)):
                ours = _render("{% load queue_rows %}{% legal_due a now %}", a=item, now=now)
                assert ours == _render(LEGAL_DUE_INCLUDE, a=item, now=now), row
    with translation.override("en"):
        shown = _render("{% load queue_rows %}{% legal_due a now %}", a=rows[2], now=now)
    assert 'class="legal-due overdue"' in shown and "legal: " in shown
