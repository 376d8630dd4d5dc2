"""`reverse()` once per process for each distinct link (issue 20).

Every page links to the same few names (the header's home, notifications, profile, log-out and
language links, the role's navigation) and a list links each of its rows: Django's `reverse()`
walks the resolver's patterns, the active language's reverse table and the namespaces every
time, ≈ 30 µs in Python and ≈ 60 µs through `{% url %}`, which made the links a tenth of a short
page. `reverse_cached` answers the same arguments with the same URL from a dictionary.

What a URL depends on is its key: the URLconf in force (the request's own, else ROOT_URLCONF),
the script prefix, the active language, the name, the arguments and the current app. Only plain
arguments (str, int) are remembered; anything else, and any failure, goes to `reverse()` as it
is, so a name that does not reverse raises `NoReverseMatch` every time. The dictionary is
emptied when it is full and when a setting a URL depends on changes (tests'
`override_settings(ROOT_URLCONF=...)`); the URLconf itself changes only with a new release.

`{% url %}` in templates is this (ptsp/templatetags/links.py, a template builtin).
"""

from django.conf import settings
from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

MAX_ENTRIES = 20_000
_urls: dict[tuple, str] = {}
_PLAIN = (str, int)


def reverse_cached(viewname, args=None, kwargs=None, current_app=None) -> str:
    """`reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)`, remembered."""
    if not isinstance(viewname, str) or (args and not all(type(a) in _PLAIN for a in args)):
        return reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    if kwargs:
        if not all(type(v) in _PLAIN for v in kwargs.values()):
            return reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
        kwargs_key = tuple(sorted(kwargs.items()))
    else:
        kwargs_key = ()
    key = (
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        get_language(),
        viewname,
        tuple(args) if args else (),
        kwargs_key,
        current_app,
    )
    url = _urls.get(key)
    if url is None:
        url = reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
        if len(_urls) >= MAX_ENTRIES:
            _urls.clear()
        _urls[key] = url
    return url


def clear() -> None:
    _urls.clear()


def _on_setting_changed(setting, **kwargs):
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME", "LANGUAGES", "LANGUAGE_CODE"):
        clear()


setting_changed.connect(_on_setting_changed)
