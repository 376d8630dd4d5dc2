"""What a queue's row shows of one file, written once in Python (issue 20): a queue of many files
rendered one include per row for its legal deadline, which cost more than the rest of the row.
The HTML is the one the pages have always shown (tests/test_display_tags.py)."""

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


@register.simple_tag(takes_context=True)
def legal_due(context, item, now) -> str:
    """`{% legal_due a now %}`: the legal deadline of one file (issue 18) in a queue row, for an
    application or a row with its `legal_state` and `legal_due_at`: "deemed approved", the
    deadline (marked overdue once `now` passed it), or nothing when no legal clock runs."""
    state = _field(item, "legal_state")
    if state == "deemed":
        return format_html(
            '<span class="status status-rejected legal-due">{}</span>', gettext("deemed approved")
        )
    due = _field(item, "legal_due_at")
    if state != "running" or not due:
        return ""
    return format_html(
        '<span class="legal-due{}" title="{}">{}: {}</span>',
        " overdue" if isinstance(now, datetime) and due < now else "",
        gettext("Legal deadline (fiktif positif)"),
        gettext("legal"),
        when_text(template_localtime(due, context.use_tz)),
    )


_INBOX_ROW = (
    '<tr>\n  <td data-label="{}"><a href="{}">{}</a><br><span class="muted">{}</span></td>\n'
    '  <td data-label="{}">{}</td>\n'
    '  <td data-label="{}"><span class="status status-{}">{}</span></td>\n'
    '  <td data-label="{}"{}>{}{}</td></tr>'
)


@register.simple_tag(takes_context=True)
def inbox_rows(context, reviews, now) -> str:
    """`{% inbox_rows reviews now %}`: the rows of the officer's inbox (`selectors.inbox_rows`),
    the HTML its template wrote one row at a time (≈ 45 µs a row in the template engine, up to
    200 rows): tracking number linking the review, business, permit, status, the due time
    (marked overdue once `now` passed it while in review) and the legal deadline."""
    labels = (gettext("Tracking number"), gettext("Permit"), gettext("Status"), gettext("Due"))
    overdue = mark_safe(' class="overdue"')
    rows = []
    for r in reviews:
        due = r["due_at"]
        late = bool(due) and isinstance(now, datetime) and due < now and r["status"] == "in_review"
        rows.append(
            format_html(
                _INBOX_ROW,
                labels[0],
                reverse_cached("applications:review", args=[r["pk"]]),
                r["tracking_number"],
                r["business_name"],
                labels[1],
                r["permit_name"],
                labels[2],
                r["status"],
                r["status_label"],
                labels[3],
                overdue if late else "",
                when_text(template_localtime(due, context.use_tz)) if due else "",
                legal_due(context, r, now),
            )
        )
    return mark_safe("".join(rows))
