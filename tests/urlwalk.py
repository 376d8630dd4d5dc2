"""Walk the URL configuration: every named pattern, with sample arguments for its converters."""

from django.urls import URLPattern, URLResolver, get_resolver

SAMPLES = {
    "int": "987654",
    "str": "sample",
    "slug": "sample",
    "uuid": "2f1c3f8e-0000-4000-8000-000000000000",
    "path": "sample",
}


def iter_patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from iter_patterns(entry, prefix + str(entry.pattern), ns if ns else namespace)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry, namespace


def sample_path(route: str, pattern: URLPattern) -> str | None:
    """A concrete path for the route, or None for regex routes we cannot fill (admin internals)."""
    import re

    if route.startswith("^") or "(?P" in route:
        return None
    path = re.sub(
        r"<(?:(\w+):)?(\w+)>", lambda m: SAMPLES.get(m.group(1) or "str", "sample"), route
    )
    return "/" + path


def named_urls():
    """(full name, path) for every named pattern outside the admin."""
    for route, pattern, namespace in iter_patterns():
        if route.startswith("admin/") or not pattern.name:
            continue
        path = sample_path(route, pattern)
        if path is None:
            continue
        name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        yield name, path
