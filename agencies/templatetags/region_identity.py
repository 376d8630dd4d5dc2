"""`{% region_footer %}`: the region's identity at the foot of every page (issue 21 item 12),
rendered once per process for each distinct content and language (issue 20).

The fragment is a function of what it shows: the key is the language and every stored field of
the region, read from the region of this request (`site_region`, agencies'
context processor), so a changed address or helpdesk number is a new key on the next request that
reads the changed row, and no region's or language's footer is ever shown for another. Nothing
in it belongs to a person."""

from django import template
from django.template.loader import render_to_string
from django.utils.translation import get_language

from ptsp.localcache import ProcessCache

register = template.Library()

# Pure fragments: the TTL and the bound only keep the dictionary small.
footers = ProcessCache(ttl=3600.0, max_entries=256)

TEMPLATE = "agencies/region_footer.html"


def footer_key(region) -> tuple:
    """The language and every stored field of the region: whatever the template prints (the zone's
    name comes from `timezone`), without a list here to keep in step with it."""
    return (get_language(), *(getattr(region, f.attname) for f in region._meta.concrete_fields))


@register.simple_tag(takes_context=True)
def region_footer(context) -> str:
    region = context.get("site_region")
    if not region:
        return ""
    return footers.get_or_compute(
        footer_key(region), lambda: render_to_string(TEMPLATE, {"site_region": region})
    )
