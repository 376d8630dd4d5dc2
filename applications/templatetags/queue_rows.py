"""What a queue's row shows of one file, written once in Python (issue 20): a queue of many files
rendered one include per row for its legal deadline, which cost more than the rest of the row.
The HTML is the one the pages have always shown (tests/test_display_tags.py)."""

from datetime import datetime

from django import template
from django.utils.html import format_html
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

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
