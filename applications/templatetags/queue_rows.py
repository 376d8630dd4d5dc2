"""What a queue's row shows of one file, written once in Python (issue 20): a queue of many files
rendered one include per row for its legal deadline, which cost more than the rest of the row.
The HTML is the one the pages have always shown (tests/test_display_tags.py)."""

import html
from datetime import datetime

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from ptsp.links import reverse_cached
from ptsp.templatetags.display import when_text

register = template.Library()


def _field(item, name: str):
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def _escaped(value) -> str:
    """What `conditional_escape` returns, without its lazy-string wrapper (≈ 3 µs a call): safe
    text as it is, anything else HTML-escaped as Django escapes it (`html.escape`, quotes too)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


class _Legal:
    """The legal deadline's words in the active language, looked up once per queue."""

    def __init__(self):
        self.deemed = format_html(
            '<span class="status status-rejected legal-due">{}</span>', gettext("deemed approved")
        )
        self.title = _escaped(gettext("Legal deadline (fiktif positif)"))
        self.legal = _escaped(gettext("legal"))

    def html(self, state, due, now, use_tz: bool) -> str:
        if state == "deemed":
            return self.deemed
        if state != "running" or not due:
            return ""
        late = " overdue" if isinstance(now, datetime) and due < now else ""
        moment = _escaped(when_text(template_localtime(due, use_tz)))
        return f'<span class="legal-due{late}" title="{self.title}">{self.legal}: {moment}</span>'


@register.simple_tag(takes_context=True)
def legal_due(context, item, now) -> str:
    """`{% legal_due a now %}`: the legal deadline of one file (issue 18) in a queue row, for an
    application or a row with its `legal_state` and `legal_due_at`: "deemed approved", the
    deadline (marked overdue once `now` passed it), or nothing when no legal clock runs."""
    written = _Legal().html(
        _field(item, "legal_state"), _field(item, "legal_due_at"), now, context.use_tz
    )
    return mark_safe(written)


_INBOX_ROW = (
    '<tr>\n  <td data-label="{0}"><a href="{4}">{5}</a><br><span class="muted">{6}</span></td>\n'
    '  <td data-label="{1}">{7}</td>\n'
    '  <td data-label="{2}"><span class="status status-{8}">{9}</span></td>\n'
    '  <td data-label="{3}"{10}>{11}{12}</td></tr>'
)


@register.simple_tag(takes_context=True)
def inbox_rows(context, reviews, now) -> str:
    """`{% inbox_rows reviews now %}`: the rows of the officer's inbox (`selectors.inbox_rows`),
    the HTML its template wrote one row at a time (≈ 45 µs a row in the template engine, up to
    200 rows): tracking number linking the review, business, permit, status, the due time
    (marked overdue once `now` passed it while in review) and the legal deadline. Every value
    is escaped as the template escaped it; the words are looked up once per call."""
    labels = [_escaped(gettext(word)) for word in ("Tracking number", "Permit", "Status", "Due")]
    legal = _Legal()
    use_tz = context.use_tz
    rows = []
    for r in reviews:
        due = r["due_at"]
        late = bool(due) and isinstance(now, datetime) and due < now and r["status"] == "in_review"
        rows.append(
            _INBOX_ROW.format(
                *labels,
                _escaped(reverse_cached("applications:review", args=[r["pk"]])),
                _escaped(r["tracking_number"]),
                _escaped(r["business_name"]),
                _escaped(r["permit_name"]),
                _escaped(r["status"]),
                _escaped(r["status_label"]),
                ' class="overdue"' if late else "",
                _escaped(when_text(template_localtime(due, use_tz))) if due else "",
                legal.html(r["legal_state"], r["legal_due_at"], now, use_tz),
            )
        )
    return mark_safe("".join(rows))
