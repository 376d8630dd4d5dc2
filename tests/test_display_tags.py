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


# The loop `{% inbox_rows %}` replaced, as it was (applications/reviews/inbox.html).
INBOX_LOOP = (
    "{% load i18n display queue_rows %}"
    '{% trans "Tracking number" as l_number %}{% trans "Permit" as l_permit %}'
    '{% trans "Status" as l_status %}{% trans "Due" as l_due %}'
    """{% for r in reviews %}<tr>
  <td data-label="{{ l_number }}"><a href="{% url 'applications:review' r.pk %}">{{ r.tracking_number }}</a><br><span class="muted">{{ r.business_name }}</span></td>
  <td data-label="{{ l_permit }}">{{ r.permit_name }}</td>
  <td data-label="{{ l_status }}"><span class="status status-{{ r.status }}">{{ r.status_label }}</span></td>
  <td data-label="{{ l_due }}"{% if r.due_at and r.due_at < now and r.status == "in_review" %} class="overdue"{% endif %}>{{ r.due_at|when }}{% legal_due r now %}</td></tr>{% endfor %}"""
)


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("zone", ["Asia/Makassar", "Asia/Jayapura"])
def test_inbox_rows_write_what_the_loop_wrote(language, zone):
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    rows = []
    for i, (status, due, legal_state, legal_due_at) in enumerate(
        [
            ("in_review", now - hour, "running", now + 30 * hour),  # overdue, legal clock runs
            ("in_review", now + hour, "running", now - hour),  # legal deadline passed
            ("revision_requested", now - hour, "", None),  # late, but waiting: not marked
            ("in_review", None, "deemed", None),
            ("recommended", now + 200 * hour, "stopped", now),
        ],
        start=1,
    ):
        rows.append(
            {
                "pk": i,
                "status": status,
                "status_label": f"Label <{status}>",
                "due_at": due,
                "legal_state": legal_state,
                "legal_due_at": legal_due_at,
                "tracking_number": f"BTG-2026-00000{i}",
                "business_name": "Apotek <Sehat> & Co",
                "permit_name": 'Izin "apotek"',
            }
        )
    with translation.override(language), timezone.override(ZoneInfo(zone)):
        expected = _render(INBOX_LOOP, reviews=rows, now=now)
        written = _render(
            "{% load queue_rows %}{% inbox_rows reviews now %}", reviews=rows, now=now
        )
    assert written == expected
    assert written.count("<tr>") == 5 and 'class="overdue"' in written
    assert "Apotek &lt;Sehat&gt; &amp; Co" in written  # escaped as the template escaped it
