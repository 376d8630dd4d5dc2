"""`{% site_header %}`: the page header (the region's name, the person, their navigation, the
unread count, the language switch), rendered once per process for each distinct content
(issue 20); every page has it.

The fragment is rendered from the values in its key only — the language, the URL prefix, the
region's name, whether someone is logged in, the name and agencies shown, each navigation link
and label, the unread count, whether the page has a CSRF token — so it is a pure function of
its key and no person's header can be shown to another. The two values that
differ on every request are put in afterwards, escaped as the template would escape them: the
CSRF token of the log-out and language forms, and the current path the language switch returns
to (random per-process markers stand for them, which no text a person sends can contain)."""

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from agencies.public_pages import CSRF_MARK, PATH_MARK
from ptsp.localcache import ProcessCache

register = template.Library()

# Pure fragments: the TTL and the bound only keep the dictionary small.
headers = ProcessCache(ttl=600.0, max_entries=2048)

TEMPLATE = "agencies/site_header.html"


@register.simple_tag(takes_context=True)
def site_header(context) -> str:
    user = context.get("user")
    region = context.get("site_region")
    token = context.get("csrf_token")
    has_token = token is not None and str(token) != "NOTPROVIDED"
    values = {
        "LANG": get_language(),
        "region_name": str(region.name) if region else "",
        "logged_in": bool(user is not None and user.is_authenticated),
        "header_person": str(context.get("header_person") or ""),
        "header_agencies": str(context.get("header_agencies") or ""),
        "role_nav": [
            {"url": str(item["url"]), "label": str(item["label"])}
            for item in context.get("role_nav") or ()
        ],
        "unread_notifications": context.get("unread_notifications") or 0,
    }
    key = (
        values["LANG"],
        get_script_prefix(),
        values["region_name"],
        values["logged_in"],
        values["header_person"],
        values["header_agencies"],
        tuple((item["url"], item["label"]) for item in values["role_nav"]),
        values["unread_notifications"],
        has_token,
    )
    html = headers.get_or_compute(
        key,
        lambda: render_to_string(
            TEMPLATE,
            {**values, "csrf_token": CSRF_MARK if has_token else None, "current_path": PATH_MARK},
        ).strip(),
    )
    request = context.get("request")
    path = request.get_full_path() if request is not None else ""
    if has_token:
        html = html.replace(CSRF_MARK, conditional_escape(str(token)))
    return mark_safe(html.replace(PATH_MARK, conditional_escape(path)))
